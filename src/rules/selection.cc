// Therapy selection: first-line agents and alternatives.
#include "rules/steps.h"

namespace bp::rules {

namespace {

// The rules this topic implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"SEL-00", "SEL-01", "SEL-02", "SEL-04", "SEL-05",
                                       "SEQ-01", "D14",    "D16",    "D17",    "D28"};
}  // namespace

// SEL: therapy class and regimens.
void Selection(Ctx& x, State& s) {
  const Patient& p = x.p;
  Assessment& a = x.a;
  auto active = [&](Agent ag) { return FindMedication(p, ag, MedStatus::kActive); };
  const Medication* dmab_active = active(Agent::kDenosumab);
  const Medication* dmab_stopped = nullptr;
  for (const auto& m : p.medications)
    if (m.agent == Agent::kDenosumab &&
        (m.status == MedStatus::kStopped || m.status == MedStatus::kCompleted))
      dmab_stopped = &m;
  auto followon_after = [&](const std::optional<Date>& after) {
    for (const auto& m : p.medications) {
      if (!IsBisphosphonate(m.agent)) continue;
      if (m.status == MedStatus::kPlanned) return true;
      if (m.status == MedStatus::kActive && (!after || !m.start || *m.start >= *after)) return true;
    }
    return false;
  };
  s.dmab_transition = !dmab_active && dmab_stopped && !followon_after(dmab_stopped->last_dose);
  const Medication* anabolic_active = nullptr;
  const Medication* anabolic_done = nullptr;
  for (const auto& m : p.medications) {
    if (!IsAnabolic(m.agent)) continue;
    if (m.status == MedStatus::kActive) anabolic_active = &m;
    if (m.status == MedStatus::kCompleted || m.status == MedStatus::kStopped) anabolic_done = &m;
  }
  const bool antiresorptive_after_anabolic =
      anabolic_done &&
      std::any_of(p.medications.begin(), p.medications.end(), [&](const Medication& m) {
        return IsAntiresorptive(m.agent) &&
               (m.status == MedStatus::kPlanned ||
                (m.status == MedStatus::kActive &&
                 (!anabolic_done->end || !m.start || *m.start >= *anabolic_done->end)));
      });
  s.anabolic_followup = anabolic_done && !anabolic_active && !antiresorptive_after_anabolic;

  // Anabolic candidates in order (SEL-01; GIOP prefers teriparatide, GIOP-08).
  static constexpr std::string_view kAnabolicOrder[] = {"romosozumab", "abaloparatide",
                                                        "teriparatide"};
  static constexpr std::string_view kGiopAnabolicOrder[] = {"teriparatide", "abaloparatide",
                                                            "romosozumab"};
  for (std::string_view ag : s.giop_indicated ? kGiopAnabolicOrder : kAnabolicOrder)
    if (!x.Avoided(ag)) s.anabolic_candidates.push_back(ag);

  const bool za_ok = !s.za_contraindicated && !x.Avoided("zoledronic_acid");
  const bool dmab_ok = !x.Avoided("denosumab");

  auto add_oral = [&](List<Regimen>& to, std::string_view rule) {
    for (std::string_view ag : s.oral_candidates) x.AddRegimen(to, ag, {rule});
  };
  auto add_za = [&](List<Regimen>& to, std::string_view rule) {
    x.AddRegimen(to, "zoledronic_acid", {rule, "SEL-05"});
  };
  auto add_dmab = [&](List<Regimen>& to, std::string_view rule) {
    x.AddRegimen(to, "denosumab", {rule, "SEL-05"});
  };

  x.Fired("SEL-00", "contraindications, then pre-infusion checks, then preference");
  x.Trace("SEL-05", Outcome::kFired,
          "routes: zoledronic acid the only infusion; denosumab, romosozumab, "
          "teriparatide, abaloparatide subcutaneous");
  x.Trace("D17", Outcome::kFired, "only zoledronic acid is routed to the infusion centre");
  x.Trace("D28", Outcome::kFired, "zoledronic acid infused over no less than 15 minutes");
  x.Trace("D16", Outcome::kFired,
          "ACP 2023 grades romosozumab evidence moderate certainty (display only)");

  // Nothing to select.
  if (a.treatment_indicated == false) {
    a.therapy_recommended = TherapyClass::kNone;
    for (std::string_view r : {"SEL-01", "SEL-02", "SEL-03", "SEL-04", "D14"})
      x.NotFired(r, "treatment not indicated");
    return;
  }
  if (a.risk_tier == RiskTier::kIndeterminate || s.neuro_deficit || s.osteomalacia_suspected) {
    a.therapy_recommended = TherapyClass::kSpecialistDecision;
    const char* why =
        a.risk_tier == RiskTier::kIndeterminate
            ? "outside the populations the thresholds apply to, a possibly pathologic fracture, or "
              "not enough data"
        : s.neuro_deficit
            ? "acute vertebral fracture with a neurological deficit: the emergency comes first"
            : "suspected osteomalacia: treat it before any antiresorptive";
    a.sequence.push_back(St{"specialist_decision",
                            std::string("No osteoporosis drug is selected now (") + why + ").",
                            {s.neuro_deficit                           ? "PRE-12"
                             : a.risk_tier == RiskTier::kIndeterminate ? "RISK-04"
                                                                       : "LAB-03"}});
    for (std::string_view r : {"SEL-01", "SEL-02", "SEL-03", "SEL-04", "D14"})
      x.NotFired(r, "a specialist decides first");
    return;
  }

  const bool very_high = a.risk_tier == RiskTier::kVeryHigh;
  TherapyClass chosen = TherapyClass::kNone;
  RuleIds why_rules;
  Text why;  // a literal, or a text kept in the arena

  auto choose_antiresorptive = [&](bool prefer_parenteral) {
    // SEQ-05: after denosumab, zoledronic acid (or alendronate) must follow.
    if (s.dmab_transition) {
      if (za_ok) {
        chosen = TherapyClass::kIvZoledronicAcid;
        if (x.verbose)
          why = Keep("Denosumab stopped: one zoledronic acid infusion about " +
                     Int(x.P<&CP::dmab_transition_months, "SEQ-05">()) +
                     " months after the last injection, no later than " +
                     Num(x.P<&CP::dmab_overdue_months, "SEQ-05">().value, 0) + " months.");
        if (x.verbose) why_rules = {"SEQ-05"};
      } else if (s.oral_candidates_any) {
        chosen = TherapyClass::kOralBisphosphonate;
        if (x.verbose)
          why =
              "Denosumab stopped and zoledronic acid contraindicated: oral alendronate as the "
              "follow-on.";
        if (x.verbose) why_rules = {"SEQ-05"};
      } else if (dmab_ok) {
        chosen = TherapyClass::kDenosumab;
        if (x.verbose)
          why =
              "Denosumab stopped but no bisphosphonate can follow: resume denosumab; it must not "
              "stop without a follow-on.";
        if (x.verbose) why_rules = {"SEQ-05", "SEL-04"};
      }
      return;
    }
    if (dmab_active && dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why = Keep("Continue denosumab every " + Int(x.P<&CP::dmab_interval_months, "SEQ-05">()) +
                   " months: it must never stop without a follow-on antiresorptive.");
      if (x.verbose) why_rules = {"SEQ-05", "SEQ-09"};
      return;
    }
    if (s.ctibl_only && dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why =
            "Cancer-treatment bone loss: denosumab 60 mg every 6 months is labelled for "
            "aromatase-inhibitor and androgen-deprivation bone loss; bisphosphonates are "
            "alternatives.";
      if (x.verbose) why_rules = {"CTIBL-02"};
      return;
    }
    if (!prefer_parenteral && s.oral_candidates_any) {
      chosen = TherapyClass::kOralBisphosphonate;
      if (x.verbose)
        why =
            "High risk with oral bisphosphonates suitable: alendronate or risedronate first line "
            "(ibandronate not preferred).";
      if (x.verbose) why_rules = {"SEL-02"};
      return;
    }
    if (za_ok) {
      chosen = TherapyClass::kIvZoledronicAcid;
      if (prefer_parenteral) {
        if (x.verbose) why = "No anabolic agent can be used: zoledronic acid 5 mg IV yearly.";
        if (x.verbose) why_rules = {"SEL-01"};
      } else if (x.verbose) {
        std::string t;
        for (const auto& r : s.oral_unsuitable_reasons) t += (t.empty() ? "" : ", ") + r;
        if (t.empty()) t = "oral bisphosphonates blocked";
        if (x.verbose)
          why = Keep("Oral bisphosphonates unsuitable (" + t +
                     "): zoledronic acid 5 mg IV once yearly.");
        if (x.verbose) why_rules = {"SEL-03"};
        for (const auto& r : s.oral_unsuitable_rules) why_rules.push_back(r);
      }
      return;
    }
    if (dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why =
            Keep("Bisphosphonates contraindicated or not tolerated (" +
                 (s.za_contra_text.empty() ? std::string("oral unsuitable") : s.za_contra_text) +
                 "): denosumab 60 mg SC every " + Int(x.P<&CP::dmab_interval_months, "SEL-04">()) +
                 " months, with a plan never to stop it without a follow-on.");
      if (x.verbose) why_rules = {"SEL-04", "D14"};
      return;
    }
    if (s.oral_candidates_any) {
      chosen = TherapyClass::kOralBisphosphonate;
      if (x.verbose) why = "Oral bisphosphonate is the remaining option.";
      if (x.verbose) why_rules = {"SEL-02"};
    }
  };

  if (very_high) {
    if (dmab_active && dmab_ok) {
      choose_antiresorptive(true);
    } else if (anabolic_active) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = "Continue the anabolic course, then an antiresorptive without a gap.";
      if (x.verbose) why_rules = {"SEL-01", "SEQ-01"};
    } else if (s.anabolic_followup || s.dmab_transition) {
      choose_antiresorptive(true);
      if (x.verbose && s.anabolic_followup && chosen != TherapyClass::kNone)
        why_rules.push_back("SEQ-01");
    } else if (anabolic_done && antiresorptive_after_anabolic) {
      // The anabolic-then-antiresorptive sequence is under way: continue the antiresorptive.
      for (const auto& m : p.medications) {
        if (m.status != MedStatus::kActive || !IsAntiresorptive(m.agent)) continue;
        if (IsOralBisphosphonate(m) && s.oral_candidates_any)
          chosen = TherapyClass::kOralBisphosphonate;
        if (m.agent == Agent::kZoledronicAcid && za_ok) chosen = TherapyClass::kIvZoledronicAcid;
        if (m.agent == Agent::kDenosumab && dmab_ok) chosen = TherapyClass::kDenosumab;
      }
      if (chosen == TherapyClass::kNone)
        choose_antiresorptive(true);
      else if (x.verbose)
        why = "Anabolic course completed and followed by an antiresorptive: continue it.";
      if (x.verbose) why_rules = {"SEQ-01", "SEL-01"};
    } else if (!s.anabolic_candidates.empty()) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose)
        why = "Very high fracture risk: an anabolic agent first, then an antiresorptive.";
      if (x.verbose) why_rules = {"SEL-01"};
      if (x.verbose && s.giop_indicated) why_rules.push_back("GIOP-08");
    } else {
      choose_antiresorptive(true);
    }
  } else {
    if (anabolic_active) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = "Continue the anabolic course, then an antiresorptive without a gap.";
      if (x.verbose) why_rules = {"SEQ-01"};
    } else {
      choose_antiresorptive(false);
      if (x.verbose && s.anabolic_followup) why_rules.push_back("SEQ-01");
    }
  }
  if (chosen == TherapyClass::kNone && !s.anabolic_candidates.empty()) {
    chosen = TherapyClass::kAnabolic;
    if (x.verbose)
      why = "Every antiresorptive is blocked: an anabolic agent, then specialist review.";
    if (x.verbose) why_rules = {"SEL-01"};
  }
  if (chosen == TherapyClass::kNone) {
    chosen = TherapyClass::kSpecialistDecision;
    if (x.verbose)
      why = "Every osteoporosis drug is blocked for this patient: a specialist decides.";
    if (x.verbose) why_rules = {"SEL-00"};
  }
  a.therapy_recommended = chosen;
  if (!x.verbose) return;  // the other profiles compare the class only
  x.Trace("SEL-01", very_high ? Outcome::kFired : Outcome::kNotFired,
          very_high ? Str(why) : Str("not very high risk"));
  x.Trace("SEL-02",
          chosen == TherapyClass::kOralBisphosphonate ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("SEL-03", s.oral_unsuitable ? Outcome::kFired : Outcome::kNotFired,
          s.oral_unsuitable ? "oral bisphosphonates unsuitable" : "");
  x.Trace("SEL-04", chosen == TherapyClass::kDenosumab ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("D14", Outcome::kFired,
          x.P<&CP::denosumab_first_line, "SEL-04", "D14">()
              ? "denosumab listed among first-line options (profile)"
              : "denosumab second line (ACP 2023)");
  a.treatment_reasons.push_back(St{"therapy", why, why_rules});

  // Regimens for the chosen class, preferred first.
  switch (chosen) {
    case TherapyClass::kOralBisphosphonate:
      add_oral(a.agents, "SEL-02");
      break;
    case TherapyClass::kIvZoledronicAcid:
      add_za(a.agents, why_rules.front());
      break;
    case TherapyClass::kDenosumab:
      add_dmab(a.agents, why_rules.front());
      break;
    case TherapyClass::kAnabolic:
      if (anabolic_active)
        x.AddRegimen(a.agents, ToString(anabolic_active->agent), {"SEL-01", "SEQ-01"});
      else
        for (std::string_view ag : s.anabolic_candidates)
          x.AddRegimen(a.agents, ag, {"SEL-01", "SEL-05"});
      break;
    default:
      break;
  }
  // Alternatives: the other usable classes.
  if (chosen != TherapyClass::kIvZoledronicAcid && za_ok)
    add_za(a.alternatives, very_high ? "SEL-01" : "SEL-03");
  if (chosen != TherapyClass::kDenosumab && dmab_ok)
    add_dmab(a.alternatives,
             x.P<&CP::denosumab_first_line, "SEL-04", "D14">() || very_high ? "SEL-01" : "SEL-04");
  if (chosen != TherapyClass::kOralBisphosphonate && s.oral_candidates_any &&
      (!very_high || s.giop_very_high))
    add_oral(a.alternatives, s.giop_very_high ? "D8" : "SEL-02");
  if (chosen != TherapyClass::kAnabolic && very_high && !dmab_active)
    for (std::string_view ag : s.anabolic_candidates) x.AddRegimen(a.alternatives, ag, {"SEL-01"});
  if (x.P<&CP::first_line_equal_options, "SEL-02", "SEL-03", "GIOP-08">() &&
      chosen == TherapyClass::kOralBisphosphonate)
    a.treatment_reasons.push_back(
        St{"equal_options",
           "Under this profile (AACE 2020) zoledronic acid and denosumab are equal "
           "first-line options with oral bisphosphonates.",
           {"SEL-02", "D14"}});
}

const Topic kSelectionTopic{"selection", kRules};

}  // namespace bp::rules
