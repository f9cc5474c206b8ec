#!/usr/bin/env python3
"""Replicates the official test cases of a measure (tests/data/ecqm/<measure>/) to N patients.

Every copy renames the ids of its resources (patient and every other resource, with the
references to them) by a suffix, so that copies never collide. The MeasureReport of each case is
dropped (it is the expected result, not patient data).

Writes, in OUT:
  ndjson/<Type>.ndjson         one resource a line, grouped by type (a Bulk Data export folder)
  bundles/batch-NNNN.json      (with --bundles) JSON arrays of per-patient Bundles, BATCH patients
                               each, for the reference engine (cql-exec-fhir wants one Bundle a
                               patient)
Usage: make_population.py MEASURE_DIR N OUT [--bundles BATCH]
"""
import json
import os
import sys


def load_cases(folder):
    cases = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            b = json.load(f)
        res = [e["resource"] for e in b.get("entry", []) if e.get("resource", {}).get("resourceType") != "MeasureReport"]
        cases.append(res)
    return cases


def rename(obj, ids, suffix):
    if isinstance(obj, dict):
        return {k: rename(v, ids, suffix) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rename(v, ids, suffix) for v in obj]
    if isinstance(obj, str):
        if obj in ids:
            return obj + suffix
        slash = obj.rfind("/")
        if slash >= 0 and obj[slash + 1:] in ids:
            return obj + suffix
        if obj.startswith("urn:uuid:") and obj[9:] in ids:
            return obj + suffix
    return obj


def main():
    folder, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    batch = 0
    if "--bundles" in sys.argv:
        batch = int(sys.argv[sys.argv.index("--bundles") + 1])
    cases = load_cases(folder)
    # Templates: the case's resources as text with the ids marked, so that a copy is a replace.
    templates = []
    for res in cases:
        ids = {r["id"] for r in res if "id" in r}
        # Also the last segment of fullUrl-style references inside the case (e.g. Encounter/Encounter-27).
        marked = rename(res, ids, "\u0000")
        templates.append([json.dumps(r, separators=(",", ":"), ensure_ascii=False) for r in marked])
    os.makedirs(os.path.join(out, "ndjson"), exist_ok=True)
    if batch:
        os.makedirs(os.path.join(out, "bundles"), exist_ok=True)
    files = {}
    bundles, batch_no = [], 0
    for i in range(n):
        tpl = templates[i % len(templates)]
        suffix = "-c%d" % (i // len(templates))
        lines = [t.replace("\\u0000", suffix) for t in tpl]
        if batch:
            bundles.append('{"resourceType":"Bundle","type":"collection","entry":[' + ",".join('{"resource":%s}' % l for l in lines) + "]}")
            if len(bundles) == batch or i == n - 1:
                with open(os.path.join(out, "bundles", "batch-%04d.json" % batch_no), "w", encoding="utf-8") as f:
                    f.write("[" + ",".join(bundles) + "]")
                bundles, batch_no = [], batch_no + 1
        for l in lines:
            t = l[l.index('"resourceType":"') + 16:]
            t = t[: t.index('"')]
            f = files.get(t)
            if f is None:
                f = files[t] = open(os.path.join(out, "ndjson", t + ".ndjson"), "w", encoding="utf-8")
            f.write(l + "\n")
    for f in files.values():
        f.close()


if __name__ == "__main__":
    main()
