#!/usr/bin/env bash
# Instructions per engine assessment of the V22 record (warm), counted by callgrind over the
# benchmark loop of BM_AssessV22 (deciding and destroying the assessment): unlike wall-clock time,
# the count does not drift with the machine's load. Asserts nothing.
#
#   bench/instructions.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
  --toggle-collect='bp::(anonymous namespace)::BM_AssessV22*' \
  "$build/bench/engine_bench" --benchmark_filter='AssessV22' --benchmark_min_time=0.5 \
  >/dev/null 2>"$out/log"
# The loop body's callees, from callgrind's call tree: Engine::Assess and ~Assessment, each called
# once per iteration. Summing only those leaves out the set-up (knowledge loading, engine
# creation), whose share would otherwise depend on how many iterations the run made.
tree=$(callgrind_annotate --inclusive=yes --tree=calling "$out/cg" 2>/dev/null |
  awk '/\*  [^ ]*bench\/engine_bench.cc:bp::\(anonymous namespace\)::BM_AssessV22/ {p = 1; next}
       p && /^$/ {p = 0} p')  # reads to the end: an early exit would fail the pipeline
count() { grep -F "$1" <<<"$tree" | sed -E 's/^ *([0-9,]+) .*\(([0-9,]+)x\).*/\1 \2/' | tr -d , | head -1; }
read -r assess calls < <(count 'bp::Engine::Assess(')
read -r destroy dcalls < <(count 'bp::Assessment::~Assessment()')
[[ -n ${calls:-} && ${calls:-0} -gt 0 && ${dcalls:-} == "${calls:-}" ]] ||
  { echo "instructions.sh: no callgrind data" >&2; exit 1; }
total=$((assess + destroy))
echo "engine, V22 record: $((total / calls)) instructions per assessment, decided and destroyed" \
  "($calls assessments, callgrind, warm)"
