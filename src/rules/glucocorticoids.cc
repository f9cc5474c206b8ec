// Glucocorticoid-induced osteoporosis (GIOP) rules.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"GIOP-01",     "GIOP-02", "GIOP-03", "GIOP-04",
                                       "GIOP-05",     "GIOP-06", "GIOP-07", "GIOP-08",
                                       "GIOP-LEGACY", "D6",      "D8",      "D9"};
}  // namespace

// GIOP (ACR 2022 or seed-000 legacy): runs alongside; the higher tier wins.
void Glucocorticoids(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  static constexpr std::string_view kAcrRules[] = {"GIOP-01", "GIOP-02", "GIOP-03",
                                                   "GIOP-04", "GIOP-05", "GIOP-06",
                                                   "GIOP-07", "GIOP-08", "GIOP-09"};
  const bool bone_drug_active =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return IsOsteoporosisDrug(m.agent) && m.status == MedStatus::kActive;
      });
  const GiopProfile giop = x.P<&CP::giop_profile, "GIOP-01", "GIOP-LEGACY", "D6">();
  if (giop == GiopProfile::kSeed000) {
    for (std::string_view r : kAcrRules) x.NotFired(r, "profile uses GIOP-LEGACY");
    x.NotFired("D6", "seed-000 legacy glucocorticoid rule in use");
    const bool long_enough =
        f.gc_days_actual &&
        *f.gc_days_actual >= DaysBetween(f.as_of.AddMonths(-static_cast<int>(
                                             x.P<&CP::giop_legacy_months, "GIOP-LEGACY">().value)),
                                         f.as_of);
    if (f.gc_dose_mg && x.P<&CP::giop_legacy_dose, "GIOP-LEGACY", "D6">().Met(*f.gc_dose_mg) &&
        long_enough &&
        ((f.t_min && x.P<&CP::giop_legacy_tscore, "GIOP-LEGACY", "D6">().MetTenths(*f.t_min)) ||
         f.fragility_events)) {
      s.giop_indicated = true;
      x.Fired("GIOP-LEGACY",
              "glucocorticoid " + Num(*f.gc_dose_mg) + " mg/day for >= " +
                  Num(x.P<&CP::giop_legacy_months, "GIOP-LEGACY">().value, 0) + " months with " +
                  (f.fragility_events ? "a fragility fracture" : "T-score " + Tn(*f.t_min)));
      x.a.treatment_reasons.push_back(
          St{"giop_legacy",
             "Glucocorticoid-induced osteoporosis (seed 000 rule): treat, "
             "oral bisphosphonate first.",
             {"GIOP-LEGACY"}});
    } else {
      x.NotFired("GIOP-LEGACY");
    }
  } else {
    x.NotFired("GIOP-LEGACY", "profile uses ACR 2022");
    if (!f.gc_applies_acr) {
      for (std::string_view r : kAcrRules) x.NotFired(r, x.Texts().giop_acr_scope);
      x.NotFired("D6");
      x.NotFired("D8");
      x.NotFired("D9");
    } else {
      x.Fired("GIOP-01", "glucocorticoid " + Num(*f.gc_dose_mg) +
                             " mg/day for > 3 months (actual or planned)");
      x.Fired("D9",
              "glucocorticoid use triggers a fracture-risk assessment, not an "
              "automatic prescription");
      x.a.monitoring.push_back(
          St{"giop_bmd",
             "On glucocorticoids: BMD (with vertebral fracture assessment or spine "
             "X-ray) within 6 months of starting, then every 1-2 years.",
             {"GIOP-01", "MON-02"}});
      enum { kLow, kModerate, kHigh, kVeryHigh, kUnknown } cat = kLow;
      std::string why;
      const bool young = x.AgeKnown() && x.P<&CP::giop_young_age, "GIOP-07">().Met(x.Age());
      const bool vh_dose =
          f.gc_dose_mg && x.P<&CP::giop_vh_dose, "GIOP-03", "GIOP-07", "D8">().Met(*f.gc_dose_mg) &&
          f.gc_days_actual &&
          x.P<&CP::giop_vh_dose_days, "GIOP-03", "GIOP-07", "D8">().Met(*f.gc_days_actual);
      const bool vh_cum =
          f.gc_cumulative_g_year &&
          x.P<&CP::giop_vh_cumulative_g, "GIOP-03", "GIOP-07", "D8">().Met(*f.gc_cumulative_g_year);
      const bool prior_fx = f.fragility_events > 0;
      if (!x.AgeKnown()) {
        cat = kUnknown;
      } else if (young) {
        x.NotFired("GIOP-02", x.Texts().giop_young_no_frax);
        if (prior_fx || vh_dose || vh_cum) {
          cat = kVeryHigh;
          if (x.verbose)
            why = prior_fx  ? "prior osteoporotic fracture"
                  : vh_dose ? x.Texts().giop_vh_dose.view()
                            : x.Texts().giop_vh_cumulative.view();
        } else if (f.gc_dose_mg && x.P<&CP::giop_young_dose, "GIOP-07">().Met(*f.gc_dose_mg) &&
                   f.gc_days_actual &&
                   *f.gc_days_actual >=
                       DaysBetween(f.as_of.AddMonths(-static_cast<int>(
                                       x.P<&CP::giop_young_months, "GIOP-07">().value)),
                                   f.as_of) &&
                   f.z_min && x.P<&CP::giop_young_zscore, "GIOP-07">().MetTenths(*f.z_min)) {
          cat = kModerate;
          if (x.verbose) why = "continuing high-dose glucocorticoid with Z-score " + Tn(*f.z_min);
        }
        x.Trace("GIOP-07", Outcome::kFired,
                "age under " + Num(x.P<&CP::giop_young_age, "GIOP-07">().value, 0) + ": " +
                    (why.empty() ? "low risk" : why));
        for (std::string_view r : {"GIOP-03", "GIOP-04", "GIOP-05", "GIOP-06"})
          x.NotFired(r, x.Texts().giop_young);
      } else {
        x.NotFired("GIOP-07", x.Texts().giop_not_young);
        x.Trace("GIOP-02", f.frax_present ? Outcome::kFired : Outcome::kInsufficientData,
                f.frax_present ? "adjusted FRAX used" : "no FRAX");
        auto frax_ge = [&](const Threshold& mof, const Threshold& hip) {
          return (f.frax_mof && mof.Met(*f.frax_mof)) || (f.frax_hip && hip.Met(*f.frax_hip));
        };
        if (prior_fx || (f.t_min && x.P<&CP::giop_vh_tscore, "GIOP-03">().MetTenths(*f.t_min)) ||
            frax_ge(x.P<&CP::giop_vh_frax_mof, "GIOP-03">(),
                    x.P<&CP::giop_vh_frax_hip, "GIOP-03">()) ||
            vh_dose || vh_cum) {
          cat = kVeryHigh;
          if (!x.verbose) {
          } else if (prior_fx) {
            why = "prior osteoporotic fracture";
          } else if (f.t_min && x.P<&CP::giop_vh_tscore, "GIOP-03">().MetTenths(*f.t_min)) {
            why = "T-score " + Tn(*f.t_min);
          } else {
            why = vh_dose  ? x.Texts().giop_vh_dose.view()
                  : vh_cum ? x.Texts().giop_vh_cumulative.view()
                           : "adjusted FRAX at very-high thresholds";
          }
        } else if ((f.t_min && x.P<&CP::giop_high_tscore, "GIOP-04">().MetTenths(*f.t_min)) ||
                   frax_ge(x.P<&CP::giop_high_frax_mof, "GIOP-04">(),
                           x.P<&CP::giop_high_frax_hip, "GIOP-04">())) {
          cat = kHigh;
          if (x.verbose) why = "T-score or adjusted FRAX in the ACR high range";
        } else if ((f.t_min &&
                    x.P<&CP::giop_mod_tscore, "GIOP-05", "GIOP-06">().MetTenths(*f.t_min)) ||
                   frax_ge(x.P<&CP::giop_mod_frax_mof, "GIOP-05", "GIOP-06">(),
                           x.P<&CP::giop_mod_frax_hip, "GIOP-05", "GIOP-06">())) {
          cat = kModerate;
          if (x.verbose) why = "T-score or adjusted FRAX in the ACR moderate range";
        } else if (!f.t_min && !f.frax_present) {
          cat = kUnknown;
        }
        x.Trace("GIOP-03", cat == kVeryHigh ? Outcome::kFired : Outcome::kNotFired,
                cat == kVeryHigh ? why : "");
        x.Trace("GIOP-04", cat == kHigh ? Outcome::kFired : Outcome::kNotFired,
                cat == kHigh ? why : "");
        x.Trace("GIOP-05", cat == kModerate ? Outcome::kFired : Outcome::kNotFired,
                cat == kModerate ? why + " (ACR moderate is reported as tier high)" : "");
        x.Trace("GIOP-06", cat == kLow ? Outcome::kFired : Outcome::kNotFired,
                cat == kLow ? "low risk" : "");
      }
      if (cat == kUnknown) {
        x.Insufficient("GIOP-08",
                       "no age, T-score or FRAX to classify glucocorticoid fracture risk");
        x.Missing("bmd", "glucocorticoid fracture-risk category (GIOP-03..06)");
        x.NotFired("D6");
        x.NotFired("D8");
      } else if (cat >= kModerate) {
        s.giop_indicated = true;
        s.giop_very_high = cat == kVeryHigh;
        x.Fired("D6", "ACR 2022 treats moderate, high and very high risk");
        x.Trace("D8", s.giop_very_high && vh_dose ? Outcome::kFired : Outcome::kNotFired,
                s.giop_very_high && vh_dose
                    ? "very-high-dose glucocorticoid: very high tier, anabolic first"
                    : "");
        x.Fired("GIOP-08", std::string("ACR ") +
                               (cat == kVeryHigh ? "very high"
                                : cat == kHigh   ? "high"
                                                 : "moderate") +
                               " risk: treatment indicated");
        x.a.treatment_reasons.push_back(
            St{"giop",
               std::string("Glucocorticoid-induced osteoporosis, ACR ") +
                   (cat == kVeryHigh ? "very high"
                    : cat == kHigh   ? "high"
                                     : "moderate") +
                   " risk (" + why + "): treatment indicated.",
               {"GIOP-08", "GIOP-01",
                cat == kVeryHigh ? "GIOP-03"
                : cat == kHigh   ? "GIOP-04"
                : young          ? "GIOP-07"
                                 : "GIOP-05"}});
      } else {
        x.NotFired("GIOP-08", "ACR low risk");
        x.NotFired("D6");
        x.NotFired("D8");
      }
    }
  }
  if (s.giop_indicated) {
    // The higher tier wins; GIOP applies to every adult (overrides the population gate).
    x.a.treatment_indicated = true;
    const RiskTier giop_tier = s.giop_very_high ? RiskTier::kVeryHigh : RiskTier::kHigh;
    if (x.a.risk_tier == RiskTier::kIndeterminate || x.a.risk_tier == RiskTier::kNotIndicated ||
        (giop_tier == RiskTier::kVeryHigh))
      x.a.risk_tier = giop_tier;
    if (f.gc_applies_acr && !bone_drug_active) {
      x.Warn("glucocorticoid_start_protection_now", Severity::kWarning,
             "Systemic glucocorticoid " + Num(*f.gc_dose_mg) +
                 " mg/day for more than 3 months and treatment indicated, with no bone-protective "
                 "drug active: start bone protection now.",
             {"GIOP-01", "GIOP-08"});
    }
  }
}

const Topic kGlucocorticoidsTopic{"glucocorticoids", kRules};

}  // namespace bp::rules
