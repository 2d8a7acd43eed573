#!/usr/bin/env bash
# Renders the demo's April poster to PNG (docs/images/poster-2025-04.png) and
# PDF with headless Chromium, as the README shows it.
# Usage: examples/poster.sh [WORKDIR]      Needs chromium (Debian package).
set -euo pipefail
WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin qianzhang
rm -f "$WORK/demo.db"
./target/release/qianzhang demo --db "$WORK/demo.db" >/dev/null
HTML="$WORK/财务公开-2025-04.html"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
    --disable-component-update --disable-sync --no-pdf-header-footer --user-data-dir="$WORK/chromium")
chromium "${flags[@]}" --print-to-pdf="$WORK/poster.pdf" "file://$HTML" 2>/dev/null
chromium "${flags[@]}" --screenshot="docs/images/poster-2025-04.png" --window-size=1123,880 "file://$HTML" 2>/dev/null
echo "poster: $HTML, $WORK/poster.pdf, docs/images/poster-2025-04.png"
