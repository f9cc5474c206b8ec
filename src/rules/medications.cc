// Current and past medications: sequencing after denosumab and anabolic courses, dosing due.
#include "rules/course.h"
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"GIOP-09",      "SEL-06",   "SEQ-05", "SEQ-09",
                                       "DMAB-OVERDUE", "DMAB-DUE", "D15"};
}  // namespace

// Warnings tied to current medications, sequencing and monitoring.
void Medications(Ctx& x, State& s) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  Assessment& a = x.a;
  const TherapyClass rec = a.therapy_recommended;
  const bool dmab_alt = std::any_of(a.alternatives.begin(), a.alternatives.end(),
                                    [](const Regimen& r) { return r.agent == "denosumab"; });

  // Denosumab: never stop without a follow-on (SEQ-05) and never late (DMAB-OVERDUE).
  const Medication* dmab = nullptr;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kDenosumab) dmab = &m;
  if (rec == TherapyClass::kDenosumab || dmab) {
    Severity sev = Severity::kWarning;
    std::string t = x.Say<"SEQ-05", "rebound">();
    if (dmab && (dmab->status == MedStatus::kStopped || dmab->status == MedStatus::kCompleted) &&
        s.dmab_transition) {
      sev = Severity::kCritical;
      // Zoledronic acid is named only when it can be given (one voice: no warning suggests an
      // agent the decision avoids).
      const bool za_possible = !s.za_contraindicated && !x.Avoided("zoledronic_acid");
      t = za_possible ? x.Say<"SEQ-05", "stopped_za">() : x.Say<"SEQ-05", "stopped_specialist">();
    }
    x.Warn("denosumab_discontinuation_rebound", sev, t, {"SEQ-05"});
    x.Fired("SEQ-05", dmab ? x.Say<"SEQ-05", "fired_status", "status">(ToString(dmab->status))
                           : x.Say<"SEQ-05", "fired_recommended">());
    a.sequence.push_back(St{"denosumab_plan", x.Say<"SEQ-05", "plan">(), {"SEQ-05"}});
    a.sequence.push_back(St{"denosumab_review", x.Say<"SEQ-09", "review">(), {"SEQ-09"}});
    x.Fired("SEQ-09", x.Say<"SEQ-09", "fired">());
  } else {
    x.NotFired("SEQ-05");
    x.NotFired("SEQ-09");
  }
  if (dmab && dmab->status == MedStatus::kActive) {
    if (!dmab->last_dose) {
      x.Missing("medications[denosumab].last_dose", x.Say<"DMAB-OVERDUE", "needs_last_dose">());
      const std::string no_date = x.Say<"DMAB-OVERDUE", "no_last_dose">();
      x.Insufficient("DMAB-OVERDUE", no_date);
      x.Insufficient("DMAB-DUE", no_date);
    } else {
      const Date due = dmab->last_dose->AddMonths(
          x.P<&CP::dmab_interval_months, "SEQ-05", "DMAB-OVERDUE", "DMAB-DUE">());
      const Date overdue = dmab->last_dose->AddMonths(
          static_cast<int>(x.P<&CP::dmab_overdue_months, "SEQ-05", "DMAB-OVERDUE">().value));
      if (f.as_of > overdue) {
        x.Fired("DMAB-OVERDUE", x.Say<"DMAB-OVERDUE", "fired", "last_dose">(Dt(dmab->last_dose)));
        x.Warn("denosumab_dose_overdue", Severity::kCritical,
               x.Say<"DMAB-OVERDUE", "warning", "last_dose", "due">(Dt(dmab->last_dose), Dt(due)),
               {"DMAB-OVERDUE", "SEQ-05"});
      } else {
        x.NotFired("DMAB-OVERDUE", x.Say<"DMAB-OVERDUE", "not_fired", "due">(Dt(due)));
      }
      x.Trace("DMAB-DUE", f.as_of >= due ? Outcome::kFired : Outcome::kNotFired,
              x.Say<"DMAB-DUE", "due", "due">(Dt(due)));
      // COURSE-25 (§6.H.10): no due date before as_of; what is overdue is due now, and the past
      // dates are said as what they are.
      a.monitoring.push_back(
          St{"denosumab_next_dose",
             f.as_of > overdue ? x.Say<"DMAB-DUE", "next_overdue", "overdue">(Dt(overdue))
             : f.as_of > due ? x.Say<"DMAB-DUE", "next_now", "due", "overdue">(Dt(due), Dt(overdue))
                             : x.Say<"DMAB-DUE", "next", "due", "overdue">(Dt(due), Dt(overdue)),
             {"DMAB-DUE", "DMAB-OVERDUE"}});
    }
  } else {
    x.NotFired("DMAB-OVERDUE");
    x.NotFired("DMAB-DUE");
  }

  // Anabolic then antiresorptive (SEQ-01).
  const bool anabolic_rec = rec == TherapyClass::kAnabolic;
  const bool anabolic_any = std::any_of(
      p.medications.begin(), p.medications.end(),
      [](const Medication& m) { return IsAnabolic(m.agent) && m.status != MedStatus::kPlanned; });
  if (anabolic_rec || s.anabolic_followup ||
      (anabolic_any &&
       std::any_of(p.medications.begin(), p.medications.end(), [](const Medication& m) {
         return IsAnabolic(m.agent) && m.status == MedStatus::kActive;
       }))) {
    // Critical once more than anabolic_followup_critical_months have passed since the last
    // anabolic dose with no antiresorptive (COURSE-17, catalogue §C.2), or when that date is not
    // known; a course that has just ended is a warning.
    bool late = false;
    if (s.anabolic_followup) {
      std::optional<Date> last;
      for (const auto& m : p.medications) {
        if (!IsAnabolic(m.agent) || m.status == MedStatus::kPlanned) continue;
        const std::optional<Date> d = m.last_dose ? m.last_dose : m.end;
        if (d && (!last || *d > *last)) last = d;
      }
      const CourseLimits& lim = x.Set<&CP::course_limits>();
      late = !last ||
             f.as_of > last->AddMonths(
                           In<&CourseLimits::anabolic_followup_critical_months, "SEQ-01">(lim));
    }
    x.Warn("anabolic_requires_antiresorptive_followup",
           late ? Severity::kCritical : Severity::kWarning,
           s.anabolic_followup ? x.Say<"SEQ-01", "ended">() : x.Say<"SEQ-01", "must_follow">(),
           {"SEQ-01"});
    x.Fired("SEQ-01", s.anabolic_followup ? x.Say<"SEQ-01", "fired_ended">()
                                          : x.Say<"SEQ-01", "fired_active">());
    a.sequence.push_back(St{"after_anabolic", x.Say<"SEQ-01", "sequence">(), {"SEQ-01"}});
  } else {
    x.NotFired("SEQ-01");
  }

  // Estrogen / raloxifene / calcitonin as osteoporosis treatment.
  for (const auto& m : p.medications) {
    if ((m.agent == Agent::kEstrogen || m.agent == Agent::kRaloxifene) &&
        (m.status == MedStatus::kActive || m.status == MedStatus::kPlanned)) {
      if (x.P<&CP::estrogen_raloxifene_warning, "SEL-06", "D15">()) {
        x.Warn("estrogen_raloxifene_not_recommended", Severity::kWarning,
               x.Say<"SEL-06", "warning", "agent">(ToString(m.agent)), {"SEL-06", "D15"});
      }
    }
    if (m.agent == Agent::kCalcitonin && m.status == MedStatus::kActive)
      x.Warn("calcitonin_malignancy_risk", Severity::kWarning, x.Say<"SEL-07", "warning">(),
             {"SEL-07"});
  }
  x.Trace(
      "SEL-06",
      a.HasWarning("estrogen_raloxifene_not_recommended") ? Outcome::kFired : Outcome::kNotFired,
      x.P<&CP::estrogen_raloxifene_warning, "SEL-06", "D15">() ? std::string()
                                                               : x.Say<"SEL-06", "acceptable">());
  x.Trace("D15",
          x.P<&CP::estrogen_raloxifene_warning, "SEL-06", "D15">() ? Outcome::kFired
                                                                   : Outcome::kNotFired,
          x.Say<"D15", "fired">());
  x.Trace("SEL-07",
          a.HasWarning("calcitonin_malignancy_risk") ? Outcome::kFired : Outcome::kNotFired);

  // Transplant and denosumab (D24).
  const bool transplant = x.f.HasActive(p, ConditionCode::kOrganTransplant) ||
                          x.f.HasActive(p, ConditionCode::kKidneyTransplant);
  if (transplant && FindMedication(p, Agent::kImmunosuppressant, MedStatus::kActive) &&
      (rec == TherapyClass::kDenosumab || dmab_alt || dmab))
    x.Warn("denosumab_transplant_infection_risk", Severity::kWarning, x.Say<"D24", "warning">(),
           {"D24", "REF-02"});
  // GIOP-09 zoledronic acid label in GIOP.
  if (s.giop_indicated &&
      (rec == TherapyClass::kIvZoledronicAcid ||
       std::any_of(a.alternatives.begin(), a.alternatives.end(),
                   [](const Regimen& r) { return r.agent == "zoledronic_acid"; }))) {
    const bool label =
        f.gc_dose_mg && x.P<&CP::giop_za_label_dose, "GIOP-09">().Met(*f.gc_dose_mg) &&
        f.gc_days_planned &&
        *f.gc_days_planned >=
            DaysBetween(f.as_of, f.as_of.AddMonths(static_cast<int>(
                                     x.P<&CP::giop_za_label_months, "GIOP-09">().value)));
    if (!label) {
      x.Warn("zoledronic_acid_giop_label", Severity::kInfo, x.Say<"GIOP-09", "warning">(),
             {"GIOP-09"});
      x.Fired("GIOP-09", x.Say<"GIOP-09", "fired">());
    }
  }
  // Guideline disagreement handled by the Engine (needs other profiles).
}

const Topic kMedicationsTopic{"medications", kRules};

}  // namespace bp::rules
