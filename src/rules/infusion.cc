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
  checks.reserve(8);
  bool missing = false, correctable = false;
  List<Statement> fixes(a.za_reasons.get_allocator());

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
      k.text = Keep("Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min " +
                    Desc(x.P<&CP::za_crcl, "CONV-ZA-STATUS", "PRE-01">(), "mL/min") +
                    ": contraindicated.");
    } else if (!f.crcl) {
      k.text = "CrCl cannot be computed (needs serum creatinine, weight and age).";
      missing = true;
    } else if (!fresh) {
      k.text =
          Keep("CrCl " + Num(*f.crcl) + " mL/min, but the creatinine is " +
               (f.creatinine->age_days ? Int(*f.creatinine->age_days) + " days old"
                                       : std::string("undated")) +
               " (must be within " +
               Int(x.P<&CP::creatinine_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-01">()) +
               " days): repeat it.");
      missing = true;
      x.Missing(
          "labs.creatinine (within " +
              Int(x.P<&CP::creatinine_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-01">()) +
              " days)",
          "zoledronic acid renal check (PRE-01)");
      x.Stale("creatinine older than " +
              Int(x.P<&CP::creatinine_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-01">()) +
              " days");
    } else {
      k.status = CheckStatus::kPass;
      k.text = Keep("Cockcroft-Gault CrCl " + Num(*f.crcl) + " mL/min (>= " +
                    Num(x.P<&CP::za_crcl, "CONV-ZA-STATUS", "PRE-01">().value, 0) + ").");
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
                      aki ? "Acute renal impairment recorded: contraindicated."
                          : "No acute renal impairment recorded.",
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
      x.Missing("labs.calcium (within " + Int(max_age_days) + " days)",
                "zoledronic acid calcium check (PRE-02)");
      x.Stale("calcium older than " + Int(max_age_days) + " days");
    };
    // Stale data blocks before a correctable failure (CONV-ZA-STATUS): a low value from months
    // ago says what to correct, not that the infusion can follow the correction.
    if (src && !fresh && f.hypocalcemia) {
      missing = true;
      missing_as_stale();
    }
    if (f.hypocalcemia) {
      k.status = CheckStatus::kFail;
      k.text = "Low calcium: correct before the infusion.";
      correctable = true;
      fixes.push_back(St{"correct_calcium",
                         "Correct hypocalcemia and recheck calcium before the infusion.",
                         {"PRE-02", "CI-11"}});
    } else if (!f.calcium_known) {
      k.text = "Calcium status unknown (needs total calcium with albumin, or ionized calcium).";
      missing = true;
    } else if (!fresh) {
      k.text = Keep("Calcium normal but older than " + Int(max_age_days) + " days: repeat it.");
      missing = true;
      missing_as_stale();
    } else {
      k.status = CheckStatus::kPass;
      k.text = Keep(f.ionized_calcium
                        ? "Ionized calcium " + Num(f.ionized_calcium->value, 2) + " mmol/L: normal."
                        : "Corrected calcium " + Num(*f.corrected_calcium, 2) + " mg/dL: normal.");
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
      k.text = "25-OH vitamin D not measured.";
      missing = true;
      x.Missing("labs.vitamin_d_25oh", "zoledronic acid vitamin D check (PRE-03)");
    } else if (x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">().Met(f.vitd->value)) {
      if (!f.vitd->Fresh(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">())) {
        missing = true;  // stale before correctable (CONV-ZA-STATUS)
        x.Missing("labs.vitamin_d_25oh (within " +
                      Int(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">()) +
                      " days)",
                  "zoledronic acid vitamin D check (PRE-03)");
        x.Stale("vitamin D older than " +
                Int(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">()) +
                " days");
      }
      k.status = CheckStatus::kFail;
      k.text = Keep("25-OH vitamin D " + Num(f.vitd->value) + " ng/mL " +
                    Desc(x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">(), "ng/mL") +
                    ": replete and recheck before the infusion.");
      correctable = true;
      fixes.push_back(St{"replete_vitamin_d",
                         "Replete vitamin D (25-OH D " + Num(f.vitd->value) +
                             " ng/mL) and recheck before the infusion.",
                         {"PRE-03", "D12"}});
    } else if (!f.vitd->Fresh(
                   x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">())) {
      k.text = Keep("25-OH vitamin D older than " +
                    Int(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">()) +
                    " days: repeat it.");
      missing = true;
      x.Missing("labs.vitamin_d_25oh (within " +
                    Int(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">()) +
                    " days)",
                "zoledronic acid vitamin D check (PRE-03)");
      x.Stale("vitamin D older than " +
              Int(x.P<&CP::vitd_max_age_days, "CONV-ZA-STATUS", "CONV-STALE", "PRE-03">()) +
              " days");
    } else {
      k.status = CheckStatus::kPass;
      k.text =
          Keep("25-OH vitamin D " + Num(f.vitd->value) + " ng/mL (minimum " +
               Num(x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">().value, 0) + ").");
    }
    x.Trace("PRE-03",
            k.status == CheckStatus::kFail      ? Outcome::kFired
            : k.status == CheckStatus::kUnknown ? Outcome::kInsufficientData
                                                : Outcome::kNotFired,
            k.text);
    x.Trace("D12", Outcome::kFired, x.Texts().d12);
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
      k.text = Keep("Last zoledronic acid dose " + Dt(last) + ": next due " + Dt(due) + ".");
      correctable = true;
      fixes.push_back(St{"wait_interval",
                         "Wait until " + Dt(due) + " (" +
                             Int(x.P<&CP::za_interval_months, "CONV-ZA-STATUS", "PRE-04">()) +
                             " months after the last dose).",
                         {"PRE-04"}});
    } else {
      k.text = Keep(last ? "Last zoledronic acid dose " + Dt(last) + " (>= " +
                               Int(x.P<&CP::za_interval_months, "CONV-ZA-STATUS", "PRE-04">()) +
                               " months ago)."
                         : "No previous zoledronic acid dose recorded.");
    }
    x.Trace("PRE-04", k.status == CheckStatus::kFail ? Outcome::kFired : Outcome::kNotFired,
            k.text);
    checks.push_back(std::move(k));
  }
  // PRE-06 hypersensitivity, PRE-05 pregnancy.
  const bool hyper = HasIntolerance(p, Intolerance::kZoledronicAcid);
  checks.push_back(Pc{PreCheckKind::kHypersensitivity,
                      hyper ? CheckStatus::kFail : CheckStatus::kPass,
                      hyper ? "Hypersensitivity or intolerance to zoledronic acid recorded."
                            : "No hypersensitivity recorded.",
                      {"PRE-06"}});
  x.Trace("PRE-06", hyper ? Outcome::kFired : Outcome::kNotFired);
  const bool pregnant = x.f.HasActive(p, ConditionCode::kPregnancy);
  const bool may_be_pregnant = f.female && f.menopause != Menopause::kPost;
  checks.push_back(Pc{PreCheckKind::kPregnancy,
                      pregnant          ? CheckStatus::kFail
                      : may_be_pregnant ? CheckStatus::kAdvice
                                        : CheckStatus::kPass,
                      pregnant          ? "Pregnancy recorded: contraindicated."
                      : may_be_pregnant ? "Confirm the patient is not pregnant before the infusion."
                                        : "Not applicable (no reproductive potential recorded).",
                      {"PRE-05", "CI-12"}});
  x.Trace("PRE-05", pregnant ? Outcome::kFired : Outcome::kNotFired);
  // PRE-12 acute condition.
  const bool acute = s.neuro_deficit || s.pathologic;
  checks.push_back(Pc{PreCheckKind::kAcuteCondition,
                      acute ? CheckStatus::kFail : CheckStatus::kPass,
                      s.neuro_deficit ? "Acute vertebral fracture with neurological deficit: defer "
                                        "until the emergency is managed."
                      : s.pathologic
                          ? "Possibly pathologic fracture: defer until malignancy is excluded."
                          : "No acute spine emergency or suspected pathologic fracture.",
                      {"PRE-12"}});
  x.Trace("PRE-12", acute ? Outcome::kFired : Outcome::kNotFired);
  // PRE-08 hydration, PRE-07 dental, PRE-10 acetaminophen: advice, never blocking.
  const bool dehydrated = p.hydration_adequate.has_value() && !*p.hydration_adequate;
  checks.push_back(Pc{
      PreCheckKind::kHydration,
      CheckStatus::kAdvice,
      dehydrated
          ? "Recorded as not adequately hydrated: hydrate before the infusion; review diuretics "
            "and NSAIDs."
          : "Drink fluids before the infusion (at least 2 glasses); review diuretics and NSAIDs.",
      {"PRE-08"}});
  x.Trace("PRE-08", dehydrated ? Outcome::kFired : Outcome::kNotFired,
          dehydrated ? "not adequately hydrated" : "advice");
  const bool dental = p.dental.invasive_procedure_planned.value_or(false);
  checks.push_back(Pc{PreCheckKind::kDentalReview,
                      CheckStatus::kAdvice,
                      dental ? "Invasive dental work planned: complete it before starting an "
                               "antiresorptive if possible."
                      : p.dental.exam_within_6_months.value_or(false)
                          ? "Dental examination within 6 months recorded."
                          : "Oral examination before starting, especially with ONJ risk factors.",
                      {"PRE-07"}});
  x.Trace("PRE-07", dental ? Outcome::kFired : Outcome::kNotFired);
  checks.push_back(
      Pc{PreCheckKind::kAcetaminophenProphylaxis,
         CheckStatus::kAdvice,
         "Flu-like acute-phase symptoms are common within 3 days of the first infusion; "
         "acetaminophen after the infusion may reduce them.",
         {"PRE-10"}});
  x.Trace("PRE-10", Outcome::kFired, "advice");
  // PRE-09 atypical femoral fracture screen.
  const bool aff = FindCondition(p, ConditionCode::kAtypicalFemoralFracture, false) != nullptr ||
                   std::any_of(p.fractures.begin(), p.fractures.end(),
                               [](const Fracture& fx) { return fx.atypical.value_or(false); });
  if (aff) {
    x.Fired("PRE-09", "atypical femoral fracture on record");
    x.Warn("atypical_femoral_fracture_screen", Severity::kWarning,
           "Atypical femoral fracture on record: bisphosphonates and denosumab need "
           "specialist review.",
           {"PRE-09"});
  } else {
    x.NotFired("PRE-09");
  }
  if (FindCondition(p, ConditionCode::kOsteonecrosisOfJaw, false))
    x.Warn("onj_dental_risk", Severity::kWarning,
           "Osteonecrosis of the jaw on record: antiresorptives need specialist and "
           "dental review.",
           {"PRE-07", "CI-01"});

  // Status, first match wins.
  ZaStatus st;
  if (a.treatment_indicated == false) {
    st = ZaStatus::kNotIndicated;
    a.za_reasons.push_back(
        St{"", "Osteoporosis treatment is not indicated.", {"CONV-ZA-STATUS", "TX-05"}});
  } else if (acute || a.risk_tier == RiskTier::kIndeterminate || s.osteomalacia_suspected) {
    st = ZaStatus::kDeferred;
    a.za_reasons.push_back(
        St{"",
           s.neuro_deficit ? "Deferred: acute vertebral fracture with neurological deficit."
           : s.pathologic  ? "Deferred: possibly pathologic fracture."
           : s.osteomalacia_suspected ? "Deferred: suspected osteomalacia."
                                      : "Deferred: a specialist decides first (outside the "
                                        "populations the thresholds apply to, or not enough data).",
           {"CONV-ZA-STATUS", s.neuro_deficit || s.pathologic ? "PRE-12" : "RISK-04"}});
  } else if (s.za_contraindicated) {
    st = ZaStatus::kContraindicated;
    a.za_reasons.push_back(St{"", "Contraindicated: " + s.za_contra_text + ".", s.za_contra_rules});
  } else if (missing) {
    st = ZaStatus::kInsufficientData;
    a.za_reasons.push_back(
        St{"",
           "A blocking check cannot be made (see pre-infusion checks and missing data).",
           {"CONV-ZA-STATUS", "CONV-STALE"}});
  } else if (correctable) {
    st = ZaStatus::kEligibleAfterCorrection;
    for (auto& fx : fixes) a.za_reasons.push_back(std::move(fx));
  } else {
    st = ZaStatus::kEligible;
    a.za_reasons.push_back(St{"",
                              "Every pre-infusion check passes.",
                              {"PRE-01", "PRE-02", "PRE-03", "PRE-04", "PRE-05", "PRE-06"}});
  }
  a.za_status = st;
  x.Fired("CONV-ZA-STATUS", ToString(st).data());  // a static wire name
  if (!x.stale_traced) x.NotFired("CONV-STALE");

  // Vitamin D warnings.
  if (f.vitd && (a.treatment_indicated == true || a.therapy_recommended != TherapyClass::kNone)) {
    if (x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">().Met(f.vitd->value)) {
      x.Warn("vitamin_d_deficiency_correct_first", Severity::kWarning,
             "25-OH vitamin D " + Num(f.vitd->value) + " ng/mL " +
                 Desc(x.P<&CP::za_min_vitd, "CONV-ZA-STATUS", "PRE-03", "D12">(), "ng/mL") +
                 ": replete before starting an antiresorptive.",
             {"PRE-03", "D12"});
    } else if (x.P<&CP::vitd_target, "PRE-03", "D12">().Met(f.vitd->value)) {
      x.Warn("vitamin_d_below_aace_target", Severity::kInfo,
             "25-OH vitamin D " + Num(f.vitd->value) + " ng/mL is below the AACE target of " +
                 Num(x.P<&CP::vitd_target, "PRE-03", "D12">().value, 0) + " ng/mL.",
             {"PRE-03", "D12"});
    }
  }
  if (dehydrated && (a.therapy_recommended == TherapyClass::kIvZoledronicAcid))
    x.Warn("hydrate_before_infusion", Severity::kWarning,
           "Not adequately hydrated: hydrate before the zoledronic acid infusion.", {"PRE-08"});
  if (dental && a.treatment_indicated == true)
    x.Warn("dental_review_before_antiresorptive", Severity::kWarning,
           "Invasive dental work is planned: complete it (or review with the "
           "dentist) before starting an antiresorptive.",
           {"PRE-07"});
}

const Topic kInfusionTopic{"infusion", kRules};

}  // namespace bp::rules
