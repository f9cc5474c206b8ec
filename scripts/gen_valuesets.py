#!/usr/bin/env python3
"""Generates knowledge/valuesets/*.json, the code tables the FHIR reader (src/fhir) maps with.

Inputs: the pre-expanded eCQM value sets in tests/data/valuesets/ (a byte-identical copy of
shared/data/valuesets/, VSAC expansions from cqframework/ecqm-content-qicore-2024, CC0) and the
hand-kept tables of catalogue §1 written out below, each entry with its source. The generated
JSON is committed; re-run after changing this script:

    python3 scripts/gen_valuesets.py

Output format (read by src/fhir/codes.cc):
    {"description", "source_note",
     "codes":    [{"system", "code", "domain", "value", ...attributes, "display", "source"}],
     "prefixes": [{"system", "prefix", "domain", "value", ...attributes, "source"}],
     "names":    [{"pattern", "domain", "value", ...attributes, "source"}]}
system is one of loinc, sct, icd10cm, rxnorm, cpt; ICD-10 codes are stored without the dot.
"""
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VS_DIR = os.path.join(ROOT, "tests", "data", "valuesets")
OUT_DIR = os.path.join(ROOT, "knowledge", "valuesets")

SYSTEMS = {
    "http://snomed.info/sct": "sct",
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "http://loinc.org": "loinc",
    "http://www.ama-assn.org/go/cpt": "cpt",
    "http://www.cms.gov/Medicare/Coding/ICD10": "icd10pcs",
}


def load_valuesets():
    out = {}
    for f in sorted(os.listdir(VS_DIR)):
        if not f.endswith(".json"):
            continue
        measure = "CMS249" if "cms249" in f else "CMS645" if "cms645" in f else f
        with open(os.path.join(VS_DIR, f)) as fh:
            bundle = json.load(fh)
        for e in bundle["entry"]:
            r = e["resource"]
            oid = r["url"].rsplit("/", 1)[-1]
            out[r["name"]] = {
                "oid": oid,
                "title": r.get("title", r["name"]),
                "version": r.get("version", ""),
                "measure": measure,
                "contains": r.get("expansion", {}).get("contains", []),
            }
    return out


def norm_code(system, code):
    return code.replace(".", "").upper() if system.startswith("icd10") else code


def vs_entries(vs, name, domain, value_fn, systems=("sct", "icd10cm")):
    """Entries for every code of value set `name`; value_fn(display, code, system) -> value or
    (value, attrs) or None to skip."""
    v = vs[name]
    src = f"VSAC {v['oid']} {v['title']} ({v['measure']}, expansion {v['version']})"
    rows = []
    for c in v["contains"]:
        system = SYSTEMS.get(c["system"])
        if system not in systems:
            continue
        res = value_fn(c.get("display", ""), c["code"], system)
        if res is None:
            continue
        value, attrs = res if isinstance(res, tuple) else (res, {})
        row = {"system": system, "code": norm_code(system, c["code"]), "domain": domain,
               "value": value}
        row.update(attrs)
        row["display"] = c.get("display", "")
        row["source"] = src
        rows.append(row)
    return rows


def fracture_site(display):
    d = display.lower()
    if "vertebra" in d or "spine" in d or "vertebral" in d:
        return "vertebral"
    if "neck of femur" in d or "hip" in d or "proximal femur" in d:
        return "hip"
    if "femur" in d:
        return "femur"
    if "rib" in d.split() or "rib" in re.findall(r"[a-z]+", d):
        return "rib"
    if "wrist" in d:
        return "wrist"
    if "radius" in d or "forearm" in d or "ulna" in d:
        return "forearm"
    if "humerus" in d or "shoulder" in d:
        return "humerus"
    if "pelvis" in d or "pelvic" in d:
        return "pelvis"
    if "ankle" in d:
        return "ankle"
    if "lower leg" in d or "tibia" in d:
        return "tibia"
    if "clavicle" in d:
        return "clavicle"
    return "other"


# ICD-10-CM M80.x<site>: the 6th character after "M80.0"/"M80.8" is the site.
M80_SITES = {"1": "humerus", "2": "humerus", "3": "forearm", "4": "other", "5": "hip",
             "6": "tibia", "7": "ankle", "8": "vertebral", "A": "other", "B": "pelvis",
             "0": "other"}


def osteoporosis_tables(vs):
    codes = []

    def osteo(display, code, system):
        return "osteoporosis"

    codes += vs_entries(vs, "OsteoporosisWithoutCurrentFracture", "condition", osteo)
    codes += vs_entries(vs, "OsteoporosisWithCurrentFracture", "condition", osteo)

    def fx(display, code, system):
        d = display.lower()
        if system == "icd10cm":
            if not code.upper().startswith("M80"):
                return None
            c = code.replace(".", "").upper()
            site = M80_SITES.get(c[4] if len(c) > 4 else "0", "other")
            return site, {"osteoporotic": True}
        if "fracture" not in d and "collapse" not in d:
            return None
        site = fracture_site(display)
        attrs = {"osteoporotic": True}
        if site == "other" and not any(w in d for w in ("scapula", "hand", "foot", "fibula")):
            attrs["unsited"] = True  # merged with a site-coded fracture of the same date
        return site, attrs

    codes += vs_entries(vs, "OsteoporosisWithCurrentFracture", "fracture", fx)
    codes += vs_entries(vs, "OsteoporosisWithoutCurrentFracture", "fracture", fx)
    codes += vs_entries(vs, "Osteopenia", "condition", lambda d, c, s: "osteopenia")
    # De-duplicate (a code sits in both osteoporosis sets).
    seen, out = set(), []
    for r in codes:
        k = (r["system"], r["code"], r["domain"], r["value"])
        if k not in seen:
            seen.add(k)
            out.append(r)
    prefixes = [
        {"system": "icd10cm", "prefix": "M81", "domain": "condition", "value": "osteoporosis",
         "source": "catalogue §1.6 (ICD-10-CM M81 osteoporosis without current fracture)"},
        {"system": "icd10cm", "prefix": "M80", "domain": "condition", "value": "osteoporosis",
         "source": "catalogue §1.6 (ICD-10-CM M80 osteoporosis with current pathological fracture)"},
    ]
    for ch, site in M80_SITES.items():
        for p in ("M800", "M808"):
            prefixes.append({"system": "icd10cm", "prefix": p + ch, "domain": "fracture",
                             "value": site, "osteoporotic": True,
                             "source": "catalogue §1.6 (M80.0-/M80.8- by site character)"})
    # Synthea's traumatic-looking fracture codes (its osteoporosis module pairs them with
    # 443165006 on the same date) and the catalogue's traumatic codes used for low-trauma events.
    sct_fx = [
        ("5913000", "hip", "Fracture of neck of femur", "catalogue §1.6 [V]"),
        ("359817006", "hip", "Closed fracture of hip", "Synthea module code (SNOMED CT)"),
        ("263225007", "hip", "Fracture of neck of femur", "Synthea module code (SNOMED CT)"),
        ("65966004", "forearm", "Fracture of forearm", "Synthea module code (SNOMED CT)"),
        ("263102004", "wrist", "Fracture subluxation of wrist", "Synthea module code (SNOMED CT)"),
        ("58150001", "clavicle", "Fracture of clavicle", "Synthea module code (SNOMED CT)"),
        ("33737001", "rib", "Fracture of rib", "Synthea module code (SNOMED CT)"),
        ("16114001", "ankle", "Fracture of ankle", "Synthea module code (SNOMED CT)"),
        ("64572001", "other", "Condition (unsited)", "not used"),
        ("39937001", "other", "Skin tear", "not used"),
        ("271299001", "tibia", "Fracture of tibia", "SNOMED CT"),
        ("81639003", "vertebral", "Fracture of vertebral column", "SNOMED CT"),
        ("125605004", "other", "Fracture of bone", "SNOMED CT"),
        ("446847001", "vertebral", "Fracture of vertebra", "SNOMED CT"),
        ("269062008", "humerus", "Fracture of proximal humerus", "SNOMED CT"),
        ("15574005", "pelvis", "Fracture of pelvis", "SNOMED CT"),
        ("71642004", "other", "Fracture of skull", "SNOMED CT [P]"),
    ]
    for code, site, disp, src in sct_fx:
        if src == "not used":
            continue
        row = {"system": "sct", "code": code, "domain": "fracture", "value": site,
               "display": disp, "source": src}
        if code == "71642004":
            row["kind"] = "excluded_site"
        out.append(row)
    icd_fx = [("S720", "hip"), ("S721", "hip"), ("S722", "hip"), ("S220", "vertebral"),
              ("S320", "vertebral"), ("M485", "vertebral"), ("S525", "wrist"), ("S52", "forearm"),
              ("S422", "humerus"), ("S423", "humerus"), ("S421", "other"), ("S420", "clavicle"),
              ("S321", "pelvis"), ("S322", "pelvis"), ("S323", "pelvis"), ("S324", "pelvis"),
              ("S325", "pelvis"), ("S326", "pelvis"), ("S328", "pelvis"), ("S223", "rib"),
              ("S224", "rib"), ("S825", "ankle"), ("S826", "ankle"), ("S828", "ankle"),
              ("S82", "tibia"), ("S72", "femur")]
    for p, site in icd_fx:
        prefixes.append({"system": "icd10cm", "prefix": p, "domain": "fracture", "value": site,
                         "source": "catalogue §1.6 (ICD-10-CM injury codes used for low-trauma "
                                   "events; [P])"})
    # Catalogue §6 CONV-01: skull and face, fingers and toes are outside the fragility-fracture
    # definitions (dropped at import, listed as ignored); neoplastic or other-disease
    # pathological fractures are suspected pathologic [P].
    for p, note in [("S02", "S02 skull and facial bones"), ("S625", "S62.5 thumb"),
                    ("S626", "S62.6 other finger"), ("S924", "S92.4 great toe"),
                    ("S925", "S92.5 lesser toe")]:
        prefixes.append({"system": "icd10cm", "prefix": p, "domain": "fracture",
                         "value": "other", "kind": "excluded_site",
                         "source": f"catalogue §6 CONV-01 (ICD-10-CM {note}) [P]"})
    for p, note in [("M845", "M84.5 pathological fracture in neoplastic disease"),
                    ("M846", "M84.6 pathological fracture in other disease")]:
        prefixes.append({"system": "icd10cm", "prefix": p, "domain": "fracture",
                         "value": "other", "kind": "pathologic", "unsited": True,
                         "source": f"catalogue §6 CONV-01 (ICD-10-CM {note}) [P]"})
    prefixes.append({"system": "icd10cm", "prefix": "Z87310", "domain": "fracture",
                     "value": "other", "osteoporotic": True, "unsited": True,
                     "source": "catalogue §1.6 (Z87.310 personal history of osteoporosis "
                               "fracture) [V]"})
    # Catalogue §6 CONV-01: the mechanism from an external-cause code recorded with the fracture
    # (same encounter, or within the fracture merge window): a transport accident or a fall from
    # a height is high trauma; a fall on the same level, or from a height no greater than
    # standing (bed, chair, furniture: CALC-08 "fall from standing height or less"), is a
    # fragility fracture. A fall the code does not qualify (W19 unspecified, W10 stairs, W17
    # other fall from one level to another) leaves the mechanism unknown: "unknown" rows say so
    # explicitly, so that the reader can tell the code was read.
    conv = "catalogue §6 CONV-01 (ICD-10-CM {}) [P]"
    for i in range(100):
        prefixes.append({"system": "icd10cm", "prefix": f"V{i:02d}", "domain": "external_cause",
                         "value": "high_trauma",
                         "source": conv.format("V00-V99 transport accidents")})
    # V00.8-: accidents with wheelchairs, baby strollers and mobility scooters are pedestrian
    # conveyance codes, not vehicle crashes; the code alone does not say the energy.
    prefixes.append({"system": "icd10cm", "prefix": "V008", "domain": "external_cause",
                     "value": "unknown",
                     "source": conv.format("V00.8- wheelchair, stroller, mobility scooter: "
                                           "energy not stated")})
    for p, value, note in [
            ("W01", "fragility", "W01 fall on same level from slipping, tripping and stumbling"),
            ("W18", "fragility", "W18 other slipping, tripping and stumbling and falls"),
            ("W000", "fragility", "W00.0 fall on same level due to ice and snow"),
            ("W05", "fragility", "W05 fall from non-moving wheelchair or mobility scooter"),
            ("W06", "fragility", "W06 fall from bed"),
            ("W07", "fragility", "W07 fall from chair"),
            ("W08", "fragility", "W08 fall from other furniture"),
            ("W11", "high_trauma", "W11 fall on and from ladder"),
            ("W12", "high_trauma", "W12 fall on and from scaffolding"),
            ("W13", "high_trauma", "W13 fall from, out of or through building or structure"),
            ("W14", "high_trauma", "W14 fall from tree"),
            ("W15", "high_trauma", "W15 fall from cliff"),
            ("W10", "unknown", "W10 fall on and from stairs and steps: height not stated"),
            ("W17", "unknown", "W17 other fall from one level to another: height not stated"),
            ("W19", "unknown", "W19 unspecified fall: height not stated")]:
        prefixes.append({"system": "icd10cm", "prefix": p, "domain": "external_cause",
                         "value": value, "source": conv.format(note)})
    for code, value, disp in [("33036003", "fragility", "Fall on same level (event)"),
                              ("418399005", "high_trauma", "Motor vehicle accident (event)"),
                              ("1912002", "unknown", "Fall (event)"),
                              ("217082002", "unknown", "Accidental fall (event)")]:
        out.append({"system": "sct", "code": code, "domain": "external_cause", "value": value,
                    "display": disp,
                    "source": "catalogue §6 CONV-01 (SNOMED CT equivalent of the external "
                              "cause) [P]"})
    return out, prefixes


def condition_tables(vs):
    codes = []
    codes += vs_entries(vs, "Hyperparathyroidism", "condition", lambda d, c, s: "hyperparathyroidism")

    # Catalogue §6.E/§6.H.5: the generic code stays; a code that names the kind adds it.
    def hpt_kind(d, c, s):
        dl = d.lower()
        if "secondary" in dl or "renal" in dl or "vitamin d deficiency" in dl:
            return "secondary_hyperparathyroidism"
        if "primary" in dl or "parathyromatosis" in dl:
            return "primary_hyperparathyroidism"
        return None

    codes += vs_entries(vs, "Hyperparathyroidism", "condition", hpt_kind)
    codes += vs_entries(vs, "Hyperthyroidism", "condition", lambda d, c, s: "hyperthyroidism")

    def malab(d, c, s):
        dl = d.lower()
        if "celiac" in dl or "coeliac" in dl or c.replace(".", "") == "K900":
            return "celiac_disease"
        if "crohn" in dl or "ulcerative colitis" in dl or "colitis" in dl:
            return "inflammatory_bowel_disease"
        return "malabsorption"

    codes += vs_entries(vs, "MalabsorptionSyndromes", "condition", malab)
    codes += vs_entries(vs, "CushingsSyndrome", "condition", lambda d, c, s: "cushing_syndrome")

    def esrd(d, c, s):
        if "dialysis" in d.lower():
            return "dialysis"
        if "transplant" in d.lower():
            return "kidney_transplant"
        return "chronic_kidney_disease", {"stage": "G5"}

    codes += vs_entries(vs, "EndStageRenalDisease", "condition", esrd)
    # ESRD codes also mean CKD stage 5.
    codes += vs_entries(vs, "EndStageRenalDisease", "condition",
                        lambda d, c, s: ("chronic_kidney_disease", {"stage": "G5"})
                        if ("dialysis" in d.lower() or "transplant" in d.lower()) else None)
    codes += vs_entries(vs, "MultipleMyeloma", "condition", lambda d, c, s: "multiple_myeloma")
    codes += vs_entries(vs, "Type1Diabetes", "condition", lambda d, c, s: "type1_diabetes")
    codes += vs_entries(vs, "RheumatoidArthritis", "condition",
                        lambda d, c, s: "rheumatoid_arthritis")
    codes += vs_entries(vs, "EatingDisorders", "condition",
                        lambda d, c, s: "anorexia_nervosa" if "anorexia" in d.lower() else None)
    codes += vs_entries(vs, "KidneyTransplant", "condition", lambda d, c, s: "kidney_transplant",
                        systems=("sct", "icd10cm", "cpt", "icd10pcs"))
    codes += vs_entries(vs, "MajorTransplant", "condition", lambda d, c, s: "organ_transplant",
                        systems=("sct", "icd10cm", "cpt", "icd10pcs"))
    codes += vs_entries(vs, "GastricBypassSurgery", "condition",
                        lambda d, c, s: "bariatric_surgery", systems=("sct", "cpt"))
    codes += vs_entries(vs, "ProstateCancer", "condition", lambda d, c, s: "prostate_cancer")
    codes += vs_entries(vs, "PrematureMenopause", "menopause", lambda d, c, s: "postmenopausal")
    codes += vs_entries(vs, "BilateralOophorectomy", "menopause", lambda d, c, s: "postmenopausal",
                        systems=("sct", "icd10cm", "cpt", "icd10pcs"))
    codes += vs_entries(vs, "EvidenceofBilateralOophorectomy", "menopause",
                        lambda d, c, s: "postmenopausal")

    cat = "catalogue §1.6"
    sct = [
        ("431855005", "chronic_kidney_disease", {"stage": "G1"}, "CKD stage 1", cat),
        ("431856006", "chronic_kidney_disease", {"stage": "G2"}, "CKD stage 2", cat),
        ("433144002", "chronic_kidney_disease", {"stage": "G3"}, "CKD stage 3", cat),
        ("700378005", "chronic_kidney_disease", {"stage": "G3a"}, "CKD stage 3a", cat),
        ("700379002", "chronic_kidney_disease", {"stage": "G3b"}, "CKD stage 3b", cat),
        ("431857002", "chronic_kidney_disease", {"stage": "G4"}, "CKD stage 4", cat),
        ("433146000", "chronic_kidney_disease", {"stage": "G5"}, "CKD stage 5", cat),
        ("46177005", "chronic_kidney_disease", {"stage": "G5"}, "End-stage renal disease", cat),
        ("236435004", "dialysis", {}, "ESRF on dialysis", cat),
        ("94222008", "bone_metastases", {}, "Secondary malignant neoplasm of bone", cat),
        ("285618001", "bone_metastases", {}, "Metastasis to bone of unknown primary", cat),
        ("109989006", "multiple_myeloma", {}, "Multiple myeloma", cat),
        ("63305008", "esophageal_disorder", {}, "Stricture of esophagus", cat + " [V2]"),
        ("28670008", "upper_gi_disorder", {}, "Esophageal varices", cat + " [P]"),
        ("47270006", "cushing_syndrome", {}, "Hypercortisolism", cat),
        ("66999008", "hyperparathyroidism", {}, "Hyperparathyroidism", cat),
        ("312894000", "osteopenia", {}, "Osteopenia", cat),
        ("22298006", "myocardial_infarction", {}, "Myocardial infarction",
         "SNOMED CT (Synthea cardiovascular module)"),
        ("401303003", "myocardial_infarction", {}, "Acute ST segment elevation MI", "SNOMED CT"),
        ("401314000", "myocardial_infarction", {}, "Acute non-ST segment elevation MI",
         "SNOMED CT"),
        ("230690007", "stroke", {}, "Cerebrovascular accident",
         "SNOMED CT (Synthea stroke module)"),
        ("254837009", "breast_cancer", {}, "Malignant neoplasm of breast",
         "SNOMED CT (Synthea breast cancer module)"),
        ("77386006", "pregnancy", {}, "Pregnancy", "SNOMED CT"),
        ("72892002", "pregnancy", {}, "Normal pregnancy", "SNOMED CT (Synthea pregnancy module)"),
        ("36348003", "primary_hyperparathyroidism", {}, "Primary hyperparathyroidism",
         "SNOMED CT"),
        ("5758002", "bacteremia_or_endocarditis", {}, "Bacteremia", "SNOMED CT [P]"),
        ("56819008", "bacteremia_or_endocarditis", {}, "Endocarditis", "SNOMED CT [P]"),
        ("363346000", "active_malignancy", {}, "Malignant neoplastic disease",
         "SNOMED CT [P]"),
        ("254837009", "active_malignancy", {}, "Malignant neoplasm of breast",
         "SNOMED CT (Synthea breast cancer module)"),
        ("109989006", "active_malignancy", {}, "Multiple myeloma", cat),
        ("14669001", "acute_kidney_injury", {}, "Acute renal failure syndrome", "SNOMED CT"),
        ("128053003", "venous_thromboembolism", {}, "Deep venous thrombosis", "SNOMED CT"),
        ("59282003", "venous_thromboembolism", {}, "Pulmonary embolism", "SNOMED CT"),
        ("396331005", "celiac_disease", {}, "Celiac disease", cat),
        ("34000006", "inflammatory_bowel_disease", {}, "Crohn's disease", cat),
        ("64766004", "inflammatory_bowel_disease", {}, "Ulcerative colitis", cat),
        ("69896004", "rheumatoid_arthritis", {}, "Rheumatoid arthritis",
         "SNOMED CT (Synthea module)"),
        ("46635009", "type1_diabetes", {}, "Diabetes mellitus type 1", "SNOMED CT"),
    ]
    for code, value, attrs, disp, src in sct:
        row = {"system": "sct", "code": code, "domain": "condition", "value": value}
        row.update(attrs)
        row.update({"display": disp, "source": src})
        codes.append(row)
    pre = [
        ("M85", "osteopenia", {}, "M85.8- other disorders of bone density (osteopenia)"),
        ("E210", "hyperparathyroidism", {}, "E21.0 primary"),
        ("E210", "primary_hyperparathyroidism", {}, "E21.0 primary"),
        ("E211", "hyperparathyroidism", {}, "E21.1 secondary NEC"),
        ("E211", "secondary_hyperparathyroidism", {}, "E21.1 secondary NEC"),
        ("N2581", "secondary_hyperparathyroidism", {}, "N25.81 secondary, renal origin"),
        ("R7881", "bacteremia_or_endocarditis", {}, "R78.81 bacteremia [P]"),
        ("A40", "bacteremia_or_endocarditis", {}, "A40 streptococcal sepsis [P]"),
        ("A41", "bacteremia_or_endocarditis", {}, "A41 other sepsis [P]"),
        ("I33", "bacteremia_or_endocarditis", {}, "I33 acute and subacute endocarditis [P]"),
        ("M462", "bacteremia_or_endocarditis", {}, "M46.2 osteomyelitis of vertebra [P]"),
        ("M463", "bacteremia_or_endocarditis", {}, "M46.3 infection of intervertebral disc [P]"),
        ("E212", "hyperparathyroidism", {}, "E21.2 other"),
        ("E213", "hyperparathyroidism", {}, "E21.3 unspecified"),
        ("N2581", "hyperparathyroidism", {}, "N25.81 secondary, renal origin"),
        ("E05", "hyperthyroidism", {}, "E05 thyrotoxicosis"),
        ("K900", "celiac_disease", {}, "K90.0 celiac disease"),
        ("K904", "malabsorption", {}, "K90.4 malabsorption"),
        ("K908", "malabsorption", {}, "K90.8 other intestinal malabsorption"),
        ("K909", "malabsorption", {}, "K90.9 intestinal malabsorption"),
        ("K912", "malabsorption", {}, "K91.2 postsurgical malabsorption [P]"),
        ("E84", "malabsorption", {}, "E84 cystic fibrosis"),
        ("K50", "inflammatory_bowel_disease", {}, "K50 Crohn's disease"),
        ("K51", "inflammatory_bowel_disease", {}, "K51 ulcerative colitis"),
        ("Z9884", "bariatric_surgery", {}, "Z98.84 bariatric surgery status [P]"),
        ("N181", "chronic_kidney_disease", {"stage": "G1"}, "N18.1"),
        ("N182", "chronic_kidney_disease", {"stage": "G2"}, "N18.2"),
        ("N1830", "chronic_kidney_disease", {"stage": "G3"}, "N18.30"),
        ("N1831", "chronic_kidney_disease", {"stage": "G3a"}, "N18.31"),
        ("N1832", "chronic_kidney_disease", {"stage": "G3b"}, "N18.32"),
        ("N183", "chronic_kidney_disease", {"stage": "G3"}, "N18.3"),
        ("N184", "chronic_kidney_disease", {"stage": "G4"}, "N18.4"),
        ("N185", "chronic_kidney_disease", {"stage": "G5"}, "N18.5"),
        ("N186", "chronic_kidney_disease", {"stage": "G5"}, "N18.6 ESRD"),
        ("N189", "chronic_kidney_disease", {}, "N18.9"),
        ("Z992", "dialysis", {}, "Z99.2 dependence on renal dialysis [P]"),
        ("M88", "paget_disease", {}, "M88 Paget's disease of bone"),
        ("C7951", "bone_metastases", {}, "C79.51 secondary malignant neoplasm of bone"),
        ("C7952", "bone_metastases", {}, "C79.52 secondary malignant neoplasm of bone marrow"),
        ("C900", "multiple_myeloma", {}, "C90.0 multiple myeloma [P]"),
        ("K220", "esophageal_disorder", {}, "K22.0 achalasia"),
        ("K222", "esophageal_disorder", {}, "K22.2 esophageal obstruction [P]"),
        ("Q393", "esophageal_disorder", {}, "Q39.3 congenital stenosis or stricture"),
        ("K21", "upper_gi_disorder", {}, "K21 GERD [P]"),
        ("K20", "upper_gi_disorder", {}, "K20 esophagitis [P]"),
        ("K227", "upper_gi_disorder", {}, "K22.7 Barrett's [P]"),
        ("I85", "upper_gi_disorder", {}, "I85 esophageal varices [P]"),
        ("K25", "upper_gi_disorder", {}, "K25 gastric ulcer [P]"),
        ("K26", "upper_gi_disorder", {}, "K26 duodenal ulcer [P]"),
        ("K27", "upper_gi_disorder", {}, "K27 peptic ulcer [P]"),
        ("K28", "upper_gi_disorder", {}, "K28 gastrojejunal ulcer [P]"),
        ("R131", "upper_gi_disorder", {}, "R13.1 dysphagia [P]"),
        ("E8351", "hypocalcemia", {}, "E83.51 hypocalcemia [P]"),
        ("M83", "osteomalacia", {}, "M83 adult osteomalacia [P]"),
        ("E8339", "hypophosphatasia", {}, "E83.39 (catalogue's code for hypophosphatasia) [P]"),
        ("E24", "cushing_syndrome", {}, "E24 Cushing's syndrome"),
        ("I21", "myocardial_infarction", {}, "I21 acute MI [P]"),
        ("I22", "myocardial_infarction", {}, "I22 subsequent MI [P]"),
        ("I252", "myocardial_infarction", {}, "I25.2 old MI [P]"),
        ("I63", "stroke", {}, "I63 cerebral infarction [P]"),
        ("Z8673", "stroke", {}, "Z86.73 history of TIA or cerebral infarction [P]"),
        ("Z94", "organ_transplant", {}, "Z94 transplant status [P]"),
        ("Z940", "kidney_transplant", {}, "Z94.0 kidney transplant status [P]"),
        ("M87180", "osteonecrosis_of_jaw", {}, "M87.180 ONJ due to drugs [P]"),
        ("M8475", "atypical_femoral_fracture", {}, "M84.75- atypical femoral fracture [P]"),
        ("Z331", "pregnancy", {}, "Z33.1 pregnant state [P]"),
        ("Z34", "pregnancy", {}, "Z34 encounter for supervision of normal pregnancy [P]"),
        ("O09", "pregnancy", {}, "O09 supervision of high risk pregnancy [P]"),
        ("E221", "hyperprolactinemia", {}, "E22.1 hyperprolactinemia"),
        ("E291", "hypogonadism", {}, "E29.1 testicular hypofunction"),
        ("E283", "hypogonadism", {}, "E28.3 primary ovarian failure"),
        ("N17", "acute_kidney_injury", {}, "N17 acute kidney failure"),
        ("C50", "breast_cancer", {}, "C50 malignant neoplasm of breast"),
        ("C61", "prostate_cancer", {}, "C61 malignant neoplasm of prostate"),
        ("M05", "rheumatoid_arthritis", {}, "M05 rheumatoid arthritis"),
        ("M06", "rheumatoid_arthritis", {}, "M06 other rheumatoid arthritis"),
        ("E10", "type1_diabetes", {}, "E10 type 1 diabetes"),
        ("F500", "anorexia_nervosa", {}, "F50.0 anorexia nervosa"),
        ("I26", "venous_thromboembolism", {}, "I26 pulmonary embolism"),
        ("I824", "venous_thromboembolism", {}, "I82.4 deep vein thrombosis of lower extremity"),
        ("E559", "osteomalacia", {}, "not used"),
    ]
    for p in [f"C{i}" for i in range(0, 10)] + ["C40", "C41", "C43"] + \
            [f"C{i}" for i in range(45, 50)]:
        if p in ("C4",):
            continue
        pre.append((p, "active_malignancy", {},
                    "C00-C96 malignant neoplasms except C44 other skin [P] (catalogue §6.E)"))
    prefixes = []
    for p, value, attrs, note in pre:
        if note == "not used":
            continue
        row = {"system": "icd10cm", "prefix": p, "domain": "condition", "value": value}
        row.update(attrs)
        row["source"] = f"catalogue §1.6 (ICD-10-CM {note})" if "catalogue" not in note else note
        prefixes.append(row)
    return codes, prefixes


def observation_tables(vs):
    cat3 = "catalogue §1.3 (DXA LOINC)"
    dxa = [
        ("38267-1", "lumbar_spine", "t", "DXA Lumbar spine [T-score]"),
        ("85394-5", "lumbar_spine", "z", "DXA Lumbar spine [Z-score]"),
        ("38263-0", "femoral_neck", "t", "DXA Femur [T-score] (femoral neck unless bodySite says otherwise)"),
        ("80948-3", "femoral_neck", "t", "DXA Femur-L [T-score]"),
        ("80947-5", "femoral_neck", "t", "DXA Femur-R [T-score]"),
        ("80934-3", "femoral_neck", "z", "DXA Femur [Z-score]"),
        ("80940-0", "femoral_neck", "z", "DXA Femur-L [Z-score]"),
        ("80939-2", "femoral_neck", "z", "DXA Femur-R [Z-score]"),
        ("38264-8", "total_hip", "t", "DXA Hip [T-score]"),
        ("80946-7", "total_hip", "t", "DXA Hip-L [T-score]"),
        ("80945-9", "total_hip", "t", "DXA Hip-R [T-score]"),
        ("80933-5", "total_hip", "z", "DXA Hip [Z-score]"),
        ("80938-4", "total_hip", "z", "DXA Hip-L [Z-score]"),
        ("80937-6", "total_hip", "z", "DXA Hip-R [Z-score]"),
        ("38265-5", "radius_33", "t", "DXA Radius and Ulna [T-score] (see FHIR-TSCORE-38265-5)"),
        ("80932-7", "radius_33", "z", "DXA Radius and Ulna [Z-score]"),
    ]
    codes = []
    for code, site, kind, disp in dxa:
        src = cat3
        if code in ("80939-2", "80937-6"):
            src = "LOINC (right-side counterpart of the US Core example codes) [P]"
        codes.append({"system": "loinc", "code": code, "domain": "dxa", "value": site,
                      "kind": kind, "display": disp, "source": src})
    # Areal BMD in g/cm2 (kind "bmd"): what COURSE-21 and COURSE-18 F2 compare against the
    # facility's least significant change. The unsided codes are the CMS249 "DXA (Dual energy
    # Xray Absorptiometry) Scan" value set; the left-sided femur code is the US Core example's.
    dxa_vs = "DXA(DualenergyXrayAbsorptiometry)Scan"
    in_vs = {c["code"] for c in vs.get(dxa_vs, {}).get("contains", [])}
    vs_src = "VSAC " + vs.get(dxa_vs, {}).get("oid", "") + " (CMS249 DXA Scan value set)"
    bmd = [
        ("24966-4", "lumbar_spine", "DXA Lumbar spine [Mass/Area] Bone density"),
        ("24701-5", "femoral_neck",
         "DXA Femur [Mass/Area] Bone density (femoral neck unless bodySite says otherwise)"),
        ("80954-1", "femoral_neck", "DXA Femur-L ArMass BMD"),
        ("38261-4", "total_hip", "DXA Hip [Mass/Area] Bone density"),
        ("46278-8", "total_hip", "DXA Hip - left [Mass/Area] Bone density"),
        ("24890-6", "radius_33", "DXA Radius and Ulna [Mass/Area] Bone density"),
    ]
    for code, site, disp in bmd:
        src = vs_src if code in in_vs else "US Core DXA example (Observation dxa-femur-l-armass-bmd)"
        codes.append({"system": "loinc", "code": code, "domain": "dxa", "value": site,
                      "kind": "bmd", "display": disp, "source": src})
    cat5 = "catalogue §1.5 (laboratory LOINC)"
    labs = [
        ("2160-0", "creatinine", "Creatinine [Mass/volume] in Serum or Plasma", cat5),
        ("14682-9", "creatinine", "Creatinine [Moles/volume] in Serum or Plasma", cat5 + " [P]"),
        ("38483-4", "creatinine", "Creatinine [Mass/volume] in Blood",
         "LOINC; Synthea's creatinine code (see FHIR-LAB-CODES)"),
        ("98979-8", "egfr", "eGFR CKD-EPI 2021", cat5),
        ("62238-1", "egfr", "eGFR CKD-EPI", "LOINC (earlier CKD-EPI equation) [P]"),
        ("33914-3", "egfr", "eGFR MDRD",
         "LOINC; Synthea's eGFR code (MDRD equation; see FHIR-LAB-CODES)"),
        ("17861-6", "calcium", "Calcium [Mass/volume] in Serum or Plasma", cat5),
        ("49765-1", "calcium", "Calcium [Mass/volume] in Blood",
         "LOINC; Synthea's calcium code (see FHIR-LAB-CODES)"),
        ("1994-3", "ionized_calcium", "Calcium.ionized [Moles/volume]", cat5),
        ("1751-7", "albumin", "Albumin [Mass/volume] in Serum or Plasma", cat5),
        ("62292-8", "vitamin_d_25oh", "25-hydroxyvitamin D2+D3", cat5),
        ("1989-3", "vitamin_d_25oh", "25-hydroxyvitamin D3", cat5),
        ("6768-6", "alkaline_phosphatase", "Alkaline phosphatase", cat5),
        ("2777-1", "phosphate", "Phosphate", cat5),
        ("2731-8", "pth", "PTH intact", cat5),
        ("3016-3", "tsh", "TSH", cat5),
        ("2842-3", "prolactin", "Prolactin", cat5),
        ("41171-0", "ctx", "Collagen crosslinked C-telopeptide (CTX)", cat5 + " [V2]"),
        ("77370-5", "p1np", "Procollagen type I N-terminal propeptide (P1NP)", cat5 + " [V2]"),
    ]
    for code, test, disp, src in labs:
        codes.append({"system": "loinc", "code": code, "domain": "lab", "value": test,
                      "display": disp, "source": src})
    cat2 = "catalogue §1.2 (anthropometrics)"
    for code, v, disp in (("29463-7", "weight", "Body weight"), ("8302-2", "height", "Body height"),
                          ("39156-5", "bmi", "Body mass index")):
        codes.append({"system": "loinc", "code": code, "domain": "vital", "value": v,
                      "display": disp, "source": cat2})
    # Catalogue §1.1 pregnant_or_possible and §6 CI-12R breastfeeding: status Observations and
    # their coded answers. An "unknown" answer is read as unknown, never as "no".
    for code, v, disp, src in (
            ("82810-3", "pregnancy", "Pregnancy status", "catalogue §1.1 (LOINC 82810-3) [P]"),
            ("63895-7", "breastfeeding", "Breastfeeding status",
             "LOINC 63895-7 (the breastfeeding field of catalogue §6.E / patient schema) [P]")):
        codes.append({"system": "loinc", "code": code, "domain": "status", "value": v,
                      "display": disp, "source": src})
    for system, code, v, disp in (
            ("loinc", "LA15173-0", "yes", "Pregnant"),
            ("loinc", "LA26683-5", "no", "Not pregnant"),
            ("loinc", "LA4489-6", "unknown", "Unknown"),
            ("loinc", "LA29252-6", "yes", "Currently breastfeeding"),
            ("loinc", "LA29253-4", "no", "Not currently breastfeeding"),
            ("sct", "77386006", "yes", "Patient currently pregnant"),
            ("sct", "146799005", "yes", "Possible pregnancy"),
            ("sct", "60001007", "no", "Not pregnant"),
            ("sct", "261665006", "unknown", "Unknown"),
            ("sct", "373066001", "yes", "Yes"),
            ("sct", "373067005", "no", "No")):
        codes.append({"system": system, "code": code, "domain": "answer", "value": v,
                      "display": disp,
                      "source": "LOINC answer list of 82810-3 / 63895-7, SNOMED CT equivalents "
                                "(catalogue §1.1: pregnant or possibly pregnant) [P]"})
    # The DXA panel and the scan itself (DiagnosticReport / Procedure codes).
    codes.append({"system": "loinc", "code": "83311-1", "domain": "dxa_panel", "value": "panel",
                  "display": "Bone density quantitative measurement by DXA panel",
                  "source": "US Core DXA example (DiagnosticReport-bone-density-report)"})
    return codes


def medication_tables(vs):
    codes, names = [], []
    cat = "catalogue §1.7"
    ing = [
        ("77655", "zoledronic_acid", {}, "zoledronic acid (IN) [V]"),
        ("705824", "zoledronic_acid", {"route": "intravenous"}, "zoledronic acid 5 MG/100ML [V]"),
        ("705875", "zoledronic_acid", {"route": "intravenous"}, "Reclast [V]"),
        ("351114", "zoledronic_acid", {"route": "intravenous", "note": "4 mg/5 mL oncology product, not an osteoporosis dose"}, "zoledronic acid 4 MG/5ML (oncology) [V]"),
        ("46041", "alendronate", {"route": "oral"}, "alendronate (IN) [U]"),
        ("904419", "alendronate", {"route": "oral"}, "Alendronic acid 10 MG Oral Tablet (Synthea; data README)"),
        ("904420", "alendronate", {"route": "oral"}, "Alendronic acid (Synthea module code; data README)"),
        ("73056", "risedronate", {"route": "oral"}, "risedronate (IN) [U]"),
        ("993449", "denosumab", {"route": "subcutaneous"}, "denosumab (IN) [U]"),
        ("993452", "denosumab", {"route": "subcutaneous"}, "Prolia 60 MG/ML [V]"),
        ("993456", "denosumab", {"route": "subcutaneous"}, "Prolia 60 MG/ML [V]"),
        ("72143", "raloxifene", {"route": "oral"}, "raloxifene (IN) [U]"),
        ("84857", "aromatase_inhibitor", {}, "anastrozole (IN) [U]"),
        ("72965", "aromatase_inhibitor", {}, "letrozole (IN) [U]"),
        ("258494", "aromatase_inhibitor", {}, "exemestane (IN) [U]"),
        ("42375", "gnrh_agonist", {}, "leuprolide (IN) [U]"),
        ("50610", "gnrh_agonist", {}, "goserelin (IN) [U]"),
        ("38782", "gnrh_agonist", {}, "triptorelin (IN) [U]"),
        ("475230", "androgen_deprivation_therapy", {}, "degarelix (IN) [U]"),
        ("83008", "androgen_deprivation_therapy", {}, "bicalutamide (IN) [U]"),
        ("1307298", "androgen_deprivation_therapy", {}, "enzalutamide (IN) [U]"),
        ("1100072", "androgen_deprivation_therapy", {}, "abiraterone (IN) [U]"),
    ]
    gc = [("8640", "prednisone", 1.0), ("8638", "prednisolone", 1.0),
          ("6902", "methylprednisolone", 1.25), ("3264", "dexamethasone", 5 / 0.75),
          ("5492", "hydrocortisone", 0.25), ("2878", "cortisone", 0.2),
          ("1514", "betamethasone", 5 / 0.6), ("10759", "triamcinolone", 1.25),
          ("22396", "deflazacort", 5 / 6), ("19831", "budesonide", 0)]
    for code, value, attrs, disp in ing:
        row = {"system": "rxnorm", "code": code, "domain": "agent", "value": value}
        row.update(attrs)
        row.update({"display": disp, "source": cat})
        codes.append(row)
    for code, name, factor in gc:
        row = {"system": "rxnorm", "code": code, "domain": "agent", "value": "glucocorticoid",
               "ingredient": name, "display": f"{name} (IN)", "source": cat + " [V]"}
        if factor:
            row["prednisone_mg_per_mg"] = round(factor, 6)
        codes.append(row)
    codes += vs_entries(vs, "Glucocorticoids(oralonly)", "agent",
                        lambda d, c, s: ("glucocorticoid", {"route": "oral"}), systems=("rxnorm",))
    codes += vs_entries(vs, "AromataseInhibitors", "agent",
                        lambda d, c, s: ("aromatase_inhibitor", {"route": "oral"}),
                        systems=("rxnorm",))

    def adt(d, c, s):
        dl = d.lower()
        if any(x in dl for x in ("leuprolide", "goserelin", "triptorelin", "histrelin")):
            return "gnrh_agonist"
        return "androgen_deprivation_therapy"

    codes += vs_entries(vs, "AndrogendeprivationtherapyforUrologyCare", "agent", adt,
                        systems=("rxnorm",))
    # Name matching (lower-case substring of the ingredient or brand in the product text).
    # Denosumab biosimilars carry a 4-letter suffix (denosumab-bbdz); "denosumab" matches them all.
    nm = [
        ("alendron", "alendronate", "oral", "ingredient name (alendronate / alendronic acid)"),
        ("fosamax", "alendronate", "oral", "brand (Fosamax)"),
        ("binosto", "alendronate", "oral", "brand (Binosto)"),
        ("risedron", "risedronate", "oral", "ingredient name"),
        ("actonel", "risedronate", "oral", "brand (Actonel)"),
        ("atelvia", "risedronate", "oral", "brand (Atelvia)"),
        ("ibandron", "ibandronate", "", "ingredient name (route from the product text)"),
        ("boniva", "ibandronate", "", "brand (Boniva)"),
        ("zoledron", "zoledronic_acid", "intravenous", "ingredient name"),
        ("reclast", "zoledronic_acid", "intravenous", "brand (Reclast)"),
        ("aclasta", "zoledronic_acid", "intravenous", "brand (Aclasta)"),
        ("zometa", "zoledronic_acid", "intravenous", "brand (Zometa, oncology dose)"),
        ("denosumab", "denosumab", "subcutaneous", "ingredient name incl. biosimilar suffixes (catalogue §1.7)"),
        ("prolia", "denosumab", "subcutaneous", "brand (Prolia)"),
        ("xgeva", "denosumab", "subcutaneous", "brand (Xgeva, oncology dose)"),
        ("jubbonti", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("wyost", "denosumab", "subcutaneous", "biosimilar brand"),
        ("ospomyv", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("osvyrti", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("bildyos", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("stoboclo", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("enoby", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("bosaya", "denosumab", "subcutaneous", "biosimilar brand (catalogue §1.7)"),
        ("conexxence", "denosumab", "subcutaneous", "biosimilar brand"),
        ("teriparatide", "teriparatide", "subcutaneous", "ingredient name"),
        ("forteo", "teriparatide", "subcutaneous", "brand (Forteo)"),
        ("abaloparatide", "abaloparatide", "subcutaneous", "ingredient name"),
        ("tymlos", "abaloparatide", "subcutaneous", "brand (Tymlos)"),
        ("romosozumab", "romosozumab", "subcutaneous", "ingredient name (romosozumab-aqqg)"),
        ("evenity", "romosozumab", "subcutaneous", "brand (Evenity)"),
        ("raloxifene", "raloxifene", "oral", "ingredient name"),
        ("evista", "raloxifene", "oral", "brand (Evista)"),
        ("calcitonin", "calcitonin", "", "ingredient name"),
        ("estradiol", "estrogen", "", "ingredient name"),
        ("conjugated estrogens", "estrogen", "", "ingredient name"),
        ("anastrozole", "aromatase_inhibitor", "oral", "ingredient name"),
        ("letrozole", "aromatase_inhibitor", "oral", "ingredient name"),
        ("exemestane", "aromatase_inhibitor", "oral", "ingredient name"),
        ("leuprolide", "gnrh_agonist", "", "ingredient name"),
        ("goserelin", "gnrh_agonist", "", "ingredient name"),
        ("triptorelin", "gnrh_agonist", "", "ingredient name"),
        ("histrelin", "gnrh_agonist", "", "ingredient name"),
        ("degarelix", "androgen_deprivation_therapy", "", "ingredient name"),
        ("relugolix", "androgen_deprivation_therapy", "oral", "ingredient name"),
        ("bicalutamide", "androgen_deprivation_therapy", "oral", "ingredient name"),
        ("enzalutamide", "androgen_deprivation_therapy", "oral", "ingredient name"),
        ("apalutamide", "androgen_deprivation_therapy", "oral", "ingredient name"),
        ("abiraterone", "androgen_deprivation_therapy", "oral", "ingredient name"),
        ("tacrolimus", "immunosuppressant", "", "ingredient name"),
        ("cyclosporine", "immunosuppressant", "", "ingredient name"),
        ("mycophenol", "immunosuppressant", "", "ingredient name"),
        ("sirolimus", "immunosuppressant", "", "ingredient name"),
        ("everolimus", "immunosuppressant", "", "ingredient name"),
        ("azathioprine", "immunosuppressant", "", "ingredient name"),
        ("cholecalciferol", "vitamin_d_supplement", "oral", "ingredient name"),
        ("ergocalciferol", "vitamin_d_supplement", "oral", "ingredient name"),
        ("vitamin d", "vitamin_d_supplement", "oral", "ingredient name"),
        ("calcium carbonate", "calcium_supplement", "oral", "ingredient name"),
        ("calcium citrate", "calcium_supplement", "oral", "ingredient name"),
    ]
    for pat, agent, route, note in nm:
        row = {"pattern": pat, "domain": "agent", "value": agent}
        if route:
            row["route"] = route
        row["source"] = f"{cat}: match by ingredient, {note}"
        names.append(row)
    for code, name, factor in gc:
        row = {"pattern": name, "domain": "agent", "value": "glucocorticoid", "ingredient": name,
               "source": cat + " (prednisone-equivalent conversion [P])"}
        if factor:
            row["prednisone_mg_per_mg"] = round(factor, 6)
        names.append(row)
    # Allergy substances: bisphosphonate class.
    for pat in ("bisphosphonate", "diphosphonate"):
        names.append({"pattern": pat, "domain": "intolerance", "value": "oral_bisphosphonate",
                      "source": "AllergyIntolerance to the bisphosphonate class "
                                "(see FHIR-MED-INGREDIENT)"})
    return codes, names


def write(name, description, codes=(), prefixes=(), names=()):
    doc = {"description": description,
           "source_note": "Generated by scripts/gen_valuesets.py from tests/data/valuesets/ "
                          "(VSAC expansions, CC0) and catalogue §1. Do not edit by hand.",
           "codes": list(codes), "prefixes": list(prefixes), "names": list(names)}
    # One entry a line: compact to embed, still readable in a diff.
    with open(os.path.join(OUT_DIR, name), "w") as fh:
        fh.write("{\n")
        head = [k for k in doc if not isinstance(doc[k], list)]
        for k in head:
            fh.write(f" {json.dumps(k)}: {json.dumps(doc[k], ensure_ascii=False)},\n")
        lists = [k for k in doc if isinstance(doc[k], list)]
        for i, k in enumerate(lists):
            fh.write(f" {json.dumps(k)}: [")
            rows = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in doc[k]]
            fh.write(("\n  " + ",\n  ".join(rows) + "\n ") if rows else "")
            fh.write("]" + ("," if i + 1 < len(lists) else "") + "\n")
        fh.write("}\n")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    vs = load_valuesets()
    oc, op = osteoporosis_tables(vs)
    write("osteoporosis.json",
          "Osteoporosis, osteopenia and osteoporotic/low-trauma fracture codes (SNOMED CT, "
          "ICD-10-CM): condition codes, fracture sites, and external causes of injury that "
          "give a fracture's mechanism.", oc, op)
    cc, cp = condition_tables(vs)
    write("conditions.json",
          "Secondary causes, contraindications and risk conditions (SNOMED CT, ICD-10-CM, CPT "
          "for procedures), and codes implying postmenopausal status.", cc, cp)
    write("observations.json",
          "LOINC codes of DXA T-/Z-scores and BMD (g/cm2) by site, laboratory tests, anthropometrics, and "
          "pregnancy and breastfeeding status with their coded answers.",
          observation_tables(vs))
    mc, mn = medication_tables(vs)
    write("medications.json",
          "RxNorm ingredient and product codes and ingredient/brand names mapped to agents; "
          "glucocorticoid prednisone equivalents.", mc, names=mn)


if __name__ == "__main__":
    main()
