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
total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/log")
# How many times the loop called Engine::Assess, from callgrind's call arcs.
calls=$(callgrind_annotate --tree=calling "$out/cg" 2>/dev/null |
  grep -E '> .*bp::Engine::Assess\(' | sed -E 's/.*\(([0-9,]+)x\).*/\1/' | tr -d , | head -1)
[[ -n $total && -n $calls && $calls -gt 0 ]] || { echo "instructions.sh: no callgrind data" >&2; exit 1; }
echo "engine, V22 record: $((total / calls)) instructions per assessment, decided and destroyed" \
  "($calls assessments, callgrind, warm)"
