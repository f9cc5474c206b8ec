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
    const std::string legacy = x.Say<"GIOP-LEGACY", "acr_not_used">();
    for (std::string_view r : kAcrRules) x.NotFired(r, legacy);
    x.NotFired("D6", x.Say<"D6", "legacy">());
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
              f.fragility_events
                  ? x.Say<"GIOP-LEGACY", "fired_fracture", "dose">(Num(*f.gc_dose_mg))
                  : x.Say<"GIOP-LEGACY", "fired_tscore", "dose", "tscore">(Num(*f.gc_dose_mg),
                                                                           Tn(*f.t_min)));
      if (x.verbose)
        x.a.treatment_reasons.push_back(
            St{"giop_legacy", x.Say<"GIOP-LEGACY", "reason">(), {"GIOP-LEGACY"}});
    } else {
      x.NotFired("GIOP-LEGACY");
    }
  } else {
    x.NotFired("GIOP-LEGACY", x.Say<"GIOP-LEGACY", "not_used">());
    if (!f.gc_applies_acr) {
      const std::string scope = x.Say<"GIOP-01", "out_of_scope">();
      for (std::string_view r : kAcrRules) x.NotFired(r, scope);
      x.NotFired("D6");
      x.NotFired("D8");
      x.NotFired("D9");
    } else {
      x.Fired("GIOP-01", x.Say<"GIOP-01", "fired", "dose">(Num(*f.gc_dose_mg)));
      x.Fired("D9", x.Say<"D9", "fired">());
      if (x.verbose)
        x.a.monitoring.push_back(
            St{"giop_bmd", x.Say<"GIOP-01", "monitoring">(), {"GIOP-01", "MON-02"}});
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
        x.NotFired("GIOP-02", x.Say<"GIOP-07", "young_no_frax">());
        if (prior_fx || vh_dose || vh_cum) {
          cat = kVeryHigh;
          why = prior_fx  ? x.Say<"GIOP-03", "prior_fracture">()
                : vh_dose ? x.Say<"GIOP-03", "dose">()
                          : x.Say<"GIOP-03", "cumulative">();
        } else if (f.gc_dose_mg && x.P<&CP::giop_young_dose, "GIOP-07">().Met(*f.gc_dose_mg) &&
                   f.gc_days_actual &&
                   *f.gc_days_actual >=
                       DaysBetween(f.as_of.AddMonths(-static_cast<int>(
                                       x.P<&CP::giop_young_months, "GIOP-07">().value)),
                                   f.as_of) &&
                   f.z_min && x.P<&CP::giop_young_zscore, "GIOP-07">().MetTenths(*f.z_min)) {
          cat = kModerate;
          why = x.Say<"GIOP-07", "moderate", "zscore">(Tn(*f.z_min));
        }
        x.Trace(
            "GIOP-07", Outcome::kFired,
            x.Say<"GIOP-07", "fired", "finding">(why.empty() ? x.Say<"GIOP-06", "fired">() : why));
        const std::string young_text = x.Say<"GIOP-07", "young">();
        for (std::string_view r : {"GIOP-03", "GIOP-04", "GIOP-05", "GIOP-06"})
          x.NotFired(r, young_text);
      } else {
        x.NotFired("GIOP-07", x.Say<"GIOP-07", "not_young">());
        x.Trace("GIOP-02", f.frax_present ? Outcome::kFired : Outcome::kInsufficientData,
                f.frax_present ? x.Say<"GIOP-02", "fired">() : x.Say<"GIOP-02", "no_frax">());
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
            why = x.Say<"GIOP-03", "prior_fracture">();
          } else if (f.t_min && x.P<&CP::giop_vh_tscore, "GIOP-03">().MetTenths(*f.t_min)) {
            why = x.Say<"GIOP-03", "tscore", "tscore">(Tn(*f.t_min));
          } else {
            why = vh_dose  ? x.Say<"GIOP-03", "dose">()
                  : vh_cum ? x.Say<"GIOP-03", "cumulative">()
                           : x.Say<"GIOP-03", "frax">();
          }
        } else if ((f.t_min && x.P<&CP::giop_high_tscore, "GIOP-04">().MetTenths(*f.t_min)) ||
                   frax_ge(x.P<&CP::giop_high_frax_mof, "GIOP-04">(),
                           x.P<&CP::giop_high_frax_hip, "GIOP-04">())) {
          cat = kHigh;
          why = x.Say<"GIOP-04", "fired">();
        } else if ((f.t_min &&
                    x.P<&CP::giop_mod_tscore, "GIOP-05", "GIOP-06">().MetTenths(*f.t_min)) ||
                   frax_ge(x.P<&CP::giop_mod_frax_mof, "GIOP-05", "GIOP-06">(),
                           x.P<&CP::giop_mod_frax_hip, "GIOP-05", "GIOP-06">())) {
          cat = kModerate;
          why = x.Say<"GIOP-05", "fired">();
        } else if (!f.t_min && !f.frax_present) {
          cat = kUnknown;
        }
        x.Trace("GIOP-03", cat == kVeryHigh ? Outcome::kFired : Outcome::kNotFired,
                cat == kVeryHigh ? why : "");
        x.Trace("GIOP-04", cat == kHigh ? Outcome::kFired : Outcome::kNotFired,
                cat == kHigh ? why : "");
        x.Trace("GIOP-05", cat == kModerate ? Outcome::kFired : Outcome::kNotFired,
                cat == kModerate ? x.Say<"GIOP-05", "as_high", "finding">(why) : std::string());
        x.Trace("GIOP-06", cat == kLow ? Outcome::kFired : Outcome::kNotFired,
                cat == kLow ? x.Say<"GIOP-06", "fired">() : std::string());
      }
      if (cat == kUnknown) {
        x.Insufficient("GIOP-08", x.Say<"GIOP-08", "insufficient">());
        x.Missing("bmd", x.Say<"GIOP-08", "needs_bmd">());
        x.NotFired("D6");
        x.NotFired("D8");
      } else if (cat >= kModerate) {
        s.giop_indicated = true;
        s.giop_very_high = cat == kVeryHigh;
        x.Fired("D6", x.Say<"D6", "fired">());
        x.Trace("D8", s.giop_very_high && vh_dose ? Outcome::kFired : Outcome::kNotFired,
                s.giop_very_high && vh_dose ? x.Say<"D8", "fired">() : std::string());
        x.Fired("GIOP-08", cat == kVeryHigh ? x.Say<"GIOP-08", "fired_very_high">()
                           : cat == kHigh   ? x.Say<"GIOP-08", "fired_high">()
                                            : x.Say<"GIOP-08", "fired_moderate">());
        if (x.verbose)
          x.a.treatment_reasons.push_back(
              St{"giop",
                 cat == kVeryHigh ? x.Say<"GIOP-08", "reason_very_high", "finding">(why)
                 : cat == kHigh   ? x.Say<"GIOP-08", "reason_high", "finding">(why)
                                  : x.Say<"GIOP-08", "reason_moderate", "finding">(why),
                 {"GIOP-08", "GIOP-01",
                  cat == kVeryHigh ? "GIOP-03"
                  : cat == kHigh   ? "GIOP-04"
                  : young          ? "GIOP-07"
                                   : "GIOP-05"}});
      } else {
        x.NotFired("GIOP-08", x.Say<"GIOP-08", "low">());
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
             x.Say<"GIOP-01", "start_now", "dose">(Num(*f.gc_dose_mg)), {"GIOP-01", "GIOP-08"});
    }
  }
}

const Topic kGlucocorticoidsTopic{"glucocorticoids", kRules};

}  // namespace bp::rules
