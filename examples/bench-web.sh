#!/usr/bin/env bash
# The web office benchmark: the server on the 1M-voucher store, 20 signed-in
# sessions on loopback (one wrk connection each), one route at a time:
# the home page (待办), a voucher page, the trial balance, preparing a
# voucher (POST, answered 303), and the residents' board of a published
# month. Prints requests/s, p50 and p99 per route and the server's peak RSS,
# twice: every session sending its next request as soon as the answer comes
# (the server saturated), then paced, each session waiting THINK ms between
# an answer and its next request (an office at work).
#
# Usage: examples/bench-web.sh [STORE] [WORKDIR]
#   STORE: a store made by examples/bench.sh (copied into WORKDIR, never
#   changed); without it one is built (N vouchers, default 1,000,000).
# Environment: SESSIONS (default 20), DURATION (seconds per route, 20),
# THINK (500), PORT (18080), N.
# Needs wrk (Debian package `wrk`) and curl.
set -euo pipefail
STORE=${1:-}
WORK=${2:-$(mktemp -d)}
SESSIONS=${SESSIONS:-20} DURATION=${DURATION:-20} THINK=${THINK:-500} PORT=${PORT:-18080} N=${N:-1000000}
mkdir -p "$WORK"
cd "$(dirname "$0")/.."
ROOT=$PWD
cargo build --release --quiet -p qianzhang-cli --features qianzhang-cli/test-clock --bins --example gen-ledger
Q=${CARGO_TARGET_DIR:-$ROOT/target}/release/qianzhang
GEN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/gen-ledger
export QIANZHANG_PASSPHRASE=bench-passphrase QIANZHANG_NEW_PASSPHRASE=bench-passphrase
# The office's day: the ledger went live in 2026-01, the history is closed.
export QIANZHANG_NOW=2026-01-20T10:00:00+08:00
DB=$WORK/web.db
rm -f "$DB" "$DB-journal"
if [ -n "$STORE" ]; then
    cp "$STORE" "$DB"
else
    "$GEN" "$N" "$WORK/vouchers.csv"
    "$Q" --db "$DB" --as bench init --ledger bench --start 2026-01 >/dev/null
    "$Q" --db "$DB" --as bench import --history "$WORK/vouchers.csv" >/dev/null
fi
LEDGER=bench
# An accountant for the sessions, a member of the supervisory committee to
# review 2025-12's disclosure, which the accountant then publishes.
q() { "$Q" --db "$DB" "$@" >/dev/null; }
q --as bench person add 会计甲
q --as bench person appoint 会计甲 --role accountant --from 2026-01-01
q --as bench person add 监督甲
q --as bench person appoint 监督甲 --role auditor --from 2026-01-01
q --as 监督甲 disclose review --month 2025-12 --opinion 经审核，同意公开 --date 2026-01-10
q --as 会计甲 disclose publish --month 2025-12 --date 2026-01-10

"$Q" --db "$DB" serve --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
BASE=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -s -o /dev/null "$BASE/signin" && break; sleep 0.1; done

enc() { jq -rn --arg v "$1" '$v|@uri'; }
L=$(enc "$LEDGER")
# Sign in SESSIONS times; keep each session's cookie and CSRF token.
: >"$WORK/sessions"
for i in $(seq "$SESSIONS"); do
    jar=$WORK/jar.$i
    csrf=$(curl -s -c "$jar" "$BASE/signin" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')
    curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "name=会计甲" \
        --data-urlencode "passphrase=$QIANZHANG_PASSPHRASE" --data-urlencode "next=/l/$L" "$BASE/signin"
    cookie=$(awk '$6 == "qianzhang_session" { print $7 }' "$jar")
    token=$(curl -s -b "$jar" "$BASE/l/$L" | sed -n 's/.*data-csrf="\([0-9a-f]*\)".*/\1/p')
    [ -n "$cookie" ] && [ -n "$token" ] || { echo "sign-in $i failed" >&2; exit 1; }
    echo "$cookie $token" >>"$WORK/sessions"
    rm -f "$jar"
done

# A payment from cash for office supplies, as an accountant types it.
FORM="csrf=CSRF"
field() { FORM="$FORM&$1=$(enc "$2")"; }
field date 2026-01-20
field authorization "两委决议〔2026〕1号"
field summary 购买办公用品; field account 5201; field debit 120.00; field credit ""
field counterparty ""; field fund ""
field summary 购买办公用品; field account 1001; field debit ""; field credit 120.00
field counterparty ""; field fund ""
field doc_type 发票; field doc_number FP-DOCNO; field doc_issuer 文具店
field doc_amount 120.00; field doc_handler 会计甲; field doc_checker 监督甲

run() { # name path expected-status [form]
    local out
    BENCH_THINK=$PACE BENCH_SESSIONS="$WORK/sessions" BENCH_PATH=$2 BENCH_STATUS=$3 BENCH_FORM=${4:-} \
        wrk -t "$SESSIONS" -c "$SESSIONS" --timeout 10s -d 3s -s examples/support/web-bench.lua "$BASE" >/dev/null
    out=$(BENCH_THINK=$PACE BENCH_SESSIONS="$WORK/sessions" BENCH_PATH=$2 BENCH_STATUS=$3 BENCH_FORM=${4:-} \
        wrk -t "$SESSIONS" -c "$SESSIONS" --timeout 10s -d "${DURATION}s" -s examples/support/web-bench.lua "$BASE" | grep '^RESULT')
    read -r _ n rps p50 p99 max wrong errors <<<"$out"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$SESSIONS" "$PACE" "$n" "$rps" "$p50" "$p99" "$max" \
        "$((wrong + errors))" "$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status")"
}
both() { PACE=0 run "$@"; PACE=$THINK run "$@"; }
echo "| route | sessions | think ms | requests | requests/s | p50 ms | p99 ms | max ms | wrong answers | peak RSS so far, MB |"
echo "|---|---|---|---|---|---|---|---|---|---|"
both "home /l/$LEDGER" "/l/$L" 200
both "voucher /l/$LEDGER/v/2020-06/4000" "/l/$L/v/2020-06/4000" 200
both "trial balance 2025-12" "/l/$L/reports/trial-balance?month=2025-12" 200
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/board/$L/2025-12")" = 200 ]; then
    both "board /board/$LEDGER/2025-12" "/board/$L/2025-12" 200
else
    echo "| board /board/$LEDGER/2025-12 | not measured: no such page | | | | | | | | |"
fi
PACE=$THINK run "prepare a voucher (POST, 303)" "/l/$L/voucher/new" 303 "$FORM"
PACE=0 run "prepare a voucher (POST, 303)" "/l/$L/voucher/new" 303 "$FORM"
both "home, the vouchers just prepared waiting" "/l/$L" 200
echo "server peak RSS: $(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$SERVER/status")"
