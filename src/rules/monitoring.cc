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
  // MON-01 bone turnover markers: not during a drug holiday (no oral bisphosphonate is taken;
  // COURSE-20 says what the holiday review needs).
  if (rec == TherapyClass::kOralBisphosphonate || (oral_active && !x.course.holiday)) {
    a.monitoring.push_back(St{"btm", x.Say<"MON-01", "markers">(), {"MON-01"}});
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
      x.Warn("bone_turnover_nonresponse", Severity::kWarning, x.Say<"MON-01", "nonresponse">(),
             {"MON-01", "SEL-03"});
      x.Fired("MON-01", x.Say<"MON-01", "fired_nonresponse">());
    } else {
      x.Fired("MON-01", response_known ? x.Say<"MON-01", "fired_response">()
                                       : x.Say<"MON-01", "fired_to_measure">());
    }
  } else {
    x.NotFired("MON-01");
  }
  if (a.treatment_indicated == true || oral_active) {
    a.monitoring.push_back(St{"dxa", x.Say<"MON-02", "dxa">(), {"MON-02"}});
    x.Fired("MON-02", x.Say<"MON-02", "fired">());
  } else {
    x.NotFired("MON-02");
  }
  const bool za = rec == TherapyClass::kIvZoledronicAcid ||
                  FindMedication(p, Agent::kZoledronicAcid, MedStatus::kActive);
  if (za) {
    a.monitoring.push_back(St{"za_renal", x.Say<"MON-03", "renal">(), {"MON-03", "PRE-01"}});
    x.Fired("MON-03", x.Say<"MON-03", "fired">());
  } else {
    x.NotFired("MON-03");
  }
  const bool dmab =
      rec == TherapyClass::kDenosumab || FindMedication(p, Agent::kDenosumab, MedStatus::kActive);
  if (dmab) {
    a.monitoring.push_back(St{"dmab_calcium", x.Say<"MON-04", "calcium">(), {"MON-04", "CI-06"}});
    const bool predisposed = x.f.HasActive(p, ConditionCode::kMalabsorption) ||
                             x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
                             FindCondition(p, ConditionCode::kBariatricSurgery, false) ||
                             x.f.HasActive(p, ConditionCode::kHypocalcemia);
    if (predisposed) {
      a.monitoring.push_back(
          St{"dmab_calcium_predisposed", x.Say<"CI-06c", "predisposed">(), {"CI-06c", "MON-04"}});
      x.Fired("CI-06c", x.Say<"CI-06c", "fired">());
    } else {
      x.NotFired("CI-06c");
    }
    if ((f.egfr && x.P<&CP::denosumab_egfr, "MON-04">().Met(*f.egfr)) ||
        x.f.HasActive(p, ConditionCode::kDialysis))
      a.monitoring.push_back(
          St{"dmab_calcium_ckd", x.Say<"MON-04", "ckd">(), {"MON-04", "CI-06b"}});
    a.adjuncts.push_back(St{"calcium_vitd_dmab", x.Say<"MON-04", "adjunct">(), {"CI-06"}});
    x.Fired("MON-04", x.Say<"MON-04", "fired">());
  } else {
    x.NotFired("MON-04");
    x.NotFired("CI-06c");
  }
  const bool romo = rec == TherapyClass::kAnabolic &&
                    std::any_of(a.agents.begin(), a.agents.end(),
                                [](const Regimen& r) { return r.agent == "romosozumab"; });
  if (romo || FindMedication(p, Agent::kRomosozumab, MedStatus::kActive)) {
    a.monitoring.push_back(St{"romo_cv", x.Say<"MON-05", "romosozumab">(), {"MON-05", "CI-07"}});
    x.Fired("MON-05", x.Say<"MON-05", "fired">());
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
    a.monitoring.push_back(St{"pth_calcium", x.Say<"MON-06", "calcium">(), {"MON-06"}});
    x.Fired("MON-06", x.Say<"MON-06", "fired">());
  } else {
    x.NotFired("MON-06");
  }

  // LAB-01..03 work-up.
  const bool workup = a.treatment_indicated == true || f.fragility_events > 0 ||
                      a.risk_tier == RiskTier::kIndeterminate ||
                      (f.t_min && x.P<&CP::tx_tscore_osteoporosis, "LAB-01">().MetTenths(*f.t_min));
  if (workup) {
    a.workup.push_back(St{"baseline_labs", x.Say<"LAB-01", "baseline">(), {"LAB-01", "D23"}});
    x.Fired("LAB-01", x.Say<"LAB-01", "fired">());
    x.Fired("D23", x.Say<"D23", "fired">());
  } else {
    x.NotFired("LAB-01");
    x.NotFired("D23");
  }
  const bool targeted =
      (f.z_min && x.P<&CP::zscore_below_expected, "LAB-02">().MetTenths(*f.z_min)) ||
      s.outside_population || s.treatment_failure || s.treatment_failure_possible;
  if (targeted) {
    const bool myeloma = x.AgeKnown() && x.P<&CP::myeloma_screen_age, "LAB-02">().Met(x.Age());
    a.workup.push_back(
        St{"targeted_labs",
           x.Say<"LAB-02", "targeted", "male", "premenopausal", "myeloma">(
               f.male ? x.Say<"LAB-02", "male">() : std::string(),
               f.female && f.menopause == Menopause::kPre ? x.Say<"LAB-02", "premenopausal">()
                                                          : std::string(),
               myeloma ? x.Say<"LAB-02", "myeloma">() : std::string()),
           {"LAB-02"}});
    x.Fired("LAB-02", x.Say<"LAB-02", "fired">());
  } else {
    x.NotFired("LAB-02");
  }
  // LAB-03 results that trigger referral; osteomalacia defers antiresorptives.
  std::vector<std::string> abn;
  if (f.alp && f.alp->AboveReference(x.P<&CP::alp_high, "LAB-03", "CI-11">()))
    abn.push_back(x.Say<"LAB-03", "high_alp">());
  if (f.alp && f.alp->BelowReference(x.P<&CP::alp_low, "LAB-03">()))
    abn.push_back(x.Say<"LAB-03", "low_alp">());
  if (f.phosphate && f.phosphate->BelowReference(x.P<&CP::phosphate_low, "LAB-03", "CI-11">()))
    abn.push_back(x.Say<"LAB-03", "low_phosphate">());
  if (f.corrected_calcium && f.calcium &&
      f.calcium->AboveReference(x.P<&CP::hyperca_corrected, "LAB-03">()) && f.pth)
    abn.push_back(x.Say<"LAB-03", "high_calcium">());
  if (f.tsh && f.tsh->lab && f.tsh->lab->reference_low && f.tsh->value < *f.tsh->lab->reference_low)
    abn.push_back(x.Say<"LAB-03", "low_tsh">());
  if (f.prolactin && f.prolactin->lab && f.prolactin->lab->reference_high &&
      f.prolactin->value > *f.prolactin->lab->reference_high)
    abn.push_back(x.Say<"LAB-03", "high_prolactin">());
  if (!abn.empty()) {
    std::string t;
    for (const auto& r : abn) t += (t.empty() ? "" : ", ") + r;
    x.Fired("LAB-03", t);
    x.Refer(Destination::kOsteoporosisSpecialist, Urgency::kRoutine,
            x.Say<"LAB-03", "refer", "findings">(t), {"LAB-03", "REF-02"});
  } else {
    x.NotFired("LAB-03");
  }
  // Adjuncts for everyone treated or assessed.
  // With calcium above the upper limit the usual calcium advice would contradict the
  // hypercalcemia work-up: no supplement until it is explained (CALC-04).
  if (a.treatment_indicated == true) {
    if (f.hypercalcemia)
      a.adjuncts.push_back(
          St{"basics", x.Say<"TX-05", "basics_hypercalcemia">(), {"TX-05", "CI-06", "CALC-04"}});
    else
      a.adjuncts.push_back(St{"basics", x.Say<"TX-05", "basics">(), {"TX-05", "CI-06"}});
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
        St{"osteomalacia", x.Say<"LAB-03", "osteomalacia">(), {"LAB-03"}});
}

const Topic kMonitoringTopic{"monitoring", kRules};

}  // namespace bp::rules
