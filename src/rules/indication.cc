// Whether treatment is indicated (diagnosis and treatment-threshold rules).
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CONV-INDETERMINATE",
                                       "CONV-DX-RECORDED",
                                       "DX-01",
                                       "DX-02",
                                       "TX-01",
                                       "TX-02",
                                       "TX-03",
                                       "TX-04",
                                       "TX-05",
                                       "TX-06",
                                       "D18",
                                       "D31",
                                       "D32",
                                       "D33"};
}  // namespace

// DX / TX: is treatment indicated (for the T-score population)?
void Indication(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  s.recorded_dx = FindCondition(p, ConditionCode::kOsteoporosis) != nullptr;
  s.vertebral_fx = std::any_of(f.events.begin(), f.events.end(), [](const FractureEvent& e) {
    return e.site == FractureSite::kVertebral;
  });
  s.neuro_deficit = s.vertebral_fx && p.spine.neurological_deficit.value_or(false);
  // Catalogue §6.H.4 (VCF-03R): a fracture marked pathologic, or a recent vertebral fracture
  // (12 months, or undated with back pain) with spine red flags or an active coded malignancy.
  bool recent_vertebral = false;
  for (const auto& e : f.events)
    if (e.site == FractureSite::kVertebral &&
        (e.date ? WithinMonths(*e.date, f.as_of, x.P<&CP::fls_window_months, "RISK-04">())
                : (p.spine.pain && *p.spine.pain != SpinePain::kNone)))
      recent_vertebral = true;
  const bool coded_malignancy = x.f.HasActive(p, ConditionCode::kBoneMetastases) ||
                                x.f.HasActive(p, ConditionCode::kSkeletalMalignancy) ||
                                x.f.HasActive(p, ConditionCode::kMultipleMyeloma) ||
                                x.f.HasActive(p, ConditionCode::kProstateCancer) ||
                                x.f.HasActive(p, ConditionCode::kBreastCancer) ||
                                x.f.HasActive(p, ConditionCode::kActiveMalignancy);
  s.pathologic =
      f.any_pathologic || (recent_vertebral && (!p.spine.red_flags.empty() || coded_malignancy));
  s.malignancy = x.f.HasActive(p, ConditionCode::kBoneMetastases) ||
                 x.f.HasActive(p, ConditionCode::kMultipleMyeloma) ||
                 x.f.HasActive(p, ConditionCode::kSkeletalMalignancy);

  // DX-01 WHO category.
  if (!x.verbose) {
  } else if (f.t_min) {
    const std::string cat =
        x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
                .MetTenths(*f.t_min)
            ? (f.fragility_events ? x.Say<"DX-01", "severe_osteoporosis">()
                                  : x.Say<"DX-01", "osteoporosis">())
        : x.P<&CP::tx_tscore_low_bone_mass, "DX-01", "TX-03", "TX-04", "TX-05">().MetTenths(
              *f.t_min)
            ? x.Say<"DX-01", "low_bone_mass">()
            : x.Say<"DX-01", "normal">();
    x.Fired("DX-01", f.t_min_date
                         ? x.Say<"DX-01", "fired_dated", "tscore", "site", "date", "category">(
                               Tn(*f.t_min), SiteName(x, *f.t_min_site), Dt(f.t_min_date), cat)
                         : x.Say<"DX-01", "fired", "tscore", "site", "category">(
                               Tn(*f.t_min), SiteName(x, *f.t_min_site), cat));
    if (f.t_min_date && f.latest_dxa && *f.t_min_date < *f.latest_dxa)
      x.Fired("D32", x.Say<"D32", "fired", "date">(Dt(f.t_min_date)));
    else
      x.NotFired("D32");
    if (*f.t_min_site == BmdSite::kRadius33)
      x.Fired("D33", x.Say<"D33", "fired">());
    else
      x.NotFired("D33");
  } else {
    x.Insufficient("DX-01", x.Say<"DX-01", "insufficient">());
    x.NotFired("D32");
    x.NotFired("D33");
  }
  // DX-02 Z-score.
  if (f.z_min && x.P<&CP::zscore_below_expected, "DX-02", "TX-06">().MetTenths(*f.z_min))
    x.Fired("DX-02", x.Say<"DX-02", "fired", "zscore">(Tn(*f.z_min)));
  else
    x.NotFired("DX-02", f.z_min ? x.Say<"DX-02", "within", "zscore">(Tn(*f.z_min))
                                : x.Say<"DX-02", "no_zscore">());

  if (s.outside_population) {
    const bool secondary = x.f.HasActive(p, ConditionCode::kHyperparathyroidism) ||
                           x.f.HasActive(p, ConditionCode::kHyperthyroidism) ||
                           x.f.HasActive(p, ConditionCode::kCushingSyndrome) ||
                           x.f.HasActive(p, ConditionCode::kMalabsorption) ||
                           x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
                           x.f.HasActive(p, ConditionCode::kHypogonadism) ||
                           x.f.HasActive(p, ConditionCode::kAnorexiaNervosa) ||
                           x.f.HasActive(p, ConditionCode::kHyperprolactinemia) ||
                           x.f.HasActive(p, ConditionCode::kInflammatoryBowelDisease);
    const bool low_z =
        f.z_min && x.P<&CP::zscore_below_expected, "DX-02", "TX-06">().MetTenths(*f.z_min);
    if (f.fragility_events || low_z || secondary || s.recorded_dx) {
      x.a.treatment_indicated = std::nullopt;
      x.a.risk_tier = RiskTier::kIndeterminate;
      const std::string why = !x.verbose           ? std::string()
                              : f.fragility_events ? x.Say<"TX-06", "why_fracture">()
                              : low_z              ? x.Say<"TX-06", "why_low_z">()
                              : secondary          ? x.Say<"TX-06", "why_secondary">()
                                                   : x.Say<"TX-06", "why_recorded">();
      x.Fired("TX-06", x.Say<"TX-06", "specialist", "why">(why));
      if (x.verbose)
        x.a.treatment_reasons.push_back(St{"outside_population",
                                           x.Say<"TX-06", "reason_specialist", "why">(why),
                                           {"TX-06", "CALC-07"}});
    } else {
      x.a.treatment_indicated = false;
      x.a.risk_tier = RiskTier::kNotIndicated;
      x.Fired("TX-06", x.Say<"TX-06", "not_indicated">());
      if (x.verbose)
        x.a.treatment_reasons.push_back(
            St{"not_indicated", x.Say<"TX-06", "reason_not_indicated">(), {"TX-06", "CALC-07"}});
    }
    const std::string not_applied = x.Say<"TX-06", "not_applied">();
    for (std::string_view r :
         {"TX-01", "TX-02", "TX-03", "TX-04", "TX-05", "CONV-DX-RECORDED", "D31", "D18"})
      x.NotFired(r, not_applied);
    return;
  }
  x.NotFired("TX-06", s.population_unknown ? x.Say<"TX-06", "population_unknown">()
                                           : x.Say<"TX-06", "in_population">());

  std::vector<Statement>& reasons = x.a.treatment_reasons;
  bool indicated = false;
  // TX-01.
  const FractureEvent* hipvert = nullptr;
  for (const auto& e : f.events)
    if (e.fragility && e.HipOrVertebral()) hipvert = &e;
  if (hipvert) {
    indicated = true;
    x.Fired("TX-01", x.Say<"TX-01", "fired", "fracture">(FxName(x, *hipvert)));
    if (x.verbose)
      reasons.push_back(St{"hip_vertebral_fracture",
                           x.Say<"TX-01", "reason", "fracture">(FxName(x, *hipvert)),
                           {"TX-01"}});
  } else {
    x.NotFired("TX-01", x.Say<"TX-01", "not_fired">());
  }
  // TX-02.
  if (f.t_min &&
      x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
          .MetTenths(*f.t_min)) {
    indicated = true;
    if (x.verbose) {
      x.Fired("TX-02", x.Say<"TX-02", "fired", "tscore">(Tn(*f.t_min)));
      RuleIds r = {"TX-02", "DX-01"};
      if (f.t_min_date && f.latest_dxa && *f.t_min_date < *f.latest_dxa) r.push_back("D32");
      if (*f.t_min_site == BmdSite::kRadius33) r.push_back("D33");
      reasons.push_back(St{
          "osteoporotic_t_score",
          x.Say<"TX-02", "reason", "tscore", "site">(Tn(*f.t_min), SiteName(x, *f.t_min_site)), r});
    }
  } else {
    x.NotFired("TX-02", f.t_min ? x.Say<"TX-02", "not_fired", "tscore">(Tn(*f.t_min))
                                : x.Say<"TX-02", "no_tscore">());
  }
  // CONV-DX-RECORDED.
  if (s.recorded_dx) {
    indicated = true;
    x.Fired("CONV-DX-RECORDED", x.Say<"CONV-DX-RECORDED", "fired">());
    if (x.verbose)
      reasons.push_back(
          St{"recorded_diagnosis", x.Say<"CONV-DX-RECORDED", "reason">(), {"CONV-DX-RECORDED"}});
  } else {
    x.NotFired("CONV-DX-RECORDED");
  }
  // TX-03 (FRAX).
  const bool low_bone_mass_central =
      f.t_min_central &&
      !x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
           .MetTenths(*f.t_min_central) &&
      x.P<&CP::tx_tscore_low_bone_mass, "DX-01", "TX-03", "TX-04", "TX-05">().MetTenths(
          *f.t_min_central);
  const bool frax_population =
      x.P<&CP::tx_frax_requires_low_bone_mass, "TX-03", "D18">()
          ? low_bone_mass_central
          : !(f.t_min &&
              x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
                  .MetTenths(*f.t_min));
  const bool us_model = !p.frax || p.frax->model.empty() || p.frax->model == "US" ||
                        p.frax->model == "us" || p.frax->model == "USA";
  // CALC-07: FRAX applies from 40 to 90. Under 40 it is not used; over 90 the FRAX tool computes
  // at 90, so a reported figure is used as the age-90 estimate (said in the trace).
  const bool frax_too_young =
      x.AgeKnown() && !x.P<&CP::frax_min_age, "CALC-07", "TX-03">().Met(x.Age());
  if (f.frax_present && x.AgeKnown() && !x.P<&CP::frax_max_age, "CALC-07">().Met(x.Age()))
    x.Fired("CALC-07", x.Say<"CALC-07", "above_frax_range", "age">(Num(x.Age(), 0)));
  auto frax_meets = [&](const Threshold& mof, const Threshold& hip) {
    // Reported FRAX compared in tenths; adjusted FRAX unrounded.
    bool m = false, h = false;
    if (f.frax_mof)
      m = f.frax_gc_adjusted_here ? mof.Met(*f.frax_mof)
                                  : mof.MetTenths(*p.frax->major_osteoporotic_pct);
    if (f.frax_hip)
      h = f.frax_gc_adjusted_here ? hip.Met(*f.frax_hip) : hip.MetTenths(*p.frax->hip_pct);
    return m || h;
  };
  bool tx03_missing = false;
  if (frax_population && f.frax_present && us_model && !frax_too_young &&
      frax_meets(x.P<&CP::tx_frax_mof, "TX-03">(), x.P<&CP::tx_frax_hip, "TX-03">())) {
    indicated = true;
    if (x.verbose) {
      const Cat mof = f.frax_mof ? Num(*f.frax_mof) : Cat("n/a");
      const Cat hip = f.frax_hip ? Num(*f.frax_hip) : Cat("n/a");
      x.Fired("TX-03", x.Say<"TX-03", "fired", "mof", "hip">(mof, hip));
      RuleIds r = {"TX-03"};
      if (!x.P<&CP::tx_frax_requires_low_bone_mass, "TX-03", "D18">()) r.push_back("D18");
      if (f.frax_gc_adjusted_here) r.push_back("CALC-06");
      reasons.push_back(St{"frax_threshold",
                           low_bone_mass_central
                               ? x.Say<"TX-03", "reason_low_bone_mass", "mof", "hip">(mof, hip)
                               : x.Say<"TX-03", "reason", "mof", "hip">(mof, hip),
                           r});
    }
  } else if (frax_population &&
             (!f.frax_present || !us_model || f.frax_gc_adjust_unknown || frax_too_young)) {
    tx03_missing = !indicated;
    x.Insufficient("TX-03", !f.frax_present  ? x.Say<"TX-03", "no_frax">()
                            : frax_too_young ? x.Say<"TX-03", "too_young">()
                            : !us_model      ? x.Say<"TX-03", "not_us">()
                                             : x.Say<"TX-03", "gc_unknown">());
    if (!indicated && !frax_too_young)
      x.Missing(!f.frax_present ? "frax"
                : !us_model     ? "frax.model"
                                : "medications[glucocorticoid].dose_mg_per_day",
                x.Say<"TX-03", "needs_frax">());
  } else {
    x.NotFired("TX-03",
               frax_population ? x.Say<"TX-03", "below">() : x.Say<"TX-03", "not_low_bone_mass">());
  }
  if (x.P<&CP::tx_frax_requires_low_bone_mass, "TX-03", "D18">())
    x.NotFired("D18", x.Say<"D18", "not_fired">());
  // TX-04.
  const bool low_bone_mass_any =
      f.t_min &&
      !x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
           .MetTenths(*f.t_min) &&
      x.P<&CP::tx_tscore_low_bone_mass, "DX-01", "TX-03", "TX-04", "TX-05">().MetTenths(*f.t_min);
  const FractureEvent* tx04 = nullptr;
  for (const auto& e : f.events) {
    if (!e.fragility) continue;
    const bool site = e.site == FractureSite::kHumerus || e.site == FractureSite::kPelvis ||
                      ((e.site == FractureSite::kWrist || e.site == FractureSite::kForearm) &&
                       x.P<&CP::tx_low_bmd_fx_forearm, "TX-04">());
    if (site) tx04 = &e;
  }
  if (low_bone_mass_any && tx04) {
    indicated = true;
    x.Fired("TX-04", x.Say<"TX-04", "fired", "fracture">(FxName(x, *tx04)));
    if (x.verbose)
      reasons.push_back(St{"low_bone_mass_fracture",
                           x.P<&CP::tx_low_bmd_fx_forearm, "TX-04">()
                               ? x.Say<"TX-04", "reason_forearm", "fracture">(FxName(x, *tx04))
                               : x.Say<"TX-04", "reason", "fracture">(FxName(x, *tx04)),
                           {"TX-04"}});
  } else {
    x.NotFired("TX-04");
  }
  // D31: fragility fracture with normal BMD.
  const FractureEvent* any_fragility = nullptr;
  for (const auto& e : f.events)
    if (e.fragility) any_fragility = &e;
  // "Normal BMD" here is every T-score above the low-bone-mass bound (README: > -1.0); a T-score
  // of exactly -1.0 is not low bone mass either, so it qualifies for neither.
  const bool normal_bmd = f.t_min && *f.t_min > LowBoneMassBoundTenths<"D31">(x);
  if (any_fragility && normal_bmd) {
    x.Fired("D31", x.Say<"D31", "fired", "fracture">(FxName(x, *any_fragility)));
    x.Warn("fragility_fracture_with_normal_bmd", Severity::kWarning,
           x.Say<"D31", "warning", "tscore">(Tn(*f.t_min)), {"D31", "REF-02"});
    if (x.P<&CP::fragility_fracture_normal_bmd_indicates, "TX-04", "D31">() && !indicated) {
      indicated = true;
      if (x.verbose)
        reasons.push_back(
            St{"fragility_fracture_clinical_diagnosis", x.Say<"D31", "reason">(), {"D31"}});
    }
  } else {
    x.NotFired("D31");
  }

  if (indicated && !s.population_unknown) {
    x.a.treatment_indicated = true;
    x.NotFired("TX-05");
    x.NotFired("CONV-INDETERMINATE");
    return;
  }
  // Not indicated by the rules: is there enough data to say no?
  const bool nothing = !f.t_min && !f.frax_present && f.events.empty() && !s.recorded_dx;
  // Why the data cannot decide (decided here; the words only for the returned assessment).
  const bool undecided = s.population_unknown || !f.t_min || tx03_missing ||
                         (f.any_mechanism_unknown &&
                          std::any_of(f.events.begin(), f.events.end(), [](const FractureEvent& e) {
                            return e.mechanism_unknown && e.HipOrVertebral();
                          }));
  if (undecided) {
    x.a.treatment_indicated = std::nullopt;
    x.a.risk_tier = RiskTier::kIndeterminate;
    const std::string missing_why = s.population_unknown
                                        ? x.Say<"CONV-INDETERMINATE", "why_population">()
                                    : !f.t_min     ? x.Say<"CONV-INDETERMINATE", "why_no_tscore">()
                                    : tx03_missing ? x.Say<"CONV-INDETERMINATE", "why_no_frax">()
                                                   : x.Say<"CONV-INDETERMINATE", "why_mechanism">();
    x.Fired("CONV-INDETERMINATE", nothing
                                      ? x.Say<"CONV-INDETERMINATE", "nothing">()
                                      : x.Say<"CONV-INDETERMINATE", "fired", "why">(missing_why));
    if (!f.t_min) x.Missing("bmd", x.Say<"DX-01", "needs_bmd">());
    if (x.verbose)
      x.a.treatment_reasons.push_back(St{"insufficient_data",
                                         x.Say<"CONV-INDETERMINATE", "reason", "why">(missing_why),
                                         {"CONV-INDETERMINATE"}});
    x.Insufficient("TX-05", missing_why);
    return;
  }
  x.NotFired("CONV-INDETERMINATE");
  x.a.treatment_indicated = false;
  x.a.risk_tier = RiskTier::kNotIndicated;
  x.Fired("TX-05", f.frax_present ? x.Say<"TX-05", "fired_frax", "tscore">(Tn(*f.t_min))
                                  : x.Say<"TX-05", "fired", "tscore">(Tn(*f.t_min)));
  if (x.verbose)
    x.a.treatment_reasons.push_back(St{
        "not_indicated",
        f.frax_present ? x.Say<"TX-05", "reason_frax", "tscore", "mof", "hip">(
                             Tn(*f.t_min), Num(f.frax_mof.value_or(0)), Num(f.frax_hip.value_or(0)))
                       : x.Say<"TX-05", "reason", "tscore">(Tn(*f.t_min)),
        {"TX-05"}});
  if (x.f.female && x.AgeKnown() && x.P<&CP::acp_osteopenia_age, "TX-05">().Met(x.Age()) &&
      low_bone_mass_any) {
    s.acp_osteopenia = true;
    x.Warn("acp_osteopenia_over_65", Severity::kInfo, x.Say<"TX-05", "acp_osteopenia">(),
           {"TX-05"});
  }
}

const Topic kIndicationTopic{"indication", kRules};

}  // namespace bp::rules
