// Referrals to specialist care.
#include <algorithm>

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
      x.NotFired("REF-01", x.Say<"REF-01", "episode_exists">());
    } else {
      const Cat fx = FxName(x, *fls_fx);
      x.Fired("REF-01", x.Say<"REF-01", "fired", "fracture">(fx));
      x.Refer(Destination::kFractureLiaisonService, Urgency::kRoutine,
              fls_fx->possible_fragility ? x.Say<"REF-01", "refer_possible", "fracture">(fx)
                                         : x.Say<"REF-01", "refer", "fracture">(fx),
              {"REF-01"});
    }
  } else {
    x.NotFired("REF-01", fls_fx ? x.Say<"REF-01", "young">() : x.Say<"REF-01", "none">());
  }
  // REF-02 specialist.
  std::vector<std::pair<std::string, RuleIds>> spec;
  spec.reserve(8);
  Urgency spec_urgency = Urgency::kRoutine;
  bool any_fragility = f.fragility_events > 0;
  if (any_fragility && f.t_min && *f.t_min > LowBoneMassBoundTenths<"REF-02", "D31">(x))
    spec.push_back({Keep(x.Say<"REF-02", "normal_bmd">()), {"REF-02", "D31"}});
  // COURSE-19: an oral drug that may not have been taken or absorbed is not a true failure; the
  // course then switches to zoledronic acid first (SEL-03). REF-02(b) is for a fracture "with no
  // obvious treatable cause": the course's own reason names the cause instead, and (g) does not
  // propose anabolic therapy against that decision.
  const bool not_true =
      x.course.not_true_failure && a.therapy_recommended != TherapyClass::kAnabolic;
  const bool za_first = not_true && a.therapy_recommended == TherapyClass::kIvZoledronicAcid;
  // (b) for a failure the course decided (COURSE-18) is said by the course's own reason, which is
  // more specific (the agent) and carries REF-02 too: one reason, not two (course_finish.cc).
  std::size_t course_says_failure = spec.max_size();
  if (s.treatment_failure && !x.course.not_true_failure) {
    if (x.course.treatment_failure) course_says_failure = spec.size();
    spec.push_back({Keep(x.Say<"REF-02", "failure">()), {"REF-02"}});
  }
  const bool z_low =
      f.z_min && x.P<&CP::zscore_below_expected, "REF-02", "REF-08">().MetTenths(*f.z_min);
  if (z_low)
    spec.push_back({Keep(x.Say<"REF-02", "zscore", "zscore">(Tn(*f.z_min))), {"REF-08", "DX-02"}});
  if (f.alp) {
    if (f.alp->AboveReference(x.P<&CP::alp_high, "REF-02">()))
      spec.push_back({Keep(x.Say<"REF-02", "high_alp">()), {"REF-02", "LAB-03"}});
    else if (f.alp->BelowReference(x.P<&CP::alp_low, "REF-02">()))
      spec.push_back({Keep(x.Say<"REF-02", "low_alp">()), {"REF-02", "LAB-03"}});
  }
  if (f.phosphate && f.phosphate->BelowReference(x.P<&CP::phosphate_low, "REF-02">()))
    spec.push_back({Keep(x.Say<"REF-02", "low_phosphate">()), {"REF-02", "LAB-03"}});
  if (x.f.HasActive(p, ConditionCode::kHyperparathyroidism))
    spec.push_back({Keep(x.Say<"REF-02", "hyperparathyroidism">()), {"REF-02"}});
  if (x.f.HasActive(p, ConditionCode::kHyperthyroidism))
    spec.push_back({Keep(x.Say<"REF-02", "hyperthyroidism">()), {"REF-02"}});
  if (x.f.HasActive(p, ConditionCode::kHypercalciuria))
    spec.push_back({Keep(x.Say<"REF-02", "hypercalciuria">()), {"REF-02"}});
  if (x.f.HasActive(p, ConditionCode::kHyperprolactinemia))
    spec.push_back({Keep(x.Say<"REF-02", "prolactin">()), {"REF-02"}});
  if (f.crcl && x.P<&CP::refer_crcl, "REF-02", "D27">().Met(*f.crcl))
    spec.push_back({Keep(x.Say<"REF-02", "kidney", "crcl">(Num(*f.crcl))), {"REF-02", "D27"}});
  if (x.f.HasActive(p, ConditionCode::kMalabsorption) ||
      x.f.HasActive(p, ConditionCode::kCeliacDisease) ||
      FindCondition(p, ConditionCode::kBariatricSurgery, false))
    spec.push_back({Keep(x.Say<"REF-02", "malabsorption">()), {"REF-02"}});
  const bool young = s.outside_population && any_fragility;
  if (young) {
    spec.push_back({Keep(x.Say<"REF-07", "item">()), {"REF-07"}});
    x.Fired("REF-07", x.Say<"REF-07", "fired">());
  } else {
    x.NotFired("REF-07");
  }
  if (z_low)
    x.Fired("REF-08", x.Say<"REF-08", "fired", "zscore">(Tn(*f.z_min)));
  else
    x.NotFired("REF-08");
  if (a.risk_tier == RiskTier::kVeryHigh) {
    spec.push_back({Keep(za_first   ? x.Say<"REF-02", "very_high_za_first">()
                         : not_true ? x.Say<"REF-02", "very_high_not_true">()
                                    : x.Say<"REF-02", "very_high">()),
                    {"REF-02", "RISK-01"}});
    spec_urgency = Urgency::kUrgent;
  }
  const bool dmab_stopping =
      std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
        return m.agent == Agent::kDenosumab &&
               (m.status == MedStatus::kStopped || m.status == MedStatus::kCompleted);
      });
  if (dmab_stopping) spec.push_back({Keep(x.Say<"REF-02", "denosumab">()), {"REF-02", "SEQ-05"}});
  const bool transplant = x.f.HasActive(p, ConditionCode::kOrganTransplant) ||
                          x.f.HasActive(p, ConditionCode::kKidneyTransplant);
  const bool immuno = FindMedication(p, Agent::kImmunosuppressant, MedStatus::kActive) != nullptr;
  if (transplant && immuno && f.gc_active)
    spec.push_back({Keep(x.Say<"REF-02", "transplant">()), {"REF-02", "D24"}});
  // Decided by the flag, not by reading the texts already listed.
  if (s.outside_population && a.risk_tier == RiskTier::kIndeterminate && !young && !z_low)
    spec.push_back({Keep(x.Say<"REF-02", "outside_population">()), {"TX-06"}});
  if (s.osteomalacia_suspected)
    spec.push_back({Keep(x.Say<"REF-02", "osteomalacia">()), {"LAB-03"}});
  if (!spec.empty()) {
    for (std::size_t i = 0; i < spec.size(); ++i) {
      if (i == course_says_failure) continue;
      const auto& [t, r] = spec[i];
      // The item letter of REF-02 ("(g) ...") is for the trace, not for the person reading.
      std::string_view said = t;
      if (said.size() > 4 && said[0] == '(' && said[2] == ')' && said[3] == ' ')
        said.remove_prefix(4);
      x.Refer(Destination::kOsteoporosisSpecialist, spec_urgency,
              Sentence(x.Say<"REF-02", "refer", "reason">(said)), r);
    }
    x.Fired("REF-02", spec.front().first);
  } else {
    x.NotFired("REF-02");
  }
  x.Trace("D27",
          f.crcl && x.P<&CP::refer_crcl, "REF-02", "D27">().Met(*f.crcl) ? Outcome::kFired
                                                                         : Outcome::kNotFired,
          x.Say<"D27", "fired">());
  x.Trace("D24", transplant && immuno ? Outcome::kFired : Outcome::kNotFired,
          x.Say<"D24", "fired">());

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
    const std::string t =
        dialysis ? x.Say<"CI-06b", "dialysis">() : x.Say<"CI-06b", "egfr", "egfr">(Num(*f.egfr));
    x.Fired("CI-06b", t);
    x.Fired("D10", x.Say<"D10", "fired">());
    x.Warn("denosumab_severe_ckd_hypocalcemia", Severity::kCritical,
           x.Say<"CI-06b", "warning", "finding">(t), {"CI-06b", "D10"});
    x.Refer(Destination::kNephrology, Urgency::kRoutine, x.Say<"REF-06", "refer", "finding">(t),
            {"CI-06b", "REF-06", "REF-02"});
    x.Fired("REF-06", t);
    x.a.workup.push_back(St{"ckd_mbd", x.Say<"CI-06b", "workup">(), {"CI-06b"}});
  } else {
    x.NotFired("CI-06b");
    x.NotFired("D10");
    x.NotFired("REF-06");
  }
  // REF-03 infusion centre.
  const bool za_chosen = a.therapy_recommended == TherapyClass::kIvZoledronicAcid;
  // §6.H.13: a continued zoledronic acid course whose only unmet check is the dosing interval
  // (PRE-04) goes to the infusion centre, booked for its due date; there is nothing to correct
  // in primary care.
  bool interval_only = za_chosen && a.za_status == ZaStatus::kEligibleAfterCorrection &&
                       x.course.za_next_due.has_value();
  bool interval_unmet = false;
  for (const auto& c : a.pre_infusion) {
    if (c.status != CheckStatus::kFail && c.status != CheckStatus::kUnknown) continue;
    if (c.check == PreCheckKind::kDosingInterval)
      interval_unmet = true;
    else
      interval_only = false;
  }
  interval_only = interval_only && interval_unmet;
  if (interval_only) {
    x.Refer(Destination::kInfusionCenter, Urgency::kRoutine,
            x.Say<"REF-03", "booked", "due">(Dt(*x.course.za_next_due)), {"REF-03", "PRE-04"});
    x.Fired("REF-03", x.Say<"REF-03", "fired_booked">());
  } else if (za_chosen && a.za_status == ZaStatus::kEligible) {
    // Time-critical after denosumab: stopped without a follow-on (SEQ-05), or lapsed with
    // zoledronic acid in its place (COURSE-15, dmab_lapse_action).
    const bool urgent =
        s.dmab_transition ||
        std::any_of(x.course.current.begin(), x.course.current.end(), [](const CurrentCourse& c) {
          return c.agent == Agent::kDenosumab && c.switch_to == "zoledronic_acid";
        });
    std::string t;
    if (!urgent) {
      t = x.Say<"REF-03", "refer">();
    } else {
      const Medication* d = nullptr;
      for (const auto& m : p.medications)
        if (m.agent == Agent::kDenosumab) d = &m;
      if (d && d->last_dose) {
        const Date overdue = d->last_dose->AddMonths(
            static_cast<int>(x.P<&CP::dmab_overdue_months, "REF-03">().value));
        // COURSE-25: a transition already late is due now, never on a past date.
        if (overdue < f.as_of)
          t = x.Say<"REF-03", "overdue", "today", "overdue">(Dt(f.as_of), Dt(overdue));
        else
          t = x.Say<"REF-03", "transition", "due", "overdue">(
              Dt(std::max(d->last_dose->AddMonths(x.P<&CP::dmab_transition_months, "REF-03">()),
                          f.as_of)),
              Dt(overdue));
      } else {
        t = x.Say<"REF-03", "transition_undated">();
      }
    }
    x.Refer(Destination::kInfusionCenter, urgent ? Urgency::kUrgent : Urgency::kRoutine, t,
            urgent ? RuleIds{"REF-03", "SEQ-05"} : RuleIds{"REF-03"});
    x.Fired("REF-03", urgent ? x.Say<"REF-03", "fired_transition">() : x.Say<"REF-03", "fired">());
  } else {
    x.NotFired("REF-03",
               za_chosen ? x.Say<"REF-03", "not_eligible">() : x.Say<"REF-03", "not_chosen">());
  }
  // REF-04 primary care.
  if (a.treatment_indicated == false) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine, x.Say<"REF-04", "lifestyle">(),
            {"REF-04", "TX-05"});
    x.Fired("REF-04", x.Say<"REF-04", "fired_lifestyle">());
  } else if (za_chosen && a.za_status == ZaStatus::kEligibleAfterCorrection && !interval_only) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine, x.Say<"REF-04", "correct">(),
            {"REF-04", "PRE-02", "PRE-03"});
    x.Fired("REF-04", x.Say<"REF-04", "fired_correct">());
  } else if (a.therapy_recommended == TherapyClass::kOralBisphosphonate &&
             !a.FindReferral(Destination::kOsteoporosisSpecialist)) {
    x.Refer(Destination::kPrimaryCare, Urgency::kRoutine, x.Say<"REF-04", "oral">(),
            {"REF-04", "SEL-02"});
    x.Fired("REF-04", x.Say<"REF-04", "fired_oral">());
  } else {
    x.NotFired("REF-04");
  }
  x.Trace("REF-05", a.FindReferral(Destination::kOncology) ? Outcome::kFired : Outcome::kNotFired);
  // Dental.
  if (p.dental.invasive_procedure_planned.value_or(false) && a.treatment_indicated == true)
    x.Refer(Destination::kDental, Urgency::kRoutine, x.Say<"PRE-07", "refer">(), {"PRE-07"});
}

const Topic kReferralsTopic{"referrals", kRules};

}  // namespace bp::rules
