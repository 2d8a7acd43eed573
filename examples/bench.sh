#!/usr/bin/env bash
# The foundation benchmark: N vouchers over ten years, imported as history,
# then verification, each timed beside ledger-cli's `bal` on the same books
# (exported with `export --format ledger`) and beside the floor of the
# engine (SQLite's own `.import` of the same CSV plus one index); then a
# bank statement of 5,000 lines for 2020-06, made from the bank journal,
# imported, matched and reconciled; then the trial balance, the three
# statements of a month, ten years of exceptions, a cashier's handover
# report, a month of vouchers and a bank journal printed, and a year's
# journal as .xlsx. Ends with a table of the timed steps and their ratios
# to ledger-cli.
#
# Usage: examples/bench.sh [N] [WORKDIR]     (default N = 1000000)
# Environment:
#   BENCH_BACKEND   sqlite (the default; the store is WORKDIR/bench.db), or
#                   postgres: the store is database qz_bench (dropped and
#                   made again each round) on the server BENCH_PG names
#   BENCH_PG        postgres://user:password@host/database, a role that may
#                   CREATE DATABASE (with BENCH_BACKEND=postgres)
#   BENCH_WRITERS   0 to skip the concurrent writers (1, 2 and 4 offices on
#                   ledgers of their own, and 4 on one ledger)
#   BENCH_ROUNDS    rounds of import / verify / floor / ledger-cli, each
#                   round on a fresh store, for the spread (default 1)
#   BENCH_LEDGER_MAX  largest N ledger-cli is run on (default 3000000: it
#                   holds about 2.6 GB per million vouchers)
#   BENCH_HLEDGER   0 to skip hledger (about 8.6 GB and a minute at 1M);
#                   it is run only up to N = 1,000,000
#   BENCH_REPORTS   0 to skip the bank statement and the report timings
# Needs GNU time (/usr/bin/time) and hyperfine; ledger-cli, hledger and
# sqlite3 (psql for PostgreSQL) for the comparisons (each skipped when not
# installed).
set -euo pipefail
N=${1:-1000000}
WORK=${2:-$(mktemp -d)}
BACKEND=${BENCH_BACKEND:-sqlite}
ROUNDS=${BENCH_ROUNDS:-1}
LEDGER_MAX=${BENCH_LEDGER_MAX:-3000000}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
cd "$(dirname "$0")/.."
cargo build --release --quiet -p qianzhang-cli --features qianzhang-cli/test-clock --bins --example gen-ledger \
    --example writers
Q=${CARGO_TARGET_DIR:-$PWD/target}/release/qianzhang
GEN=${CARGO_TARGET_DIR:-$PWD/target}/release/examples/gen-ledger
WRITERS=${CARGO_TARGET_DIR:-$PWD/target}/release/examples/writers
export QIANZHANG_PASSPHRASE=bench-passphrase QIANZHANG_NEW_PASSPHRASE=bench-passphrase
CSV=$WORK/vouchers.csv

# --- the backend: where the store is, and how a fresh one is made --------

case $BACKEND in
sqlite)
    DB=$WORK/bench.db
    fresh_store() { rm -f "$DB" "$DB-journal"; }
    ;;
postgres)
    if [ -z "${BENCH_PG:-}" ]; then
        echo "BENCH_BACKEND=postgres needs BENCH_PG=postgres://user:password@host/database" >&2
        exit 2
    fi
    # The server's URL with the benchmark's own database in its path.
    on_database() { printf '%s' "$BENCH_PG" | sed -E "s#^(postgres(ql)?://[^/?]+)(/[^?]*)?#\1/$1#"; }
    DB=$(on_database qz_bench)
    remake() {
        psql -qX "$BENCH_PG" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
        psql -qX "$BENCH_PG" -c "CREATE DATABASE $1" >/dev/null
    }
    fresh_store() { remake qz_bench; }
    ;;
*)
    echo "unknown BENCH_BACKEND $BACKEND (known: sqlite, postgres)" >&2
    exit 2
    ;;
esac
q() { "$Q" --db "$DB" "$@"; }

# --- timing: every measured step goes through `measure NAME CMD...` -------

TABLE=$WORK/bench-table.txt
: >"$TABLE"
# Runs CMD with its output discarded; prints wall time, CPU time (user and
# system, over all threads) and peak RSS, and records wall time and RSS.
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >/dev/null
    local wall rss user sys
    read -r wall rss user sys <"$WORK/time.txt"
    printf '  %-40s wall %7.2f s, CPU %7.2f s, peak RSS %6d MB\n' "$name" "$wall" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((rss / 1024))
    printf '%s\t%s\t%s\n' "$name" "$wall" $((rss / 1024)) >>"$TABLE"
}

# --- the steps --------------------------------------------------------------

step_generate() {
    rm -f "$WORK/bench.journal"
    "$GEN" "$N" "$CSV"
    echo "data: $N vouchers, $(($(wc -l <"$CSV") - 1)) lines, $(du -m "$CSV" | cut -f1) MB"
}

step_import() {
    fresh_store
    q --as bench init --ledger bench --start 2026-01 >/dev/null
    measure "import --history" "$Q" --db "$DB" --as bench import --history "$CSV"
}

step_verify() { measure "verify" "$Q" --db "$DB" verify; }

# The engine's floor: the engine's own shell loading the same CSV into one
# table and indexing it, in one transaction like the import (SQLite's
# `.import`; PostgreSQL's COPY through psql).
step_floor() {
    if [ "$BACKEND" = postgres ]; then
        command -v psql >/dev/null || return 0
        remake qz_floor
        local cols
        cols=$(head -1 "$CSV" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%sc%d text", (i > 1 ? ", " : ""), i }')
        psql -qX "$(on_database qz_floor)" -c "CREATE TABLE v ($cols)" >/dev/null
        measure "floor: psql COPY + index" psql -qX "$(on_database qz_floor)" -v ON_ERROR_STOP=1 \
            -c "BEGIN" -c "\\copy v FROM '$CSV' WITH (FORMAT csv, HEADER true)" \
            -c "CREATE INDEX v_by_date ON v (c1, c2)" -c "COMMIT"
        psql -qX "$BENCH_PG" -c "DROP DATABASE IF EXISTS qz_floor WITH (FORCE)" >/dev/null
        return 0
    fi
    command -v sqlite3 >/dev/null || return 0
    rm -f "$WORK/floor.db"
    measure "floor: sqlite3 .import + index" sqlite3 "$WORK/floor.db" \
        "PRAGMA page_size = 16384;" "BEGIN;" ".mode csv" ".import $CSV v" \
        "CREATE INDEX v_by_date ON v (date, voucher);" "COMMIT;"
    rm -f "$WORK/floor.db"
}

step_export_ledger() {
    [ -f "$WORK/bench.journal" ] || q export --format ledger -o "$WORK/bench.journal"
}

step_ledger() {
    command -v ledger >/dev/null && [ "$N" -le "$LEDGER_MAX" ] || return 0
    step_export_ledger
    measure "ledger -f bench.journal bal" ledger -f "$WORK/bench.journal" bal
}

step_hledger() {
    command -v hledger >/dev/null && [ "${BENCH_HLEDGER:-1}" != 0 ] && [ "$N" -le 1000000 ] || return 0
    step_export_ledger
    measure "hledger -f bench.journal bal" hledger -f "$WORK/bench.journal" bal
}

step_bank() {
    # A cashier to import and match the statement.
    q --as bench person add 出纳甲 >/dev/null
    q --as bench person appoint 出纳甲 --role cashier --from 2026-01-01 >/dev/null
    q report bank-journal --month 2020-06 --format csv --plain >"$WORK/bank-journal.csv"
    awk -F, 'NR > 1 && $3 == "entry" && n < 5000 {
        n++; split($1, d, "-")
        printf "%s%s%s,S%06d,%s,%s,%s,%s\n", d[1], d[2], d[3], n, $4, ($6 == "0.00" ? "" : $6), ($7 == "0.00" ? "" : $7), $8
    }' "$WORK/bank-journal.csv" | sed '1i 交易日期,交易流水号,摘要,收入金额,支出金额,余额' >"$WORK/statement.csv"
    measure "bank import (5,000 lines)" "$Q" --db "$DB" --as 出纳甲 bank import "$WORK/statement.csv"
    measure "bank match" "$Q" --db "$DB" --as 出纳甲 bank match
}

step_reports() {
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
    # A year's journal as an Excel workbook (about 100,000 vouchers at 1M);
    # past 4M a year's lines overflow one sheet (1,048,576 rows): a month.
    local to=2020-12
    [ "$N" -le 4000000 ] || to=2020-01
    hyperfine -N --warmup 1 --runs 5 --style basic \
        "$Q --db $DB report journal --from 2020-01 --to $to --format xlsx -o $WORK/journal-2020.xlsx"
}

# Offices writing at once, each on a connection of its own: 1, 2 and 4 on
# ledgers of their own, then 4 on one ledger (they take turns on its chain
# head). Each line ends saying whether every write is there and every chain
# verifies.
step_writers() {
    [ "${BENCH_WRITERS:-1}" != 0 ] || return 0
    local db=$DB
    if [ "$BACKEND" = postgres ]; then
        remake qz_writers
        db=$(on_database qz_writers)
    else
        db=$WORK/writers.db
        rm -f "$db" "$db-journal"
    fi
    echo "writers (each preparing vouchers one command at a time):"
    for clients in 1 2 4; do "$WRITERS" "$db" "$clients" 500; done
    "$WRITERS" "$db" 4 250 --one-ledger
}

# The timed steps with the median of their rounds and its ratio to
# ledger-cli's `bal` of the same round, min–max over the rounds.
print_table() {
    echo
    echo "backend $BACKEND, N = $N, $ROUNDS round(s); ratio: to ledger-cli's bal in the same round"
    awk -F'\t' '
        { n[$1]++; wall[$1, n[$1]] = $2; rss[$1] = ($3 > rss[$1] ? $3 : rss[$1]); if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
        END {
            L = "ledger -f bench.journal bal"
            printf "%-40s %-18s %-10s %s\n", "step", "wall s (min-max)", "peak MB", "ratio to ledger (min-max)"
            for (i = 1; i <= k; i++) {
                s = order[i]; lo = hi = wall[s, 1]; rlo = 1e9; rhi = 0
                for (j = 1; j <= n[s]; j++) {
                    w = wall[s, j]; if (w < lo) lo = w; if (w > hi) hi = w
                    if (n[s] == n[L] && wall[L, j] > 0) { r = w / wall[L, j]; if (r < rlo) rlo = r; if (r > rhi) rhi = r }
                }
                ratio = (rhi > 0 ? sprintf("%.2f-%.2f", rlo, rhi) : "-")
                printf "%-40s %-18s %-10d %s\n", s, sprintf("%.2f-%.2f", lo, hi), rss[s], ratio
            }
        }' "$TABLE"
}

# --- the run ------------------------------------------------------------------

step_generate
for round in $(seq "$ROUNDS"); do
    [ "$ROUNDS" -gt 1 ] && echo "round $round:"
    step_import
    step_verify
    step_floor
    step_ledger
done
if [ "${BENCH_REPORTS:-1}" != 0 ]; then
    step_bank
    step_reports
fi
step_hledger
step_writers
print_table
