// Zoledronic acid pre-infusion checks.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CONV-ZA-STATUS", "CONV-STALE", "PRE-01", "PRE-02", "PRE-03",
                                       "PRE-04",         "PRE-05",     "PRE-06", "PRE-07", "PRE-08",
                                       "PRE-09",         "PRE-10",     "PRE-12", "D12"};
}  // namespace

// PRE: zoledronic acid pre-infusion checks and status (first match wins, CONV-ZA-STATUS).
void Infusion(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  auto& checks = a.pre_infusion;
  checks.reserve(11);  // one per check below
  bool missing = false, correctable = false;
  std::vector<Statement> fixes;

  // PRE-01 renal.
  {
    PreCheck k{
        PreCheckKind::kCreatinineClearance, CheckStatus::kUnknown, "", {"PRE-01", "CALC-01"}};
    const bool fresh =
        f.creatinine &&
        f.creatinine->Fresh(
            x.P<&CP::creatinine_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-01">());
    if (f.crcl && x.P<&CP::za_crcl, "CONV-ZA-STATUS", "PRE-01">().Met(*f.crcl)) {
      k.status = CheckStatus::kFail;
      k.text = x.Say<"PRE-01", "fail", "crcl">(Num(*f.crcl));
    } else if (!f.crcl) {
      k.text = x.Say<"PRE-01", "no_crcl">();
      missing = true;
    } else if (!fresh) {
      k.text = f.creatinine->age_days ? x.Say<"PRE-01", "stale", "crcl", "days">(
                                            Num(*f.crcl), Int(*f.creatinine->age_days))
                                      : x.Say<"PRE-01", "stale_undated", "crcl">(Num(*f.crcl));
      missing = true;
      x.Missing(x.Say<"PRE-01", "missing_field">(), x.Say<"PRE-01", "missing">());
      x.Stale(x.Say<"CONV-STALE", "creatinine">());
    } else {
      k.status = CheckStatus::kPass;
      k.text = x.Say<"PRE-01", "pass", "crcl">(Num(*f.crcl));
    }
    x.Trace("PRE-01",
            k.status == CheckStatus::kFail      ? Outcome::kFired
            : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                : Outcome::kNotFired,
            k.text);
    checks.push_back(std::move(k));
  }
  // Acute renal impairment.
  const bool aki = x.f.HasActive(p, ConditionCode::kAcuteKidneyInjury);
  checks.push_back(Pc{PreCheckKind::kAcuteRenalImpairment,
                      aki ? CheckStatus::kFail : CheckStatus::kPass,
                      aki ? x.Say<"PRE-01", "aki">() : x.Say<"PRE-01", "no_aki">(),
                      {"CI-01", "PRE-01"}});
  // PRE-02 calcium.
  {
    PreCheck k{
        PreCheckKind::kSerumCalcium, CheckStatus::kUnknown, "", {"PRE-02", "CALC-04", "CI-11"}};
    const LabValue* src = f.ionized_calcium ? &*f.ionized_calcium
                          : f.calcium       ? &*f.calcium
                                            : nullptr;
    const int max_age_days =
        x.P<&CP::calcium_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-02">();
    const bool fresh = src && src->Fresh(max_age_days);
    // Too old to use: the calcium is listed as missing for PRE-02 and as stale (CONV-STALE).
    const auto missing_as_stale = [&] {
      x.Missing(x.Say<"PRE-02", "missing_field">(), x.Say<"PRE-02", "missing">());
      x.Stale(x.Say<"CONV-STALE", "calcium">());
    };
    // Stale data blocks before a correctable failure (CONV-ZA-STATUS): a low value from months
    // ago says what to correct, not that the infusion can follow the correction.
    if (src && !fresh && f.hypocalcemia) {
      missing = true;
      missing_as_stale();
    }
    if (f.hypocalcemia) {
      k.status = CheckStatus::kFail;
      k.text = x.Say<"PRE-02", "fail">();
      correctable = true;
      fixes.push_back(St{"correct_calcium", x.Say<"PRE-02", "fix">(), {"PRE-02", "CI-11"}});
    } else if (!f.calcium_known) {
      k.text = x.Say<"PRE-02", "unknown">();
      missing = true;
    } else if (!fresh) {
      k.text = f.hypercalcemia ? x.Say<"PRE-02", "stale_high">() : x.Say<"PRE-02", "stale">();
      missing = true;
      missing_as_stale();
    } else {
      // Not low passes; "normal" is said only up to the upper limit (CALC-04).
      k.status = CheckStatus::kPass;
      const Cat ca =
          f.ionized_calcium ? Num(f.ionized_calcium->value, 2) : Num(*f.corrected_calcium, 2);
      k.text = f.ionized_calcium
                   ? (f.hypercalcemia ? x.Say<"PRE-02", "pass_ionized_high", "calcium">(ca)
                                      : x.Say<"PRE-02", "pass_ionized", "calcium">(ca))
               : f.hypercalcemia ? x.Say<"PRE-02", "pass_corrected_high", "calcium">(ca)
                                 : x.Say<"PRE-02", "pass_corrected", "calcium">(ca);
    }
    x.Trace("PRE-02",
            k.status == CheckStatus::kFail      ? Outcome::kFired
            : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                : Outcome::kNotFired,
            k.text);
    checks.push_back(std::move(k));
  }
  // PRE-03 vitamin D.
  {
    PreCheck k{PreCheckKind::kVitaminD, CheckStatus::kUnknown, "", {"PRE-03", "D12"}};
    if (!f.vitd) {
      k.text = x.Say<"PRE-03", "not_measured">();
      missing = true;
      x.Missing("labs.vitamin_d_25oh", x.Say<"PRE-03", "missing">());
    } else if (x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">().Met(f.vitd->value)) {
      if (!f.vitd->Fresh(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">())) {
        missing = true;  // stale before correctable (CONV-ZA-STATUS)
        x.Missing(x.Say<"PRE-03", "missing_field">(), x.Say<"PRE-03", "missing">());
        x.Stale(x.Say<"CONV-STALE", "vitamin_d">());
      }
      k.status = CheckStatus::kFail;
      k.text = x.Say<"PRE-03", "fail", "vitd">(Num(f.vitd->value));
      correctable = true;
      fixes.push_back(St{"replete_vitamin_d",
                         x.Say<"PRE-03", "fix", "vitd">(Num(f.vitd->value)),
                         {"PRE-03", "D12"}});
    } else if (!f.vitd->Fresh(
                   x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">())) {
      k.text = x.Say<"PRE-03", "stale">();
      missing = true;
      x.Missing(x.Say<"PRE-03", "missing_field">(), x.Say<"PRE-03", "missing">());
      x.Stale(x.Say<"CONV-STALE", "vitamin_d">());
    } else {
      k.status = CheckStatus::kPass;
      k.text = x.Say<"PRE-03", "pass", "vitd">(Num(f.vitd->value));
    }
    x.Trace("PRE-03",
            k.status == CheckStatus::kFail      ? Outcome::kFired
            : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                : Outcome::kNotFired,
            k.text);
    x.Trace("D12", Outcome::kFired, x.Say<"D12", "fired">());
    checks.push_back(std::move(k));
  }
  // PRE-04 dosing interval.
  {
    std::optional<Date> last;
    for (const auto& m : p.medications) {
      if (m.agent != Agent::kZoledronicAcid || m.status == MedStatus::kPlanned) continue;
      std::optional<Date> d = m.last_dose                      ? m.last_dose
                              : m.status == MedStatus::kActive ? m.start
                                                               : std::nullopt;
      if (d && (!last || *d > *last)) last = d;
    }
    PreCheck k{PreCheckKind::kDosingInterval, CheckStatus::kPass, "", {"PRE-04"}};
    if (last &&
        *last > f.as_of.AddMonths(-x.P<&CP::za_interval_months, "CONV-ZA-STATUS", "PRE-04">())) {
      k.status = CheckStatus::kFail;
      const Date due = last->AddMonths(x.P<&CP::za_interval_months, "CONV-ZA-STATUS", "PRE-04">());
      k.text = x.Say<"PRE-04", "fail", "last", "due">(Dt(last), Dt(due));
      correctable = true;
      fixes.push_back(St{"wait_interval", x.Say<"PRE-04", "fix", "due">(Dt(due)), {"PRE-04"}});
    } else {
      k.text = last ? x.Say<"PRE-04", "pass", "last">(Dt(last)) : x.Say<"PRE-04", "none">();
    }
    x.Trace("PRE-04", k.status == CheckStatus::kFail ? Outcome::kFired : Outcome::kNotFired,
            k.text);
    checks.push_back(std::move(k));
  }
  // PRE-06 hypersensitivity, PRE-05 pregnancy.
  const bool hyper = HasIntolerance(p, Intolerance::kZoledronicAcid);
  checks.push_back(Pc{PreCheckKind::kHypersensitivity,
                      hyper ? CheckStatus::kFail : CheckStatus::kPass,
                      hyper ? x.Say<"PRE-06", "fail">() : x.Say<"PRE-06", "pass">(),
                      {"PRE-06"}});
  x.Trace("PRE-06", hyper ? Outcome::kFired : Outcome::kNotFired);
  const bool pregnant = x.f.HasActive(p, ConditionCode::kPregnancy);
  const bool may_be_pregnant = f.female && f.menopause != Menopause::kPost;
  checks.push_back(Pc{PreCheckKind::kPregnancy,
                      pregnant          ? CheckStatus::kFail
                      : may_be_pregnant ? CheckStatus::kAdvice
                                        : CheckStatus::kPass,
                      pregnant          ? x.Say<"PRE-05", "fail">()
                      : may_be_pregnant ? x.Say<"PRE-05", "advice">()
                                        : x.Say<"PRE-05", "not_applicable">(),
                      {"PRE-05", "CI-12"}});
  x.Trace("PRE-05", pregnant ? Outcome::kFired : Outcome::kNotFired);
  // PRE-12 acute condition.
  const bool acute = s.neuro_deficit || s.pathologic;
  checks.push_back(Pc{PreCheckKind::kAcuteCondition,
                      acute ? CheckStatus::kFail : CheckStatus::kPass,
                      s.neuro_deficit ? x.Say<"PRE-12", "neuro">()
                      : s.pathologic  ? x.Say<"PRE-12", "pathologic">()
                                      : x.Say<"PRE-12", "pass">(),
                      {"PRE-12"}});
  x.Trace("PRE-12", acute ? Outcome::kFired : Outcome::kNotFired);
  // PRE-08 hydration, PRE-07 dental, PRE-10 acetaminophen: advice, never blocking.
  const bool dehydrated = p.hydration_adequate.has_value() && !*p.hydration_adequate;
  checks.push_back(Pc{PreCheckKind::kHydration,
                      CheckStatus::kAdvice,
                      dehydrated ? x.Say<"PRE-08", "dehydrated">() : x.Say<"PRE-08", "advice">(),
                      {"PRE-08"}});
  x.Trace("PRE-08", dehydrated ? Outcome::kFired : Outcome::kNotFired,
          dehydrated ? x.Say<"PRE-08", "fired">() : x.Say<"PRE-08", "not_fired">());
  const bool dental = p.dental.invasive_procedure_planned.value_or(false);
  checks.push_back(Pc{PreCheckKind::kDentalReview,
                      CheckStatus::kAdvice,
                      dental ? x.Say<"PRE-07", "planned">()
                      : p.dental.exam_within_6_months.value_or(false)
                          ? x.Say<"PRE-07", "recent_exam">()
                          : x.Say<"PRE-07", "exam">(),
                      {"PRE-07"}});
  x.Trace("PRE-07", dental ? Outcome::kFired : Outcome::kNotFired);
  checks.push_back(Pc{PreCheckKind::kAcetaminophenProphylaxis,
                      CheckStatus::kAdvice,
                      x.Say<"PRE-10", "advice">(),
                      {"PRE-10"}});
  x.Trace("PRE-10", Outcome::kFired, x.Say<"PRE-10", "fired">());
  // PRE-09 atypical femoral fracture screen.
  const bool aff = FindCondition(p, ConditionCode::kAtypicalFemoralFracture, false) != nullptr ||
                   std::any_of(p.fractures.begin(), p.fractures.end(),
                               [](const Fracture& fx) { return fx.atypical.value_or(false); });
  if (aff) {
    x.Fired("PRE-09", x.Say<"PRE-09", "fired">());
    x.Warn("atypical_femoral_fracture_screen", Severity::kWarning, x.Say<"PRE-09", "warning">(),
           {"PRE-09"});
  } else {
    x.NotFired("PRE-09");
  }
  if (FindCondition(p, ConditionCode::kOsteonecrosisOfJaw, false))
    x.Warn("onj_dental_risk", Severity::kWarning, x.Say<"PRE-07", "onj">(), {"PRE-07", "CI-01"});

  // Status, first match wins.
  ZaStatus st;
  if (a.treatment_indicated == false) {
    st = ZaStatus::kNotIndicated;
    a.za_reasons.push_back(
        St{"", x.Say<"CONV-ZA-STATUS", "not_indicated">(), {"CONV-ZA-STATUS", "TX-05"}});
  } else if (acute || a.risk_tier == RiskTier::kIndeterminate || s.osteomalacia_suspected) {
    st = ZaStatus::kDeferred;
    a.za_reasons.push_back(
        St{"",
           s.neuro_deficit            ? x.Say<"CONV-ZA-STATUS", "deferred_neuro">()
           : s.pathologic             ? x.Say<"CONV-ZA-STATUS", "deferred_pathologic">()
           : s.osteomalacia_suspected ? x.Say<"CONV-ZA-STATUS", "deferred_osteomalacia">()
                                      : x.Say<"CONV-ZA-STATUS", "deferred_specialist">(),
           {"CONV-ZA-STATUS", s.neuro_deficit || s.pathologic ? "PRE-12" : "RISK-04"}});
  } else if (s.za_contraindicated) {
    st = ZaStatus::kContraindicated;
    a.za_reasons.push_back(
        St{"", x.Say<"CONV-ZA-STATUS", "contraindicated", "reasons">(s.za_contra_text),
           s.za_contra_rules});
  } else if (missing) {
    st = ZaStatus::kInsufficientData;
    a.za_reasons.push_back(
        St{"", x.Say<"CONV-ZA-STATUS", "insufficient">(), {"CONV-ZA-STATUS", "CONV-STALE"}});
  } else if (correctable) {
    st = ZaStatus::kEligibleAfterCorrection;
    for (auto& fx : fixes) a.za_reasons.push_back(std::move(fx));
  } else {
    st = ZaStatus::kEligible;
    a.za_reasons.push_back(St{"",
                              x.Say<"CONV-ZA-STATUS", "eligible">(),
                              {"PRE-01", "PRE-02", "PRE-03", "PRE-04", "PRE-05", "PRE-06"}});
  }
  a.za_status = st;
  x.Fired("CONV-ZA-STATUS", ToString(st).data());  // a static wire name
  if (!x.stale_traced) x.NotFired("CONV-STALE");

  // Vitamin D warnings.
  if (f.vitd && (a.treatment_indicated == true || a.therapy_recommended != TherapyClass::kNone)) {
    if (x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">().Met(f.vitd->value)) {
      x.Warn("vitamin_d_deficiency_correct_first", Severity::kWarning,
             x.Say<"PRE-03", "warning_deficient", "vitd">(Num(f.vitd->value)), {"PRE-03", "D12"});
    } else if (x.P<&CP::vitd_target, "PRE-03", "D12">().Met(f.vitd->value)) {
      x.Warn("vitamin_d_below_aace_target", Severity::kInfo,
             x.Say<"PRE-03", "warning_target", "vitd">(Num(f.vitd->value)), {"PRE-03", "D12"});
    }
  }
  if (dehydrated && (a.therapy_recommended == TherapyClass::kIvZoledronicAcid))
    x.Warn("hydrate_before_infusion", Severity::kWarning, x.Say<"PRE-08", "warning">(), {"PRE-08"});
  if (dental && a.treatment_indicated == true)
    x.Warn("dental_review_before_antiresorptive", Severity::kWarning, x.Say<"PRE-07", "warning">(),
           {"PRE-07"});
}

const Topic kInfusionTopic{"infusion", kRules};

}  // namespace bp::rules
