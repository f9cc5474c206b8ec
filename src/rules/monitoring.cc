// Monitoring, work-up and suspected osteomalacia.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CI-06c", "MON-01", "MON-02", "MON-03", "MON-04", "MON-05",
                                       "MON-06", "LAB-01", "LAB-02", "LAB-03", "D23"};
}  // namespace

// MON: monitoring, and LAB: work-up.
void MonitoringAndWorkup(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  const TherapyClass rec = a.therapy_recommended;
  const bool oral_active =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return IsOralBisphosphonate(m) && m.status == MedStatus::kActive;
      });
  // MON-01 bone turnover markers.
  if (rec == TherapyClass::kOralBisphosphonate || oral_active) {
    a.monitoring.push_back(
        St{"btm",
           "Fasting morning P1NP and CTX at baseline and 3 months after starting "
           "an oral bisphosphonate; adequate response: P1NP falls by more than " +
               Num(x.P<&CP::btm_p1np_drop, "MON-01">().value, 0) + " % or CTX by more than " +
               Num(x.P<&CP::btm_ctx_drop, "MON-01">().value, 0) + " %.",
           {"MON-01"}});
    bool response_known = false, responded = false;
    if (f.p1np_base && f.p1np_follow && f.p1np_base->value > 0) {
      response_known = true;
      responded |= x.P<&CP::btm_p1np_drop, "MON-01">().Met(
          100.0 * (f.p1np_base->value - f.p1np_follow->value) / f.p1np_base->value);
    }
    if (f.ctx_base && f.ctx_follow && f.ctx_base->value > 0) {
      response_known = true;
      responded |= x.P<&CP::btm_ctx_drop, "MON-01">().Met(
          100.0 * (f.ctx_base->value - f.ctx_follow->value) / f.ctx_base->value);
    }
    if (response_known && !responded && oral_active) {
      x.Warn("bone_turnover_nonresponse", Severity::kWarning,
             "Neither P1NP nor CTX fell by the least significant change on an oral "
             "bisphosphonate: check adherence, dosing technique and absorption; "
             "consider IV zoledronic acid.",
             {"MON-01", "SEL-03"});
      x.Fired("MON-01", "no bone turnover response");
    } else {
      x.Fired("MON-01", response_known ? "adequate response" : "markers to measure");
    }
  } else {
    x.NotFired("MON-01");
  }
  if (a.treatment_indicated == true || oral_active) {
    a.monitoring.push_back(
        St{"dxa",
           "Repeat DXA 1-2 years after starting or changing therapy, then less often once stable.",
           {"MON-02"}});
    x.Fired("MON-02", "DXA follow-up");
  } else {
    x.NotFired("MON-02");
  }
  const bool za = rec == TherapyClass::kIvZoledronicAcid ||
                  FindMedication(p, Agent::kZoledronicAcid, MedStatus::kActive);
  if (za) {
    a.monitoring.push_back(St{
        "za_renal",
        "Serum creatinine and Cockcroft-Gault CrCl before every zoledronic acid dose; consider a "
        "post-dose check in older patients, with baseline impairment or on diuretics.",
        {"MON-03", "PRE-01"}});
    x.Fired("MON-03", "zoledronic acid");
  } else {
    x.NotFired("MON-03");
  }
  const bool dmab =
      rec == TherapyClass::kDenosumab || FindMedication(p, Agent::kDenosumab, MedStatus::kActive);
  if (dmab) {
    a.monitoring.push_back(
        St{"dmab_calcium", "Calcium before each denosumab dose.", {"MON-04", "CI-06"}});
    const bool predisposed = x.f.HasActive(p, ConditionCode::kMalabsorption) ||
                             x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
                             FindCondition(p, ConditionCode::kBariatricSurgery, false) ||
                             x.f.HasActive(p, ConditionCode::kHypocalcemia);
    if (predisposed) {
      a.monitoring.push_back(St{"dmab_calcium_predisposed",
                                "Predisposed to hypocalcemia: calcium, phosphorus and magnesium "
                                "10-14 days after each denosumab dose.",
                                {"CI-06c", "MON-04"}});
      x.Fired("CI-06c", "predisposed to hypocalcemia");
    } else {
      x.NotFired("CI-06c");
    }
    if ((f.egfr && x.P<&CP::denosumab_egfr, "MON-04">().Met(*f.egfr)) ||
        x.f.HasActive(p, ConditionCode::kDialysis))
      a.monitoring.push_back(St{"dmab_calcium_ckd",
                                "eGFR < 30 or dialysis: calcium weekly for the first month after "
                                "each dose, then monthly.",
                                {"MON-04", "CI-06b"}});
    a.adjuncts.push_back(St{
        "calcium_vitd_dmab", "Calcium and vitamin D supplementation with denosumab.", {"CI-06"}});
    x.Fired("MON-04", "denosumab");
  } else {
    x.NotFired("MON-04");
    x.NotFired("CI-06c");
  }
  const bool romo = rec == TherapyClass::kAnabolic &&
                    std::any_of(a.agents.begin(), a.agents.end(),
                                [](const Regimen& r) { return r.agent == "romosozumab"; });
  if (romo || FindMedication(p, Agent::kRomosozumab, MedStatus::kActive)) {
    a.monitoring.push_back(St{"romo_cv",
                              "Romosozumab: watch for symptoms of myocardial infarction or stroke; "
                              "stop if either occurs.",
                              {"MON-05", "CI-07"}});
    x.Fired("MON-05", "romosozumab");
  } else {
    x.NotFired("MON-05");
  }
  const bool pth = (rec == TherapyClass::kAnabolic &&
                    std::any_of(a.agents.begin(), a.agents.end(),
                                [](const Regimen& r) {
                                  return r.agent == "teriparatide" || r.agent == "abaloparatide";
                                })) ||
                   FindMedication(p, Agent::kTeriparatide, MedStatus::kActive) ||
                   FindMedication(p, Agent::kAbaloparatide, MedStatus::kActive);
  if (pth) {
    a.monitoring.push_back(St{"pth_calcium",
                              "Teriparatide or abaloparatide: serum calcium if symptomatic or at "
                              "risk; urinary calcium with a stone history.",
                              {"MON-06"}});
    x.Fired("MON-06", "PTH analog");
  } else {
    x.NotFired("MON-06");
  }

  // LAB-01..03 work-up.
  const bool workup = a.treatment_indicated == true || f.fragility_events > 0 ||
                      a.risk_tier == RiskTier::kIndeterminate ||
                      (f.t_min && x.P<&CP::tx_tscore_osteoporosis, "LAB-01">().MetTenths(*f.t_min));
  if (workup) {
    a.workup.push_back(
        St{"baseline_labs",
           "Baseline secondary-cause tests: CBC; calcium, albumin, phosphate, creatinine/eGFR, "
           "alkaline phosphatase, liver enzymes; 25-OH vitamin D; magnesium.",
           {"LAB-01", "D23"}});
    x.Fired("LAB-01", "osteoporosis, fragility fracture or tier not 'not indicated'");
    x.Fired("D23", "laboratory list from AACE");
  } else {
    x.NotFired("LAB-01");
    x.NotFired("D23");
  }
  const bool targeted =
      (f.z_min && x.P<&CP::zscore_below_expected, "LAB-02">().MetTenths(*f.z_min)) ||
      s.outside_population || s.treatment_failure || s.treatment_failure_possible;
  if (targeted) {
    std::string t =
        "Targeted tests: intact PTH, TSH, 24-hour urine calcium/sodium/creatinine, tTG-IgA with "
        "total IgA, ESR/CRP, bone turnover markers";
    if (f.male) t += ", total testosterone (+/- LH/FSH)";
    if (f.female && f.menopause == Menopause::kPre)
      t += ", estradiol/FSH/LH/prolactin if menstrual disturbance";
    if (x.AgeKnown() && x.P<&CP::myeloma_screen_age, "LAB-02">().Met(x.Age()))
      t += ", SPEP with serum free light chains";
    t += "; consider urinary free cortisol or dexamethasone suppression, and tryptase.";
    a.workup.push_back(St{"targeted_labs", t, {"LAB-02"}});
    x.Fired("LAB-02", "low Z-score, young patient or fracture on therapy");
  } else {
    x.NotFired("LAB-02");
  }
  // LAB-03 results that trigger referral; osteomalacia defers antiresorptives.
  std::vector<std::string> abn;
  if (f.alp && f.alp->AboveReference(x.P<&CP::alp_high, "LAB-03", "CI-11">()))
    abn.push_back("high alkaline phosphatase");
  if (f.alp && f.alp->BelowReference(x.P<&CP::alp_low, "LAB-03">()))
    abn.push_back("low alkaline phosphatase (consider hypophosphatasia before antiresorptives)");
  if (f.phosphate && f.phosphate->BelowReference(x.P<&CP::phosphate_low, "LAB-03", "CI-11">()))
    abn.push_back("low phosphate");
  if (f.corrected_calcium && f.calcium &&
      f.calcium->AboveReference(x.P<&CP::hyperca_corrected, "LAB-03">()) && f.pth)
    abn.push_back("high calcium with PTH measured (primary hyperparathyroidism?)");
  if (f.tsh && f.tsh->lab && f.tsh->lab->reference_low && f.tsh->value < *f.tsh->lab->reference_low)
    abn.push_back("suppressed TSH");
  if (f.prolactin && f.prolactin->lab && f.prolactin->lab->reference_high &&
      f.prolactin->value > *f.prolactin->lab->reference_high)
    abn.push_back("raised prolactin");
  if (!abn.empty()) {
    std::string t;
    for (const auto& r : abn) t += (t.empty() ? "" : ", ") + r;
    x.Fired("LAB-03", t);
    x.Refer(
        Destination::kOsteoporosisSpecialist, Urgency::kRoutine,
        "Osteoporosis specialist: laboratory results suggesting another bone disease (" + t + ").",
        {"LAB-03", "REF-02"});
  } else {
    x.NotFired("LAB-03");
  }
  // Adjuncts for everyone treated or assessed.
  if (a.treatment_indicated == true) {
    a.adjuncts.push_back(St{"basics",
                            "Calcium and vitamin D intake, weight-bearing exercise, falls "
                            "prevention, smoking cessation and alcohol moderation.",
                            {"TX-05", "CI-06"}});
  }
}

// Osteomalacia suspicion (LAB-03) before selection: vitamin D < 12 with high ALP, or recorded.
void Osteomalacia(Ctx& x, State& s) {
  const Facts& f = x.f;
  s.osteomalacia_suspected =
      x.f.HasActive(x.p, ConditionCode::kOsteomalacia) ||
      (f.vitd && x.P<&CP::vitd_osteomalacia, "LAB-03">().Met(f.vitd->value) && f.alp &&
       f.alp->AboveReference(x.P<&CP::alp_high, "LAB-03">()));
  if (s.osteomalacia_suspected && x.a.treatment_indicated == true)
    x.a.treatment_reasons.push_back(
        St{"osteomalacia",
           "Suspected osteomalacia (very low vitamin D with high alkaline phosphatase, "
           "or recorded): treat it and defer antiresorptives.",
           {"LAB-03"}});
}

const Topic kMonitoringTopic{"monitoring", kRules};

}  // namespace bp::rules
