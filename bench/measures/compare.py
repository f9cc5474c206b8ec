#!/usr/bin/env python3
"""Compares the populations of every patient: the reference engine's lines (run_reference.js)
against bonepath's individual MeasureReports (a Bundle). Prints each difference; exit 1 if any.
With EXPECTED, also fails unless both sides hold exactly that many patients.
Usage: compare.py REF.jsonl BONEPATH_BUNDLE.json [EXPECTED]"""
import json
import sys


def main():
    ref = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            ref[r["id"]] = r["populations"]
    with open(sys.argv[2], encoding="utf-8") as f:
        bundle = json.load(f)
    ours = {}
    for e in bundle["entry"]:
        mr = e["resource"]
        pid = mr["subject"]["reference"].split("/", 1)[1]
        ours[pid] = {p["code"]["coding"][0]["code"]: p["count"] for p in mr["group"][0]["population"]}
    diffs = 0
    for pid in sorted(set(ref) | set(ours)):
        a, b = ref.get(pid), ours.get(pid)
        if a is None or b is None:
            diffs += 1
            print("patient %s: only in %s" % (pid, "bonepath" if a is None else "reference"))
            continue
        for code in sorted(set(a) | set(b)):
            if a.get(code, 0) != b.get(code, 0):
                diffs += 1
                print("patient %s: %s reference=%s bonepath=%s" % (pid, code, a.get(code), b.get(code)))
    if len(sys.argv) > 3:
        want = int(sys.argv[3])
        for name, side in (("reference", ref), ("bonepath", ours)):
            if len(side) != want:
                diffs += 1
                print("%s has %d patients, expected %d" % (name, len(side), want))
    print("compared %d patients: %d differences" % (len(set(ref) | set(ours)), diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
