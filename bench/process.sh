#!/usr/bin/env bash
# Whole-process wall time of one `bonepath assess --format json` on the bundled example patient
# (start-up, embedded knowledge, reading, deciding, writing), measured with hyperfine. The target
# is under 5 ms. Prints the mean and the 95th percentile; asserts nothing.
#
#   bench/process.sh [BINARY] [PATIENT]
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${1:-build/bonepath}"
patient="${2:-examples/osteoporosis-recent-hip-fracture.json}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

hyperfine --warmup 20 --runs 200 -N --export-json "$out/result.json" \
  "$bin assess --format json $patient"

python3 - "$out/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
times = sorted(r["times"])
p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
print(f"bonepath assess --format json: mean {r['mean'] * 1e3:.2f} ms, "
      f"p95 {p95 * 1e3:.2f} ms, min {r['min'] * 1e3:.2f} ms over {len(times)} runs")
PY
