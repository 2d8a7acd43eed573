#!/usr/bin/env bash
# The foundation benchmark: N vouchers over ten years, imported as history,
# then the trial balance, one month's journal and verification, each timed.
# Usage: examples/bench.sh [N] [WORKDIR]     (default N = 1000000)
# Needs GNU time (/usr/bin/time) and hyperfine; ledger-cli for the comparison.
set -euo pipefail
N=${1:-1000000}
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin qianzhang --example gen-ledger
Q=$PWD/target/release/qianzhang
export QIANZHANG_PASSPHRASE=bench-passphrase
GEN=$PWD/target/release/examples/gen-ledger
CSV=$WORK/vouchers.csv DB=$WORK/bench.db
rm -f "$DB" "$DB-journal"
"$GEN" "$N" "$CSV"
echo "data: $N vouchers, $(($(wc -l <"$CSV") - 1)) lines, $(du -m "$CSV" | cut -f1) MB"
"$Q" --db "$DB" --as bench init --ledger bench --start 2026-01 >/dev/null
measure() { /usr/bin/time -f "  wall %e s, peak RSS %M KB" "$@" >/dev/null; }
echo "import --history:"; measure "$Q" --db "$DB" --as bench import --history "$CSV"
echo "verify:"; measure "$Q" --db "$DB" verify
hyperfine -N --warmup 3 --runs 20 --style basic \
    "$Q --db $DB report trial-balance" \
    "$Q --db $DB report journal --from 2020-06 --to 2020-06" \
    "$Q --db $DB report journal --from 2020-06 --to 2020-06 --format json" \
    "$Q --db $DB report cash-journal --from 2020-06 --to 2020-06" \
    "$Q --db $DB report bank-journal --from 2020-06 --to 2020-06"
if command -v ledger >/dev/null; then
    "$Q" --db "$DB" export --format ledger -o "$WORK/bench.journal"
    echo "ledger -f bench.journal bal:"; measure ledger -f "$WORK/bench.journal" bal
fi
if command -v hledger >/dev/null; then
    echo "hledger -f bench.journal bal:"; measure hledger -f "$WORK/bench.journal" bal
fi
