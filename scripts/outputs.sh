#!/usr/bin/env bash
# Writes bonepath's output for every golden case, public vignette and example, in every format
# and under every shipped profile, and for the FHIR bundles and Bulk Data export in tests/data,
# into OUT_DIR: run it before and after an engine change and
# compare with `diff -r` (engine work is expected to keep outputs byte-identical unless the
# change is meant to alter them).
#
#   scripts/outputs.sh /tmp/before             # with build/bonepath
#   scripts/outputs.sh /tmp/after path/to/bonepath
#   diff -r /tmp/before /tmp/after
set -euo pipefail
out=${1:?usage: scripts/outputs.sh OUT_DIR [BONEPATH]}
bin=${2:-build/bonepath}
root=$(cd "$(dirname "$0")/.." && pwd)
[[ -x $bin ]] || { echo "outputs.sh: $bin is not an executable (build first)" >&2; exit 2; }
inputs=$(mktemp -d)
trap 'rm -rf "$inputs"' EXIT

# Golden cases are a base record with an RFC 7386 merge patch each (tests/integration/golden_test.cc).
python3 - "$root" "$inputs" <<'PY'
import copy, glob, json, os, sys
root, dest = sys.argv[1], sys.argv[2]
def merge(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    target = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge(target.get(k), v)
    return target
n = 0
def write(record):
    global n
    with open(os.path.join(dest, f"{n:04d}.json"), "w") as f:
        json.dump(record, f)
    n += 1
for path in sorted(glob.glob(os.path.join(root, "tests/cases/*.json"))):
    doc = json.load(open(path))
    for case in doc.get("cases", []):
        write(merge(doc["base"], case.get("patch", {})))
for path in sorted(glob.glob(os.path.join(root, "tests/vignettes/public/*.json"))):
    write(json.load(open(path))["patient"])
for path in sorted(glob.glob(os.path.join(root, "examples/*.json"))):
    write(json.load(open(path)))
PY

profiles=$(python3 -c 'import json,sys; print(" ".join(p["name"] for p in json.load(open(sys.argv[1]))["profiles"]))' \
  "$root/knowledge/profiles.json")
mkdir -p "$out"
count=0
for f in "$inputs"/*.json; do
  b=$(basename "$f" .json)
  for fmt in json text markdown html; do
    for prof in $profiles; do
      # The exit status is part of the output; the assessment date is the record's own.
      rc=0
      "$bin" assess --format "$fmt" --profile "$prof" "$f" >"$out/$b.$fmt.$prof" 2>&1 || rc=$?
      echo "exit $rc" >>"$out/$b.$fmt.$prof"
      count=$((count + 1))
    done
  done
done
# FHIR input: the Synthea bundles, the eCQM test bundles and every patient of the Bulk Data
# export, at a fixed assessment date (a bundle has none of its own), under the default profile.
fhir_dir="$out/fhir"
mkdir -p "$fhir_dir"
run_fhir() {  # NAME, then the arguments after `assess --format FMT`
  local name=$1 fmt rc
  shift
  for fmt in json html; do
    rc=0
    "$bin" assess --format "$fmt" --as-of 2026-12-01 "$@" >"$fhir_dir/$name.$fmt" 2>&1 || rc=$?
    echo "exit $rc" >>"$fhir_dir/$name.$fmt"
    count=$((count + 1))
  done
}
for f in "$root"/tests/data/synthea-r4/*.json "$root"/tests/data/ecqm/*/*.json; do
  run_fhir "$(basename "$(dirname "$f")")-$(basename "$f" .json)" "$f"
done
bulk="$root/tests/data/bulk-10-patients"
for id in $(python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in open(sys.argv[1]) if l.strip()]' \
  "$bulk/Patient.000.ndjson"); do
  run_fhir "bulk-$id" --patient "$id" "$bulk"
done
echo "outputs.sh: $count outputs in $out"
