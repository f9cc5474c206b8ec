// Referrals to specialist care.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"CI-06b", "REF-01", "REF-02", "REF-03", "REF-04", "REF-06",
                                       "REF-07", "REF-08", "D10",    "D24",    "D27"};
}  // namespace

// REF: referrals.
void Referrals(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  auto prior = [&](Destination d, std::optional<Date> since) {
    for (const auto& r : p.prior_referrals)
      if (r.to == d && (!since || !r.date || *r.date >= *since)) return true;
    return false;
  };
  // REF-01 FLS.
  // REF-01R: fragility or possible fragility (CALC-09) fractures; none under pathologic or
  // infection work-up, atypical or high-trauma.
  const FractureEvent* fls_fx = nullptr;
  for (const auto& e : f.events) {
    if (e.pathologic || e.atypical || s.infection ||
        (s.pathologic && e.site == FractureSite::kVertebral))
      continue;
    if ((e.fragility || e.possible_fragility) &&
        RecentMonths(e.date, f.as_of, x.P<&CP::fls_window_months, "REF-01">()))
      fls_fx = &e;
  }
  if (fls_fx && x.AgeKnown() &&
      (fls_fx->possible_fragility || x.P<&CP::fls_min_age, "REF-01">().Met(x.Age()))) {
    if (prior(Destination::kFractureLiaisonService, fls_fx->date)) {
      x.NotFired("REF-01", "a fracture liaison episode already exists for this fracture");
    } else {
      x.Fired("REF-01", "fragility fracture " + FxName(*fls_fx));
      x.Refer(Destination::kFractureLiaisonService, Urgency::kRoutine,
              Cat(fls_fx->possible_fragility ? "Mechanism not recorded: FLS to confirm. " : "") +
                  "Fragility fracture (" + FxName(*fls_fx) + ") within " +
                  Int(x.P<&CP::fls_window_months, "REF-01">()) +
                  " months: fracture liaison service for investigation, falls assessment, "
                  "treatment and follow-up.",
              {"REF-01"});
    }
  } else {
    x.NotFired("REF-01", fls_fx ? "age below " + Num(x.P<&CP::fls_min_age, "REF-01">().value, 0)
                                : "no recent fragility fracture");
  }
  // REF-02 specialist.
  // Texts are literals or kept in the arena; the list is the arena's too.
  List<std::pair<Text, RuleIds>> spec(a.workup.get_allocator());
  spec.reserve(8);
  Urgency spec_urgency = Urgency::kRoutine;
  bool any_fragility = f.fragility_events > 0;
  if (any_fragility && f.t_min && *f.t_min > LowBoneMassBoundTenths<"REF-02", "D31">(x))
    spec.push_back({"(a) fragility fracture with normal BMD", {"REF-02", "D31"}});
  if (s.treatment_failure)
    spec.push_back({"(b) fracture on therapy (possible treatment failure)", {"REF-02"}});
  if (f.z_min && x.P<&CP::zscore_below_expected, "REF-02", "REF-08">().MetTenths(*f.z_min))
    spec.push_back({Keep("(c) Z-score " + Tn(*f.z_min) + " below the expected range for age"),
                    {"REF-08", "DX-02"}});
  auto lab_abn = [&](const std::optional<LabValue>& v, const Threshold& hi,
                     const Threshold* lo) -> const char* {
    if (!v) return nullptr;
    if (v->AboveReference(hi)) return "(c) unexplained high alkaline phosphatase";
    if (lo && v->BelowReference(*lo)) return "(c) unexplained low alkaline phosphatase";
    return nullptr;
  };
  if (const char* alp =
          lab_abn(f.alp, x.P<&CP::alp_high, "REF-02">(), &x.P<&CP::alp_low, "REF-02">()))
    spec.push_back({Text::Static(alp), {"REF-02", "LAB-03"}});
  if (f.phosphate && f.phosphate->BelowReference(x.P<&CP::phosphate_low, "REF-02">()))
    spec.push_back({"(c) low phosphate", {"REF-02", "LAB-03"}});
  for (auto [code, name] : {std::pair{ConditionCode::kHyperparathyroidism, "hyperparathyroidism"},
                            std::pair{ConditionCode::kHyperthyroidism, "hyperthyroidism"},
                            std::pair{ConditionCode::kHypercalciuria, "hypercalciuria"},
                            std::pair{ConditionCode::kHyperprolactinemia, "raised prolactin"}})
    if (x.f.HasActive(p, code))
      spec.push_back({Keep("(d) concurrent metabolic bone disease: " + Cat(name)), {"REF-02"}});
  if (f.crcl && x.P<&CP::refer_crcl, "REF-02", "D27">().Met(*f.crcl))
    spec.push_back({Keep("(e) reduced kidney function (CrCl " + Num(*f.crcl) + " mL/min " +
                         Desc(x.P<&CP::refer_crcl, "REF-02", "D27">(), "mL/min") + ")"),
                    {"REF-02", "D27"}});
  if (x.f.HasActive(p, ConditionCode::kMalabsorption) ||
      x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
      FindCondition(p, ConditionCode::kBariatricSurgery, false))
    spec.push_back({"(e) malabsorption or bariatric surgery complicates treatment", {"REF-02"}});
  const bool young = s.outside_population && any_fragility;
  if (young) {
    spec.push_back(
        {"(f) premenopausal woman or man under 50 with a fragility fracture", {"REF-07"}});
    x.Fired("REF-07", "young patient with a fragility fracture");
  } else {
    x.NotFired("REF-07");
  }
  if (f.z_min && x.P<&CP::zscore_below_expected, "REF-02", "REF-08">().MetTenths(*f.z_min))
    x.Fired("REF-08", "Z-score " + Tn(*f.z_min));
  else
    x.NotFired("REF-08");
  if (a.risk_tier == RiskTier::kVeryHigh) {
    spec.push_back({"(g) very high fracture risk: consider anabolic therapy (expedited)",
                    {"REF-02", "RISK-01"}});
    spec_urgency = Urgency::kUrgent;
  }
  const bool dmab_stopping =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return m.agent == Agent::kDenosumab &&
               (m.status == MedStatus::kStopped || m.status == MedStatus::kCompleted);
      });
  if (dmab_stopping)
    spec.push_back({"(h) denosumab discontinuation: plan the transition", {"REF-02", "SEQ-05"}});
  const bool transplant = x.f.HasActive(p, ConditionCode::kOrganTransplant) ||
                          x.f.HasActive(p, ConditionCode::kKidneyTransplant);
  const bool immuno = FindMedication(p, Agent::kImmunosuppressant, MedStatus::kActive) != nullptr;
  if (transplant && immuno && f.gc_active)
    spec.push_back(
        {"(i) glucocorticoids in a transplant recipient on immunosuppressants", {"REF-02", "D24"}});
  if (s.outside_population && a.risk_tier == RiskTier::kIndeterminate && !young &&
      std::none_of(spec.begin(), spec.end(),
                   [](const auto& r) { return r.first.rfind("(c) Z", 0) == 0; }))
    spec.push_back(
        {"outside the T-score population with a secondary cause or recorded diagnosis", {"TX-06"}});
  if (s.osteomalacia_suspected) spec.push_back({"suspected osteomalacia", {"LAB-03"}});
  if (!spec.empty()) {
    for (auto& [t, r] : spec) {
      // The item letter of REF-02 ("(g) ...") is for the trace, not for the person reading.
      std::string_view said = t.view();
      if (said.size() > 4 && said[0] == '(' && said[2] == ')' && said[3] == ' ')
        said.remove_prefix(4);
      x.Refer(Destination::kOsteoporosisSpecialist, spec_urgency,
              "Osteoporosis specialist: " + Cat(said) + ".", r);
    }
    x.Fired("REF-02", spec.front().first);
  } else {
    x.NotFired("REF-02");
  }
  x.Trace("D27",
          f.crcl && x.P<&CP::refer_crcl, "REF-02", "D27">().Met(*f.crcl) ? Outcome::kFired
                                                                         : Outcome::kNotFired,
          x.Texts().d27);
  x.Trace("D24", transplant && immuno ? Outcome::kFired : Outcome::kNotFired,
          "transplant: warning and referral, not a block");

  // Denosumab in advanced CKD (CI-06b, REF-06, REF-02j).
  const bool dmab_in_play = a.therapy_recommended == TherapyClass::kDenosumab ||
                            std::any_of(a.alternatives.begin(), a.alternatives.end(),
                                        [](const Regimen& r) { return r.agent == "denosumab"; }) ||
                            FindMedication(p, Agent::kDenosumab, MedStatus::kActive);
  const bool dialysis = x.f.HasActive(p, ConditionCode::kDialysis);
  const bool severe_ckd =
      (f.egfr &&
       x.P<&CP::denosumab_egfr, "CI-06b", "REF-02", "REF-06", "D10", "D27", "SEL-04">().Met(
           *f.egfr)) ||
      dialysis;
  if (dmab_in_play && severe_ckd) {
    const std::string t = dialysis ? "dialysis"
                                   : "eGFR " + Num(*f.egfr) + " mL/min/1.73m2 " +
                                         Desc(x.P<&CP::denosumab_egfr, "CI-06b", "REF-02", "REF-06",
                                                  "D10", "D27", "SEL-04">(),
                                              "");
    x.Fired("CI-06b", t);
    x.Fired("D10", "denosumab never simply preferred in advanced CKD");
    x.Warn("denosumab_severe_ckd_hypocalcemia", Severity::kCritical,
           "Denosumab with " + t +
               ": risk of severe, sometimes fatal hypocalcemia (boxed warning). CKD-MBD "
               "evaluation first and supervision by a clinician with CKD-MBD expertise.",
           {"CI-06b", "D10"});
    x.Refer(Destination::kNephrology, Urgency::kRoutine,
            "Denosumab considered with " + t +
                ": CKD-MBD evaluation (iPTH, calcium, 25(OH)D, 1,25(OH)2D) before deciding.",
            {"CI-06b", "REF-06", "REF-02"});
    x.Fired("REF-06", t);
    x.a.workup.push_back(St{"ckd_mbd",
                            "CKD-MBD work-up before denosumab: intact PTH, calcium, phosphate, "
                            "25(OH)D, 1,25(OH)2D; consider bone turnover markers or bone biopsy.",
                            {"CI-06b"}});
  } else {
    x.NotFired("CI-06b");
    x.NotFired("D10");
    x.NotFired("REF-06");
  }
  // REF-03 infusion centre.
  const bool za_chosen = a.therapy_recommended == TherapyClass::kIvZoledronicAcid;
  if (za_chosen && a.za_status == ZaStatus::kEligible) {
    const bool urgent = s.dmab_transition;
    Text t =
        "Zoledronic acid 5 mg IV (infusion over at least 15 minutes): every pre-infusion check "
        "passes.";
    if (urgent) {
      const Medication* d = nullptr;
      for (const auto& m : p.medications)
        if (m.agent == Agent::kDenosumab) d = &m;
      // COURSE-25: a transition already late is due now, never on a past date.
      if (d && d->last_dose &&
          d->last_dose->AddMonths(
              static_cast<int>(x.P<&CP::dmab_overdue_months, "REF-03">().value)) < f.as_of)
        t = Keep("Time-critical: zoledronic acid infusion now (due " + Dt(f.as_of) +
                 "; the transition is overdue since " +
                 Dt(d->last_dose->AddMonths(
                     static_cast<int>(x.P<&CP::dmab_overdue_months, "REF-03">().value))) +
                 ").");
      else if (d && d->last_dose)
        t = Keep("Time-critical: zoledronic acid infusion about " +
                 Dt(std::max(d->last_dose->AddMonths(x.P<&CP::dmab_transition_months, "REF-03">()),
                             f.as_of)) +
                 " (" + Int(x.P<&CP::dmab_transition_months, "REF-03">()) +
                 " months after the last denosumab injection), no later than " +
                 Dt(d->last_dose->AddMonths(
                     static_cast<int>(x.P<&CP::dmab_overdue_months, "REF-03">().value))) +
                 ".");
      else
        t = Keep("Time-critical: zoledronic acid infusion " +
                 Int(x.P<&CP::dmab_transition_months, "REF-03">()) +
                 " months after the last denosumab injection.");
    }
    x.Refer(Destination::kInfusionCenter, urgent ? Urgency::kUrgent : Urgency::kRoutine, t,
            urgent ? RuleIds{"REF-03", "SEQ-05"} : RuleIds{"REF-03"});
    x.Fired("REF-03",
            urgent ? "time-critical transition from denosumab" : "zoledronic acid eligible");
  } else {
    x.NotFired("REF-03", za_chosen ? "pre-infusion checks not all passed"
                                   : "zoledronic acid not the chosen therapy");
  }
  // REF-04 primary care.
  if (a.treatment_indicated == false) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine,
            "Calcium, vitamin D, exercise, falls prevention and repeat DXA.", {"REF-04", "TX-05"});
    x.Fired("REF-04", "not indicated: lifestyle and re-screening");
  } else if (za_chosen && a.za_status == ZaStatus::kEligibleAfterCorrection) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine,
            "Replete vitamin D or correct calcium, then refer for the infusion.",
            {"REF-04", "PRE-02", "PRE-03"});
    x.Fired("REF-04", "correct before infusion");
  } else if (a.therapy_recommended == TherapyClass::kOralBisphosphonate &&
             !a.FindReferral(Destination::kOsteoporosisSpecialist)) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine,
            "Oral bisphosphonate managed in primary care.", {"REF-04", "SEL-02"});
    x.Fired("REF-04", "oral bisphosphonate in primary care");
  } else {
    x.NotFired("REF-04");
  }
  x.Trace("REF-05", a.FindReferral(Destination::kOncology) ? Outcome::kFired : Outcome::kNotFired);
  // Dental.
  if (p.dental.invasive_procedure_planned.value_or(false) && a.treatment_indicated == true)
    x.Refer(Destination::kDental, Urgency::kRoutine,
            "Invasive dental work planned: complete before starting an antiresorptive.",
            {"PRE-07"});
}

const Topic kReferralsTopic{"referrals", kRules};

}  // namespace bp::rules
