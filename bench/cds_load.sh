#!/usr/bin/env bash
# Load test of the CDS Hooks service on loopback: throughput and p50/p99 latency of
#   1. patient-view with a ~20 KB prefetch (a shared Synthea request, padded to ~20 KB), and
#   2. order-sign of a zoledronic acid draft order (a critical renal card),
# each for DURATION seconds with wrk (Debian package `wrk`). The server runs with --no-auth
# (a JWT's jti may be used once, so a replayed token cannot drive a load generator); the JWT
# check costs one signature verification per call on top of these figures.
#
# Usage: bench/cds_load.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS]
# Loopback only; bounded in time (DURATION_S per scenario, default 10).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-cds}
duration=${2:-10}
conns=${3:-8}
bin=$build/bonepath
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$bin" ] || { echo "no $bin: build the bonepath target first" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; wait $srv 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

python3 - "$here" "$work" <<'PY'
import json, sys, copy
here, work = sys.argv[1], sys.argv[2]
req = json.load(open(f"{here}/tests/data/cds-hooks-requests/Cher186_Crooks415.json"))
req.pop("fhirServer", None)  # nothing to fetch: the prefetch is what the service gets
obs = {"resourceType": "Bundle", "type": "searchset", "entry": []}
i = 0
while len(json.dumps(req["prefetch"])) < 20000:
    obs["entry"].append({"resource": {"resourceType": "Observation", "id": f"o{i}", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2160-0"}]},
        "subject": {"reference": "Patient/" + req["context"]["patientId"]},
        "effectiveDateTime": "2026-01-%02d" % (1 + i % 28),
        "valueQuantity": {"value": 0.9 + i / 100, "unit": "mg/dL"}}})
    req["prefetch"]["Observation"] = obs
    i += 1
json.dump(req, open(f"{work}/patient-view.json", "w"))
print("patient-view prefetch bytes:", len(json.dumps(req["prefetch"])))
ob = lambda id, loinc, v, u: {"resource": {"resourceType": "Observation", "id": id, "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]}, "subject": {"reference": "Patient/p1"},
    "effectiveDateTime": "2026-11-01", "valueQuantity": {"value": v, "unit": u}}}
draft = {"resourceType": "MedicationRequest", "id": "d1", "status": "draft", "intent": "order",
    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "705824"}]},
    "subject": {"reference": "Patient/p1"}}
sign = {"hook": "order-sign", "hookInstance": "11111111-2222-4333-8444-555555555555",
    "context": {"userId": "Practitioner/1", "patientId": "p1",
        "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": draft}]}},
    "prefetch": {"patient": {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1955-01-01"},
        "observations": {"resourceType": "Bundle", "type": "searchset",
            "entry": [ob("w", "29463-7", 35.9, "kg"), ob("cr", "2160-0", 1.0, "mg/dL")]}}}
json.dump(sign, open(f"{work}/order-sign.json", "w"))
PY

"$bin" serve --no-auth --host 127.0.0.1 --port "$port" --db "$work/bench.db" \
  --public-url "http://127.0.0.1:$port" 2>"$work/serve.log" &
srv=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

for scenario in patient-view order-sign; do
  cat > "$work/$scenario.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$work/$scenario.json", "rb")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT $scenario requests=%d errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
  curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$work/$scenario.json" \
    -o "$work/$scenario.out" "http://127.0.0.1:$port/cds-services/bonepath-$scenario"
  echo "$scenario: $(head -c 160 "$work/$scenario.out")..."
  wrk -t2 -c"$conns" -d"${duration}s" --latency -s "$work/$scenario.lua" \
    "http://127.0.0.1:$port/cds-services/bonepath-$scenario" | grep -E "RESULT|Requests/sec|Latency|99%|50%"
done
