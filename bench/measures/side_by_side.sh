#!/usr/bin/env bash
# Side by side: bonepath's native CMS249/CMS645 against the reference CQL engine (cql-execution
# 3.3.2 + cql-exec-fhir 2.2.0) on the same patients, back to back in one run.
#
#  1. installs the reference engine from npm into bench/measures/.reference (once);
#  2. replicates each measure's official test cases to N patients (5,000; ids renamed per copy):
#     an NDJSON Bulk Data folder for bonepath, per-patient Bundles in batches of 500 for the
#     reference engine (which keeps every result in memory);
#  3. runs the reference engine, then bonepath (--threads 1) on the same patients, and checks
#     that both put every patient in the same populations;
#  4. runs bonepath alone on a larger population (100,000) to show memory stays flat;
#  5. prints patients per second per core (CPU seconds, user + system) and peak resident memory
#     of each, and their ratios at N and at BIG (both against the reference engine's rate at N),
#     with the load average before each measurement (the machine may be shared); writes the table
#     to $WORK/results.md.
#
# Fails (exit 1, after the table) when the two engines put any patient in different populations
# or either side lost a patient; stops at once when an engine fails.
#
# Usage: bench/measures/side_by_side.sh [BONEPATH_BINARY]
#   env: N (5000), BIG (100000), BATCH (500), MEASURES ("cms249 cms645"), WORK (/tmp/...)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BONEPATH="${1:-$ROOT/build/bonepath}"
N="${N:-5000}"
BIG="${BIG:-100000}"
BATCH="${BATCH:-500}"
MEASURES="${MEASURES:-cms249 cms645}"
WORK="${WORK:-${TMPDIR:-/tmp}/bonepath-bench-measures}"
REF="$HERE/.reference"
declare -A LIBRARY=([cms249]=AppropriateDXAScansForWomenUnder65FHIR
                    [cms645]=BoneDensityProstateCancerAndrogenDeprivationTherapyFHIR)

[ -x "$BONEPATH" ] || { echo "no bonepath binary at $BONEPATH (build it first)" >&2; exit 2; }
if [ ! -d "$REF/node_modules/cql-exec-fhir" ]; then
  mkdir -p "$REF"
  (cd "$REF" && printf '{"name":"bonepath-bench-reference","private":true}\n' > package.json &&
   npm install --no-audit --no-fund --save-exact cql-execution@3.3.2 cql-exec-fhir@2.2.0 >/dev/null)
fi
export NODE_PATH="$REF/node_modules" TZ=UTC
mkdir -p "$WORK"
cores=$(nproc)

# measure CMD...: runs CMD under GNU time; prints "cpu_seconds peak_kb wall_seconds". Fails (and
# so stops the script: callers use out=$(measure ...)) when CMD fails.
measure() {
  local t
  t=$(mktemp)
  if ! /usr/bin/time -f "%U %S %M %e" -o "$t" "$@" >/dev/null; then
    echo "side_by_side: FAILED: $*" >&2
    rm -f "$t"
    return 1
  fi
  awk '{printf "%.3f %d %.3f\n", $1 + $2, $3, $4}' "$t"
  rm -f "$t"
}
load() { cut -d' ' -f1 /proc/loadavg; }

{
  echo "# bonepath measure vs cql-execution 3.3.2 + cql-exec-fhir 2.2.0"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m), node $(node --version)."
  echo "Official test cases replicated to $N patients (reference engine in batches of $BATCH);"
  echo "bonepath alone on $BIG. Rates are patients per CPU-second (user + system), i.e. per core."
  echo
  echo "| measure | engine | patients | load avg | CPU s | patients/s per core | peak RSS MiB |"
  echo "|---|---|---:|---:|---:|---:|---:|"
} > "$WORK/results.md"
summary=""
status=0
for m in $MEASURES; do
  lib="${LIBRARY[$m]}"
  data="$WORK/$m-$N"
  if [ ! -d "$data/ndjson" ]; then
    rm -rf "$data"
    python3 "$HERE/make_population.py" "$ROOT/tests/data/ecqm/$m" "$N" "$data" --bundles "$BATCH"
  fi
  echo "[$m] reference engine on $N patients..." >&2
  ref_load=$(load)
  out=$(measure node "$HERE/run_reference.js" "$ROOT/bench/data/$m" "$lib" \
      "$ROOT/tests/data/valuesets/$m-valuesets-bundle.json" "$data/bundles" "$data/reference.jsonl")
  read -r ref_cpu ref_kb ref_wall <<< "$out"
  echo "[$m] bonepath on the same $N patients..." >&2
  "$BONEPATH" measure "${m^^}" "$data/ndjson" --report individual --threads 1 > "$data/bonepath.json"
  if ! python3 "$HERE/compare.py" "$data/reference.jsonl" "$data/bonepath.json" "$N" > "$data/compare.txt"; then
    status=1
    echo "side_by_side: ${m^^}: THE ENGINES DISAGREE (first differences below; all in $data/compare.txt)" >&2
    head -20 "$data/compare.txt" >&2
  fi
  same=$(tail -1 "$data/compare.txt")
  # bonepath is fast enough that one run is below the timer's resolution: repeat it.
  reps=20
  bp_load=$(load)
  out=$(measure bash -c "for i in \$(seq $reps); do '$BONEPATH' measure ${m^^} '$data/ndjson' --threads 1 >/dev/null || exit 1; done")
  read -r bp_cpu bp_kb bp_wall <<< "$out"
  bp_rate=$(awk -v n="$N" -v r="$reps" -v c="$bp_cpu" 'BEGIN{printf "%.0f", n*r/c}')
  ref_rate=$(awk -v n="$N" -v c="$ref_cpu" 'BEGIN{printf "%.1f", n/c}')
  big="$WORK/$m-$BIG"
  if [ ! -d "$big/ndjson" ]; then
    rm -rf "$big"
    python3 "$HERE/make_population.py" "$ROOT/tests/data/ecqm/$m" "$BIG" "$big"
  fi
  echo "[$m] bonepath alone on $BIG patients..." >&2
  big_load=$(load)
  out=$(measure "$BONEPATH" measure "${m^^}" "$big/ndjson" --threads 1)
  read -r big_cpu big_kb big_wall <<< "$out"
  bigp_load=$(load)
  out=$(measure "$BONEPATH" measure "${m^^}" "$big/ndjson" --threads "$cores")
  read -r bigp_cpu bigp_kb bigp_wall <<< "$out"
  big_rate=$(awk -v n="$BIG" -v c="$big_cpu" 'BEGIN{printf "%.0f", n/c}')
  {
    echo "| ${m^^} | reference (node, 1 thread) | $N | $ref_load | $ref_cpu | $ref_rate | $((ref_kb / 1024)) |"
    echo "| ${m^^} | bonepath --threads 1 | $N | $bp_load | $(awk -v c="$bp_cpu" -v r="$reps" 'BEGIN{printf "%.3f", c/r}') | $bp_rate | $((bp_kb / 1024)) |"
    echo "| ${m^^} | bonepath --threads 1 | $BIG | $big_load | $big_cpu | $big_rate | $((big_kb / 1024)) |"
    echo "| ${m^^} | bonepath --threads $cores | $BIG | $bigp_load | $bigp_cpu (wall $bigp_wall) | $(awk -v n="$BIG" -v c="$bigp_cpu" 'BEGIN{printf "%.0f", n/c}') | $((bigp_kb / 1024)) |"
  } >> "$WORK/results.md"
  summary+="${m^^}: bonepath $(awk -v a="$bp_rate" -v b="$ref_rate" 'BEGIN{printf "%.0f", a/b}')x the reference engine's patients/s per core at $N patients, "
  summary+="$(awk -v a="$big_rate" -v b="$ref_rate" 'BEGIN{printf "%.0f", a/b}')x at $BIG, "
  summary+="$(awk -v a="$ref_kb" -v b="$bp_kb" 'BEGIN{printf "%.0f", a/b}')x less peak memory at $N patients "
  summary+="(${bp_kb} KiB vs ${ref_kb} KiB; $((big_kb / 1024)) MiB at $BIG); populations: $same"$'\n'
done
{
  echo
  printf '%s' "$summary"
} >> "$WORK/results.md"
cat "$WORK/results.md"
if [ "$status" -ne 0 ]; then
  echo "side_by_side: FAILED: the engines put some patients in different populations (see above)" >&2
fi
exit $status
