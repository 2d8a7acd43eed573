#!/usr/bin/env bash
# The foundation benchmark: N vouchers over ten years, imported as history,
# then the trial balance, one month's journal and verification, each timed;
# then a bank statement of 5,000 lines for 2020-06, made from the bank
# journal, imported, matched and reconciled; then ten years of exceptions,
# a cashier's handover report, the three statements of a month, a month of
# vouchers and a bank journal printed, and a year's journal as .xlsx.
# Usage: examples/bench.sh [N] [WORKDIR]     (default N = 1000000)
# Needs GNU time (/usr/bin/time) and hyperfine; ledger-cli for the comparison.
set -euo pipefail
N=${1:-1000000}
WORK=${2:-$(mktemp -d)}
mkdir -p "$WORK"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin qianzhang --example gen-ledger
Q=$PWD/target/release/qianzhang
export QIANZHANG_PASSPHRASE=bench-passphrase QIANZHANG_NEW_PASSPHRASE=bench-passphrase
GEN=$PWD/target/release/examples/gen-ledger
CSV=$WORK/vouchers.csv DB=$WORK/bench.db
rm -f "$DB" "$DB-journal"
"$GEN" "$N" "$CSV"
echo "data: $N vouchers, $(($(wc -l <"$CSV") - 1)) lines, $(du -m "$CSV" | cut -f1) MB"
"$Q" --db "$DB" --as bench init --ledger bench --start 2026-01 >/dev/null
measure() { /usr/bin/time -f "  wall %e s, peak RSS %M KB" "$@" >/dev/null; }
echo "import --history:"; measure "$Q" --db "$DB" --as bench import --history "$CSV"
echo "verify:"; measure "$Q" --db "$DB" verify
# A cashier to import and match the statement.
"$Q" --db "$DB" --as bench person add 出纳甲 >/dev/null
"$Q" --db "$DB" --as bench person appoint 出纳甲 --role cashier --from 2026-01-01 >/dev/null
"$Q" --db "$DB" report bank-journal --month 2020-06 --format csv --plain >"$WORK/bank-journal.csv"
awk -F, 'NR > 1 && $3 == "entry" && n < 5000 {
    n++; split($1, d, "-")
    printf "%s%s%s,S%06d,%s,%s,%s,%s\n", d[1], d[2], d[3], n, $4, ($6 == "0.00" ? "" : $6), ($7 == "0.00" ? "" : $7), $8
}' "$WORK/bank-journal.csv" | sed '1i 交易日期,交易流水号,摘要,收入金额,支出金额,余额' >"$WORK/statement.csv"
echo "bank import (5,000 lines):"; measure "$Q" --db "$DB" --as 出纳甲 bank import "$WORK/statement.csv"
echo "bank match:"; measure "$Q" --db "$DB" --as 出纳甲 bank match
hyperfine -N --warmup 3 --runs 20 --style basic \
    "$Q --db $DB report trial-balance" \
    "$Q --db $DB report balance-sheet --month 2020-06" \
    "$Q --db $DB report activities --month 2020-12" \
    "$Q --db $DB report cash-flow --month 2020-06" \
    "$Q --db $DB report bank-reconciliation --month 2020-06" \
    "$Q --db $DB audit exceptions --from 2016-01 --to 2025-12" \
    "$Q --db $DB handover --officer 出纳甲 --role cashier --date 2026-06-30 --to 出纳乙 --supervisor 监交人" \
    "$Q --db $DB report cash-count --date 2020-06-30" \
    "$Q --db $DB report journal --from 2020-06 --to 2020-06" \
    "$Q --db $DB report journal --from 2020-06 --to 2020-06 --format json" \
    "$Q --db $DB report cash-journal --from 2020-06 --to 2020-06" \
    "$Q --db $DB report bank-journal --from 2020-06 --to 2020-06" \
    "$Q --db $DB print voucher --period 2020-06 -o $WORK/vouchers-2020-06.html" \
    "$Q --db $DB print bank-journal --month 2020-06 -o $WORK/bank-journal-2020-06.html"
# A year's journal as an Excel workbook (about 100,000 vouchers).
hyperfine -N --warmup 1 --runs 5 --style basic \
    "$Q --db $DB report journal --from 2020-01 --to 2020-12 --format xlsx -o $WORK/journal-2020.xlsx"
if command -v ledger >/dev/null; then
    "$Q" --db "$DB" export --format ledger -o "$WORK/bench.journal"
    echo "ledger -f bench.journal bal:"; measure ledger -f "$WORK/bench.journal" bal
fi
if command -v hledger >/dev/null; then
    echo "hledger -f bench.journal bal:"; measure hledger -f "$WORK/bench.journal" bal
fi
