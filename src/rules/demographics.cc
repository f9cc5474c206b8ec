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

  x.Trace("CONV-DECISION-SUPPORT", Outcome::kFired, x.Say<"CONV-DECISION-SUPPORT", "fired">());
  x.Trace("CONV-ABSENT", Outcome::kFired, x.Say<"CONV-ABSENT", "fired">());
  x.Trace("CONV-ROUNDING", Outcome::kFired, x.Say<"CONV-ROUNDING", "fired">());

  if (!f.age) x.Missing("birth_date", x.Say<"CALC-07", "needs_age">());
  if (f.sex_unknown) {
    x.Fired("CONV-SEX-UNKNOWN", x.Say<"CONV-SEX-UNKNOWN", "fired">());
  } else {
    x.NotFired("CONV-SEX-UNKNOWN");
  }
  if (f.menopause_assumed) {
    x.Fired("CONV-MENOPAUSE", *f.menopause == Menopause::kPost
                                  ? x.Say<"CONV-MENOPAUSE", "assumed_post", "age">(Num(x.Age(), 0))
                                  : x.Say<"CONV-MENOPAUSE", "assumed_pre", "age">(Num(x.Age(), 0)));
  } else {
    x.NotFired("CONV-MENOPAUSE", x.Say<"CONV-MENOPAUSE", "not_fired">());
  }

  // CALC-07 population gate.
  if (f.in_t_population) {
    s.outside_population = !*f.in_t_population;
    x.Trace("CALC-07", Outcome::kFired,
            *f.in_t_population ? x.Say<"CALC-07", "in_population">()
                               : x.Say<"CALC-07", "outside_population">());
  } else {
    s.population_unknown = true;
    x.Insufficient("CALC-07", x.Say<"CALC-07", "insufficient">());
    x.Missing(x.f.female ? "menopausal_status" : "birth_date",
              x.Say<"CALC-07", "needs_population">());
  }

  // CALC-01..04 values into the trace.
  if (!x.verbose) {
    // The other profiles need no trace, warnings or missing data from here on.
  } else if (f.crcl) {
    x.Fired("CALC-01", f.crcl_sex_assumed ? x.Say<"CALC-01", "fired_sex_assumed", "crcl", "method">(
                                                Num(*f.crcl), f.crcl_weight_method)
                                          : x.Say<"CALC-01", "fired", "crcl", "method">(
                                                Num(*f.crcl), f.crcl_weight_method));
    if (f.crcl_weight_method != "actual") {
      x.Fired("CALC-02", x.Say<"CALC-02", "fired", "method">(f.crcl_weight_method));
      x.Warn("crcl_method", Severity::kInfo,
             x.Say<"CALC-02", "warning", "method">(f.crcl_weight_method), {"CALC-02"});
    } else {
      x.NotFired("CALC-02", x.Say<"CALC-02", "not_fired">());
    }
  } else {
    std::string why;
    if (!f.creatinine) {
      why = x.Say<"CALC-01", "no_creatinine">();
      x.Missing("labs.creatinine", x.Say<"CALC-01", "needs_creatinine">());
    }
    if (!x.p.weight_kg) {
      why += (why.empty() ? "" : ", ") + x.Say<"CALC-01", "no_weight">();
      x.Missing("weight_kg", x.Say<"CALC-01", "needs_weight">());
    }
    if (!f.age) why += (why.empty() ? "" : ", ") + x.Say<"CALC-01", "no_age">();
    x.Insufficient("CALC-01", why.empty() ? x.Say<"CALC-01", "cannot_compute">() : why);
    x.NotFired("CALC-02");
  }
  if (f.egfr) {
    x.Fired("CALC-03", f.egfr_computed ? x.Say<"CALC-03", "computed", "egfr">(Num(*f.egfr))
                                       : x.Say<"CALC-03", "reported", "egfr">(Num(*f.egfr)));
  } else {
    x.Insufficient("CALC-03", x.Say<"CALC-03", "insufficient">());
  }
  if (f.ionized_calcium) {
    const Cat ca = Num(f.ionized_calcium->value, 2);
    x.Fired("CALC-04", f.hypocalcemia ? x.Say<"CALC-04", "ionized_low", "calcium">(ca)
                                      : x.Say<"CALC-04", "ionized", "calcium">(ca));
  } else if (f.corrected_calcium) {
    const Cat ca = Num(*f.corrected_calcium, 2);
    x.Fired("CALC-04", f.hypocalcemia ? x.Say<"CALC-04", "corrected_low", "calcium">(ca)
                                      : x.Say<"CALC-04", "corrected", "calcium">(ca));
  } else {
    x.Insufficient("CALC-04",
                   f.calcium ? x.Say<"CALC-04", "no_albumin">() : x.Say<"CALC-04", "no_calcium">());
    if (!f.calcium)
      x.Missing("labs.calcium", x.Say<"CALC-04", "needs_calcium">());
    else if (!f.albumin && !f.hypocalcemia)
      x.Missing("labs.albumin", x.Say<"CALC-04", "needs_albumin">());
  }
  if (f.gc_dose_mg) {
    x.Fired("CALC-05", f.gc_applies_acr ? x.Say<"CALC-05", "fired_acr", "dose">(Num(*f.gc_dose_mg))
                                        : x.Say<"CALC-05", "fired", "dose">(Num(*f.gc_dose_mg)));
  } else if (f.gc_active) {
    x.Insufficient("CALC-05", x.Say<"CALC-05", "insufficient">());
    x.Missing("medications[glucocorticoid].dose_mg_per_day", x.Say<"CALC-05", "needs_dose">());
  } else {
    x.NotFired("CALC-05", x.Say<"CALC-05", "not_fired">());
  }
  if (f.frax_gc_adjusted_here) {
    x.Fired("CALC-06",
            f.frax_hip ? x.Say<"CALC-06", "fired_hip", "dose", "mof_raw", "mof", "hip_raw", "hip">(
                             Num(*f.gc_dose_mg), Num(*f.frax_mof_raw), Num(*f.frax_mof),
                             Num(*f.frax_hip_raw), Num(*f.frax_hip))
                       : x.Say<"CALC-06", "fired", "dose", "mof_raw", "mof">(
                             Num(*f.gc_dose_mg), Num(*f.frax_mof_raw), Num(*f.frax_mof)));
    x.Warn("glucocorticoid_frax_adjusted", Severity::kInfo,
           x.Say<"CALC-06", "warning", "dose", "mof", "hip">(
               Num(*f.gc_dose_mg), f.frax_mof ? Num(*f.frax_mof) : Cat("n/a"),
               f.frax_hip ? Num(*f.frax_hip) : Cat("n/a")),
           {"CALC-06", "D7"});
  } else if (f.frax_gc_adjust_unknown) {
    x.Insufficient("CALC-06", x.Say<"CALC-06", "insufficient">());
  } else {
    x.NotFired("CALC-06", f.gc_active ? x.Say<"CALC-06", "no_change">()
                                      : x.Say<"CALC-06", "no_glucocorticoid">());
  }
  if (f.frax_gc_boundary) {
    x.Warn("glucocorticoid_dose_boundary", Severity::kInfo,
           x.Say<"D7", "boundary", "mof_raw", "mof">(Num(*f.frax_mof_raw),
                                                     Num(f.frax_mof.value_or(0))),
           {"CALC-06", "D7"});
  }
  x.Trace("CALC-08", f.events.empty() ? Outcome::kNotFired : Outcome::kFired,
          f.events.empty() ? x.Say<"CALC-08", "not_fired">()
                           : x.Say<"CALC-08", "fired", "events", "total">(Int(f.fragility_events),
                                                                          Int(f.events.size())));
  if (f.events.size() < x.p.fractures.size())
    x.Fired("CONV-FRACTURE-EVENT", x.Say<"CONV-FRACTURE-EVENT", "fired">());
  else
    x.NotFired("CONV-FRACTURE-EVENT");
  for (size_t i = 0; i < f.events.size(); ++i)
    if (f.events[i].mechanism_unknown && f.events[i].HipOrVertebral())
      x.Missing("fractures[" + Int(f.events[i].first_index) + "].mechanism",
                x.Say<"CALC-08", "needs_mechanism">());
  if (f.bmi) x.Trace("CALC-07", Outcome::kNotFired, x.Say<"CALC-07", "bmi", "bmi">(Num(*f.bmi)));
}

const Topic kDemographicsTopic{"demographics", kRules};

}  // namespace bp::rules
