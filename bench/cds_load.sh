#!/usr/bin/env bash
# Load test of the CDS Hooks service on loopback with JWT auth on, as an EHR calls it: every
# patient-view call (a shared Synthea request with a ~20 KB prefetch) carries a fresh ES384 token
# with its own jti (bench/cds_loadgen.cc signs them before the timed phase). Requests are sent
# open-loop at fixed rates; latency counts from each request's scheduled time. Prints p50/p99 per
# rate and the first rate at which p99 exceeds 10 ms, and the server's CPU time per call (user +
# system seconds of the server process over the calls sent at that rate: robust on a busy
# machine, unlike latency). Server and generator share the machine's cores (say so when
# reporting figures).
#
# Usage: bench/cds_load.sh [BUILD_DIR] [DURATION_S] [RATES] [CONNECTIONS]
#   e.g. bench/cds_load.sh build 10 "250 500 750 1000 1500" 16
# Loopback only; bounded in time (DURATION_S per rate, default 10).
# BONEPATH_SERVE_ARGS: more options for `bonepath serve` (e.g. "--threads 4"), split on spaces.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
duration=${2:-10}
rates=${3:-"250 500 750 1000 1500 2000"}
conns=${4:-16}
bin=$build/bonepath-server
gen=$build/cds_loadgen
[ -x "$bin" ] || { echo "no $bin: build the bonepath_server target first" >&2; exit 2; }
[ -x "$gen" ] || { echo "no $gen: build the cds_loadgen target first" >&2; exit 2; }

work=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; [ -n "$srv" ] && wait $srv 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

python3 - "$here" "$work" <<'PY'
import json, sys
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
PY

"$gen" make-key "$work"
"$bin" serve --host 127.0.0.1 --port "$port" --db "$work/bench.db" \
  --public-url "http://127.0.0.1:$port" --trusted-issuer "https://ehr.example.org=$work/jwks.json" \
  ${BONEPATH_SERVE_ARGS:-} 2>"$work/serve.log" &
srv=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

aud="http://127.0.0.1:$port/cds-services/bonepath-patient-view"
# The server's user + system CPU seconds so far (fields 14 and 15 of /proc/PID/stat, in ticks).
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$srv/stat"; }
crossed=
for rate in $rates; do
  before=$(cpu_s)
  line=$("$gen" run "$port" "$rate" "$duration" "$work/patient-view.json" "$work/private.pem" \
    "$aud" "$conns" || true)
  after=$(cpu_s)
  sent=$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' <<<"$line")
  per_call=$(awk -v a="$after" -v b="$before" -v n="${sent:-0}" \
    'BEGIN{if (n > 0) printf "%.2f", (a - b) * 1000 / n; else print "?"}')
  echo "$line server_cpu_ms_per_call=$per_call"
  p99=$(sed -n 's/.*p99_ms=\([0-9.]*\).*/\1/p' <<<"$line")
  if [ -z "$crossed" ] && [ -n "$p99" ] && awk -v p="$p99" 'BEGIN{exit !(p > 10)}'; then
    crossed=$rate
  fi
done
echo "p99 over 10 ms first at: ${crossed:-none of the rates tried} requests/s"
