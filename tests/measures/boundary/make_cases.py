#!/usr/bin/env python3
"""Boundary cases for CMS249 and CMS645: official test cases (tests/data/ecqm) with one fact moved
across one boundary of the measure logic (age limits, period edges at day precision and with zone
offsets, window edges of "3 months or less on or after" and "2 years or less before", statuses,
thresholds, cumulative medication days). Each case's expected populations come from the reference
engine (cql-execution 3.3.2 + cql-exec-fhir 2.2.0, run by bench/measures/run_reference.js) and are
stored in the case as a test MeasureReport, like the official ones; tests/measures/deck_test.cc
runs them.

Usage (needs node and the npm packages that bench/measures/side_by_side.sh installs):
  NODE_PATH=bench/measures/node_modules python3 tests/measures/boundary/make_cases.py
"""
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
HERE = os.path.dirname(os.path.abspath(__file__))
MEASURES = {
    "cms249": "AppropriateDXAScansForWomenUnder65FHIR",
    "cms645": "BoneDensityProstateCancerAndrogenDeprivationTherapyFHIR",
}


def base(measure, key):
    f = glob.glob(os.path.join(ROOT, "tests/data/ecqm", measure, "*%s*" % key))[0]
    with open(f, encoding="utf-8") as fh:
        b = json.load(fh)
    b["entry"] = [e for e in b["entry"] if e["resource"]["resourceType"] != "MeasureReport"]
    return b


def res(b, rtype, n=0):
    return [e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == rtype][n]


def variant(measure, key, name, description, change):
    b = copy.deepcopy(base(measure, key))
    change(b)
    pid = res(b, "Patient")["id"]
    new_pid = "%s-%s" % (pid[:8], name)
    text = json.dumps(b).replace(pid, new_pid)
    b = json.loads(text)
    b["id"] = "boundary-%s" % name
    return name, description, b


def setp(path, value):
    """A change that sets resource field(s): path is 'Type.field[.sub...]'."""
    def f(b):
        rtype, *keys = path.split(".")
        r = res(b, rtype)
        for k in keys[:-1]:
            r = r.setdefault(k, {})
        r[keys[-1]] = value
    return f


def seq(*fs):
    def f(b):
        for g in fs:
            g(b)
    return f


def cms249_cases():
    m = "cms249"
    out = []
    # Age in whole years at the start of the period: Interval[50, 63].
    for birth, label in [("1975-01-02", "age-49"), ("1974-12-31", "age-50"), ("1961-01-02", "age-63"),
                         ("1961-01-01", "age-64")]:
        out.append(variant(m, "56236023", label, "born %s: %s at 2025-01-01" % (birth, label),
                           setp("Patient.birthDate", birth)))
    # Qualifying encounter: period during day of the measurement period.
    for period, label in [
        ({"start": "2024-12-31T23:00:00.000Z", "end": "2025-01-01T00:15:00.000Z"}, "enc-starts-before-mp"),
        ({"start": "2025-01-01T00:00:00.000Z", "end": "2025-01-01T00:15:00.000Z"}, "enc-starts-at-mp"),
        ({"start": "2025-12-31T23:00:00.000Z", "end": "2025-12-31T23:59:59.999Z"}, "enc-ends-at-mp-end"),
        ({"start": "2025-12-31T23:00:00.000Z", "end": "2026-01-01T00:10:00.000Z"}, "enc-ends-after-mp"),
        ({"start": "2025-01-01T00:30:00.000+05:00", "end": "2025-01-01T01:00:00.000+05:00"}, "enc-tz-east"),
        ({"start": "2024-12-31T20:00:00.000-05:00", "end": "2024-12-31T21:00:00.000-05:00"}, "enc-tz-west"),
        ({"start": "2025-01-01", "end": "2025-01-01"}, "enc-date-only"),
        ({"end": "2025-03-01T10:00:00.000Z"}, "enc-no-start"),
    ]:
        out.append(variant(m, "56236023", label, "encounter period %s" % json.dumps(period),
                           setp("Encounter.period", period)))
    for status in ["cancelled", "in-progress", "planned"]:
        out.append(variant(m, "56236023", "enc-status-" + status, "encounter status " + status,
                           setp("Encounter.status", status)))
    out.append(variant(m, "56236023", "gender-unknown", "gender unknown", setp("Patient.gender", "unknown")))
    # DXA order authoredOn during the measurement period (no precision).
    for authored, label in [("2024-12-31", "dxa-day-before-mp"), ("2025-01-01", "dxa-first-day-date"),
                            ("2025-01-01T00:00:00.000Z", "dxa-first-instant"),
                            ("2024-12-31T23:59:59.999Z", "dxa-last-instant-before"),
                            ("2025-12-31", "dxa-last-day-date"), ("2025-12-31T23:59:59.999Z", "dxa-last-instant"),
                            ("2026-01-01", "dxa-day-after-mp"), ("2025-06-01T10:00:00+14:00", "dxa-tz")]:
        out.append(variant(m, "d939cf15", label, "DXA order authoredOn " + authored,
                           setp("ServiceRequest.authoredOn", authored)))
    for field, value in [("status", "draft"), ("status", "revoked"), ("intent", "plan")]:
        out.append(variant(m, "d939cf15", "dxa-%s-%s" % (field, value), "DXA order %s %s" % (field, value),
                           setp("ServiceRequest." + field, value)))
    # Risk assessment before the first DXA order (DXA authoredOn 2025-01-02, a date).
    for eff, label in [("2025-01-02", "orai-same-day"), ("2025-01-01T23:59:59.000Z", "orai-before-day"),
                       ("2025-01-02T00:00:00.000Z", "orai-day-start"), ("2025-01-01", "orai-day-before")]:
        out.append(variant(m, "30cb1708", label, "ORAI effective " + eff, setp("Observation.effectiveDateTime", eff)))
    out.append(variant(m, "30cb1708", "orai-8", "ORAI 8 (threshold 9)", setp("Observation.valueInteger", 8)))
    out.append(variant(m, "30cb1708", "orai-no-survey", "ORAI without the survey category",
                       setp("Observation.category", [])))
    out.append(variant(m, "30cb1708", "orai-preliminary", "ORAI preliminary", setp("Observation.status", "preliminary")))
    out.append(variant(m, "76b79115", "frax-8.3", "FRAX 8.3 %", setp("Observation.valueQuantity.value", 8.3)))
    out.append(variant(m, "76b79115", "frax-8.4", "FRAX 8.4 %", setp("Observation.valueQuantity.value", 8.4)))
    out.append(variant(m, "65ebfa3e", "osiris-1.0", "OSIRIS 1.0", setp("Observation.valueQuantity.value", 1.0)))
    out.append(variant(m, "d665702b", "ost-2.0", "OST 2.0", setp("Observation.valueQuantity.value", 2.0)))
    out.append(variant(m, "d665702b", "ost-1.99", "OST 1.99", setp("Observation.valueQuantity.value", 1.99)))
    # Osteoporosis / osteopenia starting before the period.
    for onset, label in [("2024-12-31", "osteoporosis-onset-day-before"), ("2025-01-01", "osteoporosis-onset-first-day"),
                         ("2024-12-31T23:59:59.999Z", "osteoporosis-onset-last-instant-before"),
                         ("2025-01-01T00:00:00.000Z", "osteoporosis-onset-first-instant")]:
        out.append(variant(m, "00aebb4a", label, "osteoporosis onset " + onset,
                           seq(lambda b: res(b, "Condition").pop("onsetPeriod", None),
                               setp("Condition.onsetDateTime", onset))))
    out.append(variant(m, "00aebb4a", "osteoporosis-inactive", "osteoporosis inactive, no abatement",
                       setp("Condition.clinicalStatus", {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "inactive"}]})))
    # History conditions starting on or before the day of the end of the period.
    for onset, label in [("2025-12-31", "lupus-onset-last-day"), ("2025-12-31T23:59:59.999Z", "lupus-onset-last-instant"),
                         ("2026-01-01", "lupus-onset-day-after"), ("2026-01-01T02:00:00+05:00", "lupus-onset-tz")]:
        out.append(variant(m, "47e993ec", label, "lupus onset " + onset,
                           seq(lambda b: res(b, "Condition").pop("onsetPeriod", None),
                               setp("Condition.onsetDateTime", onset))))
    # Procedures in history: performed ends on or before the day of the end of the period.
    for perf, label in [({"start": "2025-12-31T20:00:00.000Z", "end": "2025-12-31T23:59:00.000Z"}, "chemo-ends-last-day"),
                        ({"start": "2025-12-31T20:00:00.000Z", "end": "2026-01-01T00:01:00.000Z"}, "chemo-ends-day-after"),
                        ({"start": "2025-12-31T20:00:00.000Z"}, "chemo-open-end")]:
        out.append(variant(m, "138f84fa", label, "chemotherapy performed " + json.dumps(perf),
                           seq(lambda b: res(b, "Procedure").pop("performedDateTime", None),
                               setp("Procedure.performedPeriod", perf))))
    out.append(variant(m, "138f84fa", "chemo-in-progress", "chemotherapy in progress", setp("Procedure.status", "in-progress")))
    # Glucocorticoid active days (>= 90), from the dosage bounds.
    for end, label in [("2025-03-30T00:00:00.000Z", "gc-89-days"), ("2025-03-31T00:00:00.000Z", "gc-90-days"),
                       ("2025-03-31", "gc-90-days-date")]:
        out.append(variant(m, "a0dde151", label, "glucocorticoid bounds end " + end,
                           setp("MedicationRequest.dosageInstruction", [{"timing": {"repeat": {"boundsPeriod": {
                               "start": "2025-01-01T00:00:00.000Z", "end": end}}}}])))
    out.append(variant(m, "a0dde151", "gc-supply-90", "glucocorticoid 90 days supplied from 2025-10-03",
                       seq(setp("MedicationRequest.dosageInstruction", [{"timing": {"repeat": {"boundsPeriod": {"start": "2025-10-03T00:00:00.000Z"}}}}]),
                           setp("MedicationRequest.dispenseRequest", {"expectedSupplyDuration": {"value": 90, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}}))))
    out.append(variant(m, "a0dde151", "gc-supply-90-late", "glucocorticoid 90 days supplied from 2025-10-04 (89 in the period)",
                       seq(setp("MedicationRequest.dosageInstruction", [{"timing": {"repeat": {"boundsPeriod": {"start": "2025-10-04T00:00:00.000Z"}}}}]),
                           setp("MedicationRequest.dispenseRequest", {"expectedSupplyDuration": {"value": 90, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}}))))
    out.append(variant(m, "a0dde151", "gc-quantity", "glucocorticoid 180 tablets, 2 a day",
                       seq(setp("MedicationRequest.dosageInstruction", [{"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d", "boundsPeriod": {"start": "2025-06-01T00:00:00.000Z"}}}, "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet", "system": "http://unitsofmeasure.org", "code": "{tablet}"}}]}]),
                           setp("MedicationRequest.dispenseRequest", {"quantity": {"value": 180, "unit": "tablet", "system": "http://unitsofmeasure.org", "code": "{tablet}"}}))))
    out.append(variant(m, "a0dde151", "gc-draft", "glucocorticoid request draft", setp("MedicationRequest.status", "draft")))
    # BMI <= 20 kg/m2 and drinks > 2 a day.
    out.append(variant(m, "b425f41d", "bmi-20", "BMI 20", setp("Observation.valueQuantity.value", 20)))
    out.append(variant(m, "b425f41d", "bmi-20.1", "BMI 20.1", setp("Observation.valueQuantity.value", 20.1)))
    out.append(variant(m, "b425f41d", "bmi-before-mp", "BMI before the period",
                       setp("Observation.effectiveDateTime", "2024-12-31T23:59:59.000Z")))
    out.append(variant(m, "aa36cead", "drinks-2", "2 drinks a day", setp("Observation.valueQuantity.value", 2)))
    out.append(variant(m, "aa36cead", "drinks-2.5", "2.5 drinks a day", setp("Observation.valueQuantity.value", 2.5)))
    return out


def shift_adt(when):
    """Moves the ADT medication request (authoredOn and bounds start) and the 12-month order."""
    def f(b):
        mr = res(b, "MedicationRequest")
        mr["authoredOn"] = when
        mr["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"] = {"start": when}
        res(b, "ServiceRequest")["authoredOn"] = when
    return f


def cms645_cases():
    m = "cms645"
    out = []
    # ADT (and its 12-month order) within [start of MP - 3 months, start of MP + 9 months], by day.
    for when, label in [("2024-10-01T10:00:00.000+00:00", "adt-window-first-day"),
                        ("2024-09-30T23:00:00.000+00:00", "adt-window-day-before"),
                        ("2024-10-01T01:00:00.000+05:00", "adt-window-tz-east"),
                        ("2024-09-30T22:00:00.000-05:00", "adt-window-tz-west"),
                        ("2025-10-01T10:00:00.000+00:00", "adt-window-last-day"),
                        ("2025-10-02T00:30:00.000+00:00", "adt-window-day-after")]:
        out.append(variant(m, "59743016", label, "ADT and 12-month order at " + when,
                           seq(shift_adt(when), setp("Observation.effectivePeriod", {"start": when}))))
    # The 12-month order on or after the day of the first ADT.
    out.append(variant(m, "59743016", "order-day-before-adt", "12-month order the day before the ADT",
                       setp("ServiceRequest.authoredOn", "2024-11-30T10:00:00.000+00:00") if False else
                       seq(shift_adt("2024-12-01T10:00:00.000+00:00"),
                           setp("ServiceRequest.authoredOn", "2024-11-30T10:00:00.000+00:00"))))
    out.append(variant(m, "59743016", "order-same-day-earlier", "12-month order earlier on the day of the ADT",
                       seq(shift_adt("2024-12-01T10:00:00.000+00:00"),
                           setp("ServiceRequest.authoredOn", "2024-12-01T01:00:00.000+00:00"))))
    for field, value in [("status", "draft"), ("intent", "plan"), ("doNotPerform", True)]:
        out.append(variant(m, "59743016", "order-%s-%s" % (field, value), "12-month order %s %s" % (field, value),
                           setp("ServiceRequest." + field, value)))
    # DEXA 3 months or less on or after the ADT (ADT 2024-10-01T10:00Z), by day.
    for eff, label in [({"start": "2025-01-01T10:00:00.000+00:00"}, "dexa-after-3-months"),
                       ({"start": "2025-01-02T00:00:00.000+00:00"}, "dexa-after-3-months-1-day"),
                       ({"start": "2024-10-01T00:00:00.000+00:00"}, "dexa-same-day-earlier")]:
        out.append(variant(m, "59743016", label, "DEXA effectivePeriod " + json.dumps(eff),
                           setp("Observation.effectivePeriod", eff)))
    # DEXA 2 years or less before the ADT: the end of the effective time, by day.
    for eff, label in [("2022-10-01T10:00:00.000+00:00", "dexa-before-2-years"),
                       ("2022-09-30T10:00:00.000+00:00", "dexa-before-2-years-1-day"),
                       ("2024-09-30T23:59:00.000+00:00", "dexa-day-before-adt")]:
        out.append(variant(m, "59743016", label, "DEXA effectiveDateTime " + eff,
                           seq(lambda b: res(b, "Observation").pop("effectivePeriod", None),
                               setp("Observation.effectiveDateTime", eff))))
    out.append(variant(m, "59743016", "dexa-preliminary", "DEXA preliminary", setp("Observation.status", "preliminary")))
    # Prostate cancer: active, confirmed, prevalence containing the ADT day and overlapping the MP.
    out.append(variant(m, "59743016", "pca-unconfirmed", "prostate cancer unconfirmed",
                       setp("Condition.verificationStatus", {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "unconfirmed"}]})))
    out.append(variant(m, "59743016", "pca-onset-after-adt", "prostate cancer onset the day after the ADT",
                       seq(lambda b: res(b, "Condition").pop("onsetPeriod", None),
                           setp("Condition.onsetDateTime", "2024-10-02T00:00:00.000+00:00"))))
    out.append(variant(m, "59743016", "pca-onset-adt-day", "prostate cancer onset on the ADT day, later",
                       seq(lambda b: res(b, "Condition").pop("onsetPeriod", None),
                           setp("Condition.onsetDateTime", "2024-10-01T23:00:00.000+00:00"))))
    out.append(variant(m, "59743016", "enc-in-progress", "office visit in progress", setp("Encounter.status", "in-progress")))
    out.append(variant(m, "59743016", "enc-before-mp", "office visit before the period",
                       setp("Encounter.period", {"start": "2024-12-31T23:00:00.000+00:00", "end": "2024-12-31T23:30:00.000+00:00"})))
    return out


def main():
    node_path = os.environ.get("NODE_PATH") or os.path.join(ROOT, "bench/measures/node_modules")
    for measure, gen in [("cms249", cms249_cases), ("cms645", cms645_cases)]:
        cases = gen()
        outdir = os.path.join(HERE, measure)
        os.makedirs(outdir, exist_ok=True)
        for f in glob.glob(os.path.join(outdir, "*.json")):
            os.remove(f)
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "b"))
            with open(os.path.join(tmp, "b", "batch.json"), "w", encoding="utf-8") as f:
                json.dump([b for _, _, b in cases], f)
            subprocess.run(["node", os.path.join(ROOT, "bench/measures/run_reference.js"),
                            os.path.join(ROOT, "bench/data", measure), MEASURES[measure],
                            os.path.join(ROOT, "tests/data/valuesets/%s-valuesets-bundle.json" % measure),
                            os.path.join(tmp, "b"), os.path.join(tmp, "ref.jsonl")],
                           check=True, env=dict(os.environ, NODE_PATH=node_path, TZ="UTC"),
                           )
            ref = {}
            with open(os.path.join(tmp, "ref.jsonl"), encoding="utf-8") as f:
                for line in f:
                    r = json.loads(line)
                    ref[r["id"]] = r["populations"]
        for name, desc, b in cases:
            pid = res(b, "Patient")["id"]
            pops = ref[pid]
            b["entry"].append({"resource": {
                "resourceType": "MeasureReport", "id": "expected-" + name, "status": "complete",
                "type": "individual", "measure": "https://madie.cms.gov/Measure/" + MEASURES[measure],
                "period": {"start": "2025-01-01", "end": "2025-12-31"},
                "extension": [{"url": "http://hl7.org/fhir/us/cqfmeasures/StructureDefinition/cqfm-testCaseDescription",
                               "valueMarkdown": desc + " (expected: cql-execution 3.3.2)"}],
                "group": [{"population": [{"code": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/measure-population", "code": c}]}, "count": v} for c, v in pops.items()]}]}})
            with open(os.path.join(outdir, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(b, f, indent=1)
                f.write("\n")
        print(measure, len(cases), "cases")


if __name__ == "__main__":
    sys.exit(main())
