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
    const char* cat =
        x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
                .MetTenths(*f.t_min)
            ? (f.fragility_events ? "severe osteoporosis" : "osteoporosis")
        : x.P<&CP::tx_tscore_low_bone_mass, "DX-01", "TX-03", "TX-04", "TX-05">().MetTenths(
              *f.t_min)
            ? "low bone mass"
            : "normal";
    x.Fired("DX-01", "lowest T-score on record " + Tn(*f.t_min) + " at " + SiteName(*f.t_min_site) +
                         (f.t_min_date ? " (" + Dt(f.t_min_date) + ")" : "") + ": " + cat);
    if (f.t_min_date && f.latest_dxa && *f.t_min_date < *f.latest_dxa)
      x.Fired("D32", "the diagnosis from the " + Dt(f.t_min_date) +
                         " scan persists although the latest scan is better");
    else
      x.NotFired("D32");
    if (*f.t_min_site == BmdSite::kRadius33)
      x.Fired("D33", "the 1/3 radius counts for diagnosis");
    else
      x.NotFired("D33");
  } else {
    x.Insufficient("DX-01", "no T-score on record");
    x.NotFired("D32");
    x.NotFired("D33");
  }
  // DX-02 Z-score.
  if (f.z_min && x.P<&CP::zscore_below_expected, "DX-02", "TX-06">().MetTenths(*f.z_min))
    x.Fired("DX-02", "Z-score " + Tn(*f.z_min) + " " +
                         Desc(x.P<&CP::zscore_below_expected, "DX-02", "TX-06">(), "") +
                         ": below the expected range for age");
  else
    x.NotFired("DX-02",
               f.z_min ? "Z-score " + Tn(*f.z_min) + ": within the expected range" : "no Z-score");

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
                              : f.fragility_events ? "a fragility fracture"
                              : low_z              ? "a Z-score below the expected range"
                              : secondary          ? "a secondary cause of bone loss"
                                                   : "a recorded diagnosis of osteoporosis";
      x.Fired("TX-06", "outside the T-score population with " + why +
                           ": T-score and FRAX thresholds do not apply; a specialist decides");
      x.a.treatment_reasons.push_back(
          St{"outside_population",
             "Outside the populations the T-score and FRAX thresholds were made for "
             "(premenopausal "
             "woman or man under 50) with " +
                 why + ": a specialist decides whether and how to treat.",
             {"TX-06", "CALC-07"}});
    } else {
      x.a.treatment_indicated = false;
      x.a.risk_tier = RiskTier::kNotIndicated;
      x.Fired("TX-06",
              "outside the T-score population, no fragility fracture, Z-score within "
              "range and no secondary cause: not indicated");
      x.a.treatment_reasons.push_back(
          St{"not_indicated",
             "Outside the T-score population, with no fragility fracture, low Z-score or known "
             "secondary cause: osteoporosis drug treatment is not indicated.",
             {"TX-06", "CALC-07"}});
    }
    for (std::string_view r :
         {"TX-01", "TX-02", "TX-03", "TX-04", "TX-05", "CONV-DX-RECORDED", "D31", "D18"})
      x.NotFired(r, "not applied outside the T-score population (TX-06)");
    return;
  }
  x.NotFired("TX-06", s.population_unknown ? "population unknown" : "in the T-score population");

  List<Statement>& reasons = x.a.treatment_reasons;
  bool indicated = false;
  // TX-01.
  const FractureEvent* hipvert = nullptr;
  for (const auto& e : f.events)
    if (e.fragility && e.HipOrVertebral()) hipvert = &e;
  if (hipvert) {
    indicated = true;
    x.Fired("TX-01", "hip or vertebral fragility fracture: " + FxName(*hipvert));
    reasons.push_back(St{"hip_vertebral_fracture",
                         "Hip or vertebral fragility fracture (" + FxName(*hipvert) +
                             "): treatment is indicated regardless of BMD.",
                         {"TX-01"}});
  } else {
    x.NotFired("TX-01", "no hip or vertebral fragility fracture");
  }
  // TX-02.
  if (f.t_min &&
      x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04", "D32", "D33">()
          .MetTenths(*f.t_min)) {
    indicated = true;
    if (x.verbose) {
      x.Fired("TX-02", "lowest T-score " + Tn(*f.t_min) + " " +
                           Desc(x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03", "TX-04",
                                    "D32", "D33">(),
                                ""));
      RuleIds r = {"TX-02", "DX-01"};
      if (f.t_min_date && f.latest_dxa && *f.t_min_date < *f.latest_dxa) r.push_back("D32");
      if (*f.t_min_site == BmdSite::kRadius33) r.push_back("D33");
      reasons.push_back(St{"osteoporotic_t_score",
                           "Osteoporotic T-score: " + Tn(*f.t_min) + " at " +
                               SiteName(*f.t_min_site) + " (" +
                               Desc(x.P<&CP::tx_tscore_osteoporosis, "DX-01", "TX-02", "TX-03",
                                        "TX-04", "D32", "D33">(),
                                    "") +
                               ").",
                           r});
    }
  } else {
    x.NotFired("TX-02", f.t_min ? "lowest T-score " + Tn(*f.t_min) : "no T-score");
  }
  // CONV-DX-RECORDED.
  if (s.recorded_dx) {
    indicated = true;
    x.Fired("CONV-DX-RECORDED", "a clinician-recorded diagnosis of osteoporosis");
    reasons.push_back(St{"recorded_diagnosis",
                         "A clinician has recorded a diagnosis of osteoporosis: it counts as "
                         "osteoporosis (clinical diagnosis).",
                         {"CONV-DX-RECORDED"}});
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
  const bool frax_too_young = x.AgeKnown() && !x.P<&CP::frax_min_age, "CALC-07">().Met(x.Age());
  if (f.frax_present && x.AgeKnown() && !x.P<&CP::frax_max_age, "CALC-07">().Met(x.Age()))
    x.Fired("CALC-07", "age " + Num(x.Age(), 0) +
                           " is above FRAX's range: the FRAX figure is the age-" +
                           Num(x.P<&CP::frax_max_age, "CALC-07">().value, 0) + " estimate");
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
      const std::string fx = "FRAX major osteoporotic " +
                             (f.frax_mof ? Num(*f.frax_mof) : std::string("n/a")) + " %, hip " +
                             (f.frax_hip ? Num(*f.frax_hip) : std::string("n/a")) + " %";
      x.Fired("TX-03", fx + " meets " + Desc(x.P<&CP::tx_frax_mof, "TX-03">(), "%") + " or " +
                           Desc(x.P<&CP::tx_frax_hip, "TX-03">(), "%"));
      RuleIds r = {"TX-03"};
      if (!x.P<&CP::tx_frax_requires_low_bone_mass, "TX-03", "D18">()) r.push_back("D18");
      if (f.frax_gc_adjusted_here) r.push_back("CALC-06");
      reasons.push_back(St{"frax_threshold",
                           (low_bone_mass_central ? "Low bone mass with " : "") + fx +
                               " (thresholds " + Desc(x.P<&CP::tx_frax_mof, "TX-03">(), "%") +
                               " or hip " + Desc(x.P<&CP::tx_frax_hip, "TX-03">(), "%") + ").",
                           r});
    }
  } else if (frax_population &&
             (!f.frax_present || !us_model || f.frax_gc_adjust_unknown || frax_too_young)) {
    tx03_missing = !indicated;
    x.Insufficient("TX-03", !f.frax_present  ? "low bone mass but no FRAX"
                            : frax_too_young ? "FRAX does not apply under age 40"
                            : !us_model      ? "FRAX is not the US model"
                                        : "FRAX cannot be adjusted: glucocorticoid dose unknown");
    if (!indicated && !frax_too_young)
      x.Missing(!f.frax_present ? "frax"
                : !us_model     ? "frax.model"
                                : "medications[glucocorticoid].dose_mg_per_day",
                "US FRAX for low bone mass (TX-03)");
  } else {
    x.NotFired("TX-03", frax_population
                            ? "FRAX below " + Desc(x.P<&CP::tx_frax_mof, "TX-03">(), "%") +
                                  " and " + Desc(x.P<&CP::tx_frax_hip, "TX-03">(), "%")
                            : "not low bone mass");
  }
  if (x.P<&CP::tx_frax_requires_low_bone_mass, "TX-03", "D18">())
    x.NotFired("D18", "FRAX thresholds applied to low bone mass only");
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
    x.Fired("TX-04", "low bone mass with a fragility fracture of the " + FxName(*tx04));
    reasons.push_back(St{
        "low_bone_mass_fracture",
        "Low bone mass with a fragility fracture of the " + FxName(*tx04) +
            " (proximal humerus or pelvis" +
            (x.P<&CP::tx_low_bmd_fx_forearm, "TX-04">() ? ", or distal forearm under this profile"
                                                        : "") +
            "): clinical diagnosis of osteoporosis.",
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
    x.Fired("D31",
            "fragility fracture (" + FxName(*any_fragility) + ") with every T-score > " +
                Num(x.P<&CP::tx_tscore_low_bone_mass, "DX-01", "TX-03", "TX-04", "TX-05">().value));
    x.Warn("fragility_fracture_with_normal_bmd", Severity::kWarning,
           "Fragility fracture with normal BMD (lowest T-score " + Tn(*f.t_min) +
               "): specialist evaluation for underlying metabolic bone disease.",
           {"D31", "REF-02"});
    if (x.P<&CP::fragility_fracture_normal_bmd_indicates, "TX-04", "D31">() && !indicated) {
      indicated = true;
      reasons.push_back(St{"fragility_fracture_clinical_diagnosis",
                           "A fragility fracture is a clinical diagnosis of osteoporosis even with "
                           "a normal T-score (AACE 2020, this profile).",
                           {"D31"}});
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
  const char* missing_why = "";
  if (s.population_unknown)
    missing_why = "age or menopausal status unknown";
  else if (!f.t_min)
    missing_why = "no DXA T-score";
  else if (tx03_missing)
    missing_why = "low bone mass without a usable US FRAX";
  else if (f.any_mechanism_unknown &&
           std::any_of(f.events.begin(), f.events.end(), [](const FractureEvent& e) {
             return e.mechanism_unknown && e.HipOrVertebral();
           }))
    missing_why = "a hip or vertebral fracture of unknown mechanism";
  if (*missing_why != '\0') {
    x.a.treatment_indicated = std::nullopt;
    x.a.risk_tier = RiskTier::kIndeterminate;
    x.Fired("CONV-INDETERMINATE", nothing
                                      ? "no DXA, no FRAX, no fragility fracture and no recorded "
                                        "diagnosis: not enough to decide"
                                      : std::string(missing_why) + ": not enough to decide");
    if (!f.t_min)
      x.Missing("bmd", "diagnosis and treatment indication (DX-01, TX-02, TX-03, TX-04)");
    x.a.treatment_reasons.push_back(
        St{"insufficient_data",
           "Not enough data to decide whether treatment is indicated (" + std::string(missing_why) +
               "): see missing data.",
           {"CONV-INDETERMINATE"}});
    x.Insufficient("TX-05", missing_why);
    return;
  }
  x.NotFired("CONV-INDETERMINATE");
  x.a.treatment_indicated = false;
  x.a.risk_tier = RiskTier::kNotIndicated;
  x.Fired("TX-05", "no indication: lowest T-score " + Tn(*f.t_min) +
                       (f.frax_present ? ", FRAX below thresholds" : ""));
  x.a.treatment_reasons.push_back(
      St{"not_indicated",
         "No treatment indication under the BHOF thresholds (lowest T-score " + Tn(*f.t_min) +
             (f.frax_present ? ", FRAX major osteoporotic " + Num(f.frax_mof.value_or(0)) +
                                   " %, hip " + Num(f.frax_hip.value_or(0)) + " %"
                             : "") +
             "): calcium, vitamin D, exercise, falls prevention and repeat DXA.",
         {"TX-05"}});
  if (x.f.female && x.AgeKnown() && x.P<&CP::acp_osteopenia_age, "TX-05">().Met(x.Age()) &&
      low_bone_mass_any) {
    s.acp_osteopenia = true;
    x.Warn("acp_osteopenia_over_65", Severity::kInfo,
           "Woman over " + Num(x.P<&CP::acp_osteopenia_age, "TX-05">().value, 0) +
               " with low bone mass: ACP suggests an individualized decision about a "
               "bisphosphonate.",
           {"TX-05"});
  }
}

const Topic kIndicationTopic{"indication", kRules};

}  // namespace bp::rules
