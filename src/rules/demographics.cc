// Derived values: age, BMI, renal function, BMD summary, the population T-scores apply to.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CONV-ABSENT",
                                       "CONV-ROUNDING",
                                       "CONV-MENOPAUSE",
                                       "CONV-SEX-UNKNOWN",
                                       "CONV-FRACTURE-EVENT",
                                       "CONV-DECISION-SUPPORT",
                                       "CALC-01",
                                       "CALC-02",
                                       "CALC-03",
                                       "CALC-04",
                                       "CALC-05",
                                       "CALC-06",
                                       "CALC-07",
                                       "CALC-08",
                                       "D7"};
}  // namespace

void Demographics(Ctx& x, State& s) {
  const Facts& f = x.f;
  auto& d = x.a.derived;
  d.age_years = f.age;
  d.bmi_kg_m2 = f.bmi;
  d.crcl_ml_min = f.crcl;
  d.egfr_ml_min_1_73m2 = f.egfr;
  if (f.t_min) d.lowest_t_score = FromTenths(*f.t_min);
  d.lowest_t_score_site = f.t_min_site;
  d.frax_major_osteoporotic_pct = f.frax_mof;
  d.frax_hip_pct = f.frax_hip;
  d.corrected_calcium_mg_dl = f.corrected_calcium;
  if (f.vitd) d.vitamin_d_25oh_ng_ml = f.vitd->value;
  d.prednisone_equivalent_mg_day = f.gc_dose_mg;

  x.Trace("CONV-DECISION-SUPPORT", Outcome::kFired,
          "decision support for health professionals; every rule is shown with its verification "
          "mark and review status");
  x.Trace("CONV-ABSENT", Outcome::kFired,
          "absent lists are taken as none recorded; absent measurements are unknown and listed "
          "as missing");
  x.Trace("CONV-ROUNDING", Outcome::kFired,
          "T-/Z-scores and FRAX compared as reported to one decimal; computed values unrounded");

  if (!f.age)
    x.Missing("birth_date", "age: population gate, Cockcroft-Gault CrCl, eGFR, FRAX range");
  if (f.sex_unknown) {
    x.Fired("CONV-SEX-UNKNOWN",
            "sex unknown: Cockcroft-Gault and eGFR take the lower (female) value; the T-score "
            "population is judged by the men's age limit");
  } else {
    x.NotFired("CONV-SEX-UNKNOWN");
  }
  if (f.menopause_assumed) {
    x.Fired("CONV-MENOPAUSE",
            std::string("menopausal status not recorded: taken as ") +
                (*f.menopause == Menopause::kPost ? "postmenopausal" : "premenopausal") +
                " from age " + Num(x.Age(), 0) + " (cut-off " +
                Desc(x.P<&CP::menopause_assumed_age, "CONV-MENOPAUSE", "CALC-07">(), "years") +
                ")");
  } else {
    x.NotFired("CONV-MENOPAUSE", "menopausal status recorded or not applicable");
  }

  // CALC-07 population gate.
  if (f.in_t_population) {
    s.outside_population = !*f.in_t_population;
    x.Trace("CALC-07", Outcome::kFired,
            *f.in_t_population ? x.Texts().calc07_in : x.Texts().calc07_out);
  } else {
    s.population_unknown = true;
    x.Insufficient("CALC-07",
                   "age or menopausal status unknown: the T-score population gate "
                   "cannot be applied");
    x.Missing(x.f.female ? "menopausal_status" : "birth_date",
              "the T-score population gate (CALC-07)");
  }

  // CALC-01..04 values into the trace.
  if (!x.verbose) {
    // The other profiles need no trace, warnings or missing data from here on.
  } else if (f.crcl) {
    Cat because = "Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min (" + f.crcl_weight_method +
                  " body weight";
    if (f.crcl_sex_assumed) because.Append("; sex unknown, female factor applied");
    because.Append(")");
    x.Fired("CALC-01", because);
    if (f.crcl_weight_method != "actual") {
      x.Fired("CALC-02", "CrCl computed with " + f.crcl_weight_method + " body weight");
      x.Warn("crcl_method", Severity::kInfo,
             "Creatinine clearance computed with " + f.crcl_weight_method +
                 " body weight (profile setting), not actual body weight.",
             {"CALC-02"});
    } else {
      x.NotFired("CALC-02", "actual body weight (default)");
    }
  } else {
    std::string why;
    if (!f.creatinine) {
      why = "no serum creatinine";
      x.Missing("labs.creatinine",
                "Cockcroft-Gault CrCl for zoledronic acid and oral "
                "bisphosphonates (CALC-01, PRE-01)");
    }
    if (!x.p.weight_kg) {
      why += why.empty() ? "no body weight" : ", no body weight";
      x.Missing("weight_kg", "Cockcroft-Gault CrCl (CALC-01, PRE-01)");
    }
    if (!f.age) why += why.empty() ? "no age" : ", no age";
    x.Insufficient("CALC-01", why.empty() ? "cannot compute" : why);
    x.NotFired("CALC-02");
  }
  if (f.egfr) {
    x.Fired("CALC-03", "eGFR " + Num(*f.egfr) + " mL/min/1.73m2 (" +
                           (f.egfr_computed ? "CKD-EPI 2021 from creatinine" : "reported") + ")");
  } else {
    x.Insufficient("CALC-03", "no eGFR and no creatinine with age");
  }
  if (f.ionized_calcium) {
    x.Fired("CALC-04", "ionized calcium " + Num(f.ionized_calcium->value, 2) + " mmol/L" +
                           (f.hypocalcemia ? ": low" : ""));
  } else if (f.corrected_calcium) {
    x.Fired("CALC-04", "albumin-corrected calcium " + Num(*f.corrected_calcium, 2) + " mg/dL" +
                           (f.hypocalcemia ? ": low" : ""));
  } else {
    x.Insufficient("CALC-04", f.calcium ? "total calcium without albumin" : "no calcium");
    if (!f.calcium)
      x.Missing("labs.calcium", "hypocalcemia check before any antiresorptive (CALC-04, PRE-02)");
    else if (!f.albumin && !f.hypocalcemia)
      x.Missing("labs.albumin", "albumin-corrected calcium (CALC-04, PRE-02)");
  }
  if (f.gc_dose_mg) {
    x.Fired("CALC-05", "systemic glucocorticoid " + Num(*f.gc_dose_mg) +
                           " mg/day prednisone-equivalent" +
                           (f.gc_applies_acr ? ", duration > 3 months (actual or planned)" : ""));
  } else if (f.gc_active) {
    x.Insufficient("CALC-05", "glucocorticoid active without a dose");
    x.Missing("medications[glucocorticoid].dose_mg_per_day",
              "glucocorticoid exposure and FRAX adjustment (CALC-05, CALC-06, GIOP-01)");
  } else {
    x.NotFired("CALC-05", "no systemic glucocorticoid active or planned");
  }
  if (f.frax_gc_adjusted_here) {
    x.Fired(
        "CALC-06",
        "FRAX adjusted for " + Num(*f.gc_dose_mg) + " mg/day: MOF " + Num(*f.frax_mof_raw) +
            " -> " + Num(*f.frax_mof) + " %" +
            (f.frax_hip ? ", hip " + Num(*f.frax_hip_raw) + " -> " + Num(*f.frax_hip) + " %" : ""));
    x.Warn("glucocorticoid_frax_adjusted", Severity::kInfo,
           "FRAX adjusted for the glucocorticoid dose (" + Num(*f.gc_dose_mg) +
               " mg/day prednisone-equivalent): major osteoporotic " +
               (f.frax_mof ? Num(*f.frax_mof) : std::string("n/a")) + " %, hip " +
               (f.frax_hip ? Num(*f.frax_hip) : std::string("n/a")) + " %.",
           {"CALC-06", "D7"});
  } else if (f.frax_gc_adjust_unknown) {
    x.Insufficient("CALC-06", "glucocorticoid active but the dose is unknown: FRAX not adjusted");
  } else {
    x.NotFired("CALC-06", f.gc_active ? "medium dose band or FRAX already adjusted: no change"
                                      : "no active glucocorticoid");
  }
  if (f.frax_gc_boundary) {
    x.Warn("glucocorticoid_dose_boundary", Severity::kInfo,
           "Glucocorticoid dose exactly " +
               Num(x.P<&CP::gc_bands, "CALC-06", "D7">().high_from_mg) +
               " mg/day: sources differ on whether this is the high band (D7). Unadjusted FRAX "
               "MOF " +
               Num(*f.frax_mof_raw) + " %, adjusted " + Num(f.frax_mof.value_or(0)) + " %.",
           {"CALC-06", "D7"});
  }
  x.Trace("CALC-08", f.events.empty() ? Outcome::kNotFired : Outcome::kFired,
          f.events.empty() ? "no fracture recorded"
                           : Int(f.fragility_events) + " fragility fracture event(s) of " +
                                 Int(f.events.size()));
  if (f.events.size() < x.p.fractures.size())
    x.Fired("CONV-FRACTURE-EVENT", "records of the same fracture merged into one event");
  else
    x.NotFired("CONV-FRACTURE-EVENT");
  for (size_t i = 0; i < f.events.size(); ++i)
    if (f.events[i].mechanism_unknown && f.events[i].HipOrVertebral())
      x.Missing("fractures[" + Int(f.events[i].first_index) + "].mechanism",
                "whether the fracture is a fragility fracture (CALC-08, TX-01)");
  if (f.bmi) x.Trace("CALC-07", Outcome::kNotFired, "BMI " + Num(*f.bmi) + " kg/m2 (not a gate)");
}

const Topic kDemographicsTopic{"demographics", kRules};

}  // namespace bp::rules
