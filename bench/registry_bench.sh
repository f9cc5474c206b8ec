#!/usr/bin/env bash
# Registry throughput: import N generated patients (default 100,000) and time `registry due`
# over them, on SQLite and (when BONEPATH_BENCH_PG_URL is set, or --pg to start a throwaway
# cluster like scripts/pg-test.sh) on PostgreSQL. Not part of CI: it takes a few minutes.
#
#   bench/registry_bench.sh [--pg] [BUILD_DIR] [N]
#
# Each generated patient is a native record with one injectable/infusion agent (denosumab,
# zoledronic acid, romosozumab or IV ibandronate) and a last dose spread over the past 14
# months, so the due list has every status. Prints wall times; nothing is kept.
set -euo pipefail

start_pg=0
if [[ ${1:-} == --pg ]]; then start_pg=1; shift; fi
build_dir=${1:-build}
n=${2:-100000}
bin=$(realpath "$build_dir/bonepath")
work=$(mktemp -d /tmp/bonepath-bench.XXXXXX)
chmod 755 "$work"
pg_data=""
cleanup() {
  if [[ -n "$pg_data" ]]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$n" > "$work/patients.ndjson" <<'PY'
import json, sys, datetime
n = int(sys.argv[1])
as_of = datetime.date(2026, 3, 1)
agents = [("denosumab", "subcutaneous"), ("zoledronic_acid", "intravenous"),
          ("romosozumab", "subcutaneous"), ("ibandronate", "intravenous")]
for i in range(n):
    agent, route = agents[i % 4]
    last = as_of - datetime.timedelta(days=(i * 37) % 420)
    rec = {"schema": "bonepath.patient/1", "id": f"bench-{i:06d}", "as_of": as_of.isoformat(),
           "sex": "female" if i % 3 else "male", "age_years": 55 + i % 35, "weight_kg": 50 + i % 40,
           "labs": [{"test": "creatinine", "value": 0.7 + (i % 10) / 10, "unit": "mg/dL",
                     "date": "2026-02-20"},
                    {"test": "calcium", "value": 9.2, "unit": "mg/dL", "date": "2026-02-20"},
                    {"test": "vitamin_d_25oh", "value": 18 + i % 30, "unit": "ng/mL",
                     "date": "2026-02-20"}],
           "bmd": [{"date": "2025-12-01", "site": "femoral_neck", "t_score": -1.5 - (i % 20) / 10}],
           "medications": [{"agent": agent, "status": "active", "route": route,
                            "last_dose": last.isoformat(), "doses_received": 1 + i % 5}]}
    print(json.dumps(rec))
PY

run() {  # label db
  local label=$1 db=$2
  local t0 t1 t2 t3
  t0=$(date +%s.%N)
  "$bin" registry --db "$db" import --ndjson "$work/patients.ndjson" --batch 1000 >/dev/null
  t1=$(date +%s.%N)
  "$bin" registry --db "$db" due --as-of 2026-03-01 --format json >"$work/due.json"
  t2=$(date +%s.%N)
  "$bin" registry --db "$db" due --as-of 2026-03-01 >/dev/null
  t3=$(date +%s.%N)
  local rows
  rows=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$work/due.json")
  printf '%-10s import %d patients: %6.1f s (%5.0f/s)   due (json, %d rows): %5.3f s   due (text): %5.3f s\n' \
    "$label" "$n" "$(echo "$t1 - $t0" | bc)" "$(echo "$n / ($t1 - $t0)" | bc -l)" "$rows" \
    "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)"
}

run sqlite "$work/bench.db"

pg_url=${BONEPATH_BENCH_PG_URL:-}
if [[ $start_pg -eq 1 && -z "$pg_url" ]]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pg_data="$work/pg"
  chown postgres: "$work"
  runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_data" -l "$work/pg.log" -w \
    -o "-h 127.0.0.1 -p 55433 -k $work" start >/dev/null
  runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p 55433 -U postgres bench
  pg_url="postgresql://postgres@127.0.0.1:55433/bench"
fi
if [[ -n "$pg_url" ]]; then run postgres "$pg_url"; fi
