// Current and past medications: sequencing after denosumab and anabolic courses, dosing due.
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
    std::string t =
        "Denosumab must never stop without a follow-on antiresorptive: stopping causes rebound "
        "bone loss and multiple vertebral fractures.";
    if (dmab && (dmab->status == MedStatus::kStopped || dmab->status == MedStatus::kCompleted) &&
        s.dmab_transition) {
      sev = Severity::kCritical;
      // Zoledronic acid is named only when it can be given (one voice: no warning suggests an
      // agent the decision avoids).
      const bool za_possible = !s.za_contraindicated && !x.Avoided("zoledronic_acid");
      t = std::string("Denosumab stopped with no follow-on antiresorptive planned: give ") +
          (za_possible ? "zoledronic acid"
                       : "a follow-on antiresorptive chosen by the specialist") +
          " about " + Int(x.P<&CP::dmab_transition_months, "SEQ-05">()) +
          " months after the last injection (no later than " +
          Num(x.P<&CP::dmab_overdue_months, "SEQ-05", "DMAB-OVERDUE">().value, 0) +
          ") to prevent rebound vertebral fractures.";
    }
    x.Warn("denosumab_discontinuation_rebound", sev, t, {"SEQ-05"});
    x.Fired("SEQ-05", dmab ? std::string("denosumab ") + std::string(ToString(dmab->status))
                           : "denosumab recommended");
    a.sequence.push_back(
        St{"denosumab_plan",
           "Denosumab: no drug holiday. If it is to stop, give zoledronic acid 5 mg about " +
               Int(x.P<&CP::dmab_transition_months, "SEQ-05">()) +
               " months after the last injection (no later than " +
               Num(x.P<&CP::dmab_overdue_months, "SEQ-05", "DMAB-OVERDUE">().value, 0) +
               " months; oral alendronate if zoledronic acid is not possible), then CTX 3 "
               "and 6 months after the infusion; repeat if CTX stays high.",
           {"SEQ-05"}});
    a.sequence.push_back(St{"denosumab_review",
                            "Reassess after 5-10 years; if still at high risk continue "
                            "denosumab or switch therapy, never simply stop.",
                            {"SEQ-09"}});
    x.Fired("SEQ-09", "denosumab course review");
  } else {
    x.NotFired("SEQ-05");
    x.NotFired("SEQ-09");
  }
  if (dmab && dmab->status == MedStatus::kActive) {
    if (!dmab->last_dose) {
      x.Missing("medications[denosumab].last_dose", "denosumab dosing interval (DMAB-OVERDUE)");
      x.Insufficient("DMAB-OVERDUE", "no last dose date");
      x.Insufficient("DMAB-DUE", "no last dose date");
    } else {
      const Date due = dmab->last_dose->AddMonths(
          x.P<&CP::dmab_interval_months, "SEQ-05", "DMAB-OVERDUE", "DMAB-DUE">());
      const Date overdue = dmab->last_dose->AddMonths(
          static_cast<int>(x.P<&CP::dmab_overdue_months, "SEQ-05", "DMAB-OVERDUE">().value));
      if (f.as_of > overdue) {
        x.Fired("DMAB-OVERDUE", "last dose " + Dt(dmab->last_dose));
        x.Warn("denosumab_dose_overdue", Severity::kCritical,
               "Denosumab overdue: last dose " + Dt(dmab->last_dose) + ", more than " +
                   Num(x.P<&CP::dmab_overdue_months, "SEQ-05", "DMAB-OVERDUE">().value, 0) +
                   " months ago (due " + Dt(due) +
                   "): give it now; rebound vertebral fractures risk.",
               {"DMAB-OVERDUE", "SEQ-05"});
      } else {
        x.NotFired("DMAB-OVERDUE", "next dose due " + Dt(due));
      }
      x.Trace("DMAB-DUE", f.as_of >= due ? Outcome::kFired : Outcome::kNotFired,
              "next dose due " + Dt(due));
      a.monitoring.push_back(
          St{"denosumab_next_dose",
             "Next denosumab dose due " + Dt(due) + " (every " +
                 Int(x.P<&CP::dmab_interval_months, "SEQ-05", "DMAB-OVERDUE", "DMAB-DUE">()) +
                 " months; overdue after " + Dt(overdue) + ").",
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
    x.Warn("anabolic_requires_antiresorptive_followup",
           s.anabolic_followup ? Severity::kCritical : Severity::kWarning,
           s.anabolic_followup ? "An anabolic course has ended without an antiresorptive "
                                 "after it: start one without a gap."
                               : "An anabolic course must be followed by an antiresorptive "
                                 "(bisphosphonate or denosumab) without a gap.",
           {"SEQ-01"});
    x.Fired("SEQ-01",
            s.anabolic_followup ? "anabolic course ended" : "anabolic recommended or active");
    a.sequence.push_back(
        St{"after_anabolic",
           "After the anabolic course (romosozumab 12 monthly doses; teriparatide or "
           "abaloparatide as labelled), start an antiresorptive without a gap.",
           {"SEQ-01"}});
  } else {
    x.NotFired("SEQ-01");
  }

  // Estrogen / raloxifene / calcitonin as osteoporosis treatment.
  for (const auto& m : p.medications) {
    if ((m.agent == Agent::kEstrogen || m.agent == Agent::kRaloxifene) &&
        (m.status == MedStatus::kActive || m.status == MedStatus::kPlanned)) {
      if (x.P<&CP::estrogen_raloxifene_warning, "SEL-06", "D15">()) {
        x.Warn("estrogen_raloxifene_not_recommended", Severity::kWarning,
               std::string(ToString(m.agent)) +
                   " is not recommended as osteoporosis treatment (ACP, strong); "
                   "prefer a bisphosphonate or denosumab.",
               {"SEL-06", "D15"});
      }
    }
    if (m.agent == Agent::kCalcitonin && m.status == MedStatus::kActive)
      x.Warn("calcitonin_malignancy_risk", Severity::kWarning,
             "Calcitonin is not an osteoporosis treatment; long-term use carries a "
             "malignancy signal.",
             {"SEL-07"});
  }
  x.Trace(
      "SEL-06",
      a.HasWarning("estrogen_raloxifene_not_recommended") ? Outcome::kFired : Outcome::kNotFired,
      x.P<&CP::estrogen_raloxifene_warning, "SEL-06", "D15">()
          ? ""
          : "raloxifene acceptable in selected women under this profile");
  x.Trace("D15",
          x.P<&CP::estrogen_raloxifene_warning, "SEL-06", "D15">() ? Outcome::kFired
                                                                   : Outcome::kNotFired,
          "not recommended, not a label contraindication");
  x.Trace("SEL-07",
          a.HasWarning("calcitonin_malignancy_risk") ? Outcome::kFired : Outcome::kNotFired);

  // Transplant and denosumab (D24).
  const bool transplant = x.f.HasActive(p, ConditionCode::kOrganTransplant) ||
                          x.f.HasActive(p, ConditionCode::kKidneyTransplant);
  if (transplant && FindMedication(p, Agent::kImmunosuppressant, MedStatus::kActive) &&
      (rec == TherapyClass::kDenosumab || dmab_alt || dmab))
    x.Warn("denosumab_transplant_infection_risk", Severity::kWarning,
           "Organ transplant recipient on immunosuppressants: denosumab may raise "
           "infection risk (seed 000; not confirmed in ACR 2022): specialist decision.",
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
      x.Warn("zoledronic_acid_giop_label", Severity::kInfo,
             "Zoledronic acid for glucocorticoid-induced osteoporosis is labelled for >= 7.5 "
             "mg/day expected for >= 12 months; this patient is outside that population.",
             {"GIOP-09"});
      x.Fired("GIOP-09", "outside the labelled GIOP population");
    }
  }
  // Guideline disagreement handled by the Engine (needs other profiles).
}

const Topic kMedicationsTopic{"medications", kRules};

}  // namespace bp::rules
