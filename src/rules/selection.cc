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

  auto add_oral = [&](std::vector<Regimen>& to, std::string_view rule) {
    for (std::string_view ag : s.oral_candidates) x.AddRegimen(to, ag, {rule});
  };
  auto add_za = [&](std::vector<Regimen>& to, std::string_view rule) {
    x.AddRegimen(to, "zoledronic_acid", {rule, "SEL-05"});
  };
  auto add_dmab = [&](std::vector<Regimen>& to, std::string_view rule) {
    x.AddRegimen(to, "denosumab", {rule, "SEL-05"});
  };

  x.Fired("SEL-00", x.Say<"SEL-00", "fired">());
  x.Trace("SEL-05", Outcome::kFired, x.Say<"SEL-05", "fired">());
  x.Trace("D17", Outcome::kFired, x.Say<"D17", "fired">());
  x.Trace("D28", Outcome::kFired, x.Say<"D28", "fired">());
  x.Trace("D16", Outcome::kFired, x.Say<"D16", "fired">());

  // Nothing to select.
  if (a.treatment_indicated == false) {
    a.therapy_recommended = TherapyClass::kNone;
    const std::string why = x.Say<"SEL-00", "not_indicated">();
    for (std::string_view r : {"SEL-01", "SEL-02", "SEL-03", "SEL-04", "D14"}) x.NotFired(r, why);
    return;
  }
  if (a.risk_tier == RiskTier::kIndeterminate || s.neuro_deficit || s.osteomalacia_suspected) {
    a.therapy_recommended = TherapyClass::kSpecialistDecision;
    a.sequence.push_back(St{"specialist_decision",
                            a.risk_tier == RiskTier::kIndeterminate
                                ? x.Say<"SEL-00", "specialist_indeterminate">()
                            : s.neuro_deficit ? x.Say<"SEL-00", "specialist_neuro">()
                                              : x.Say<"SEL-00", "specialist_osteomalacia">(),
                            {s.neuro_deficit                           ? "PRE-12"
                             : a.risk_tier == RiskTier::kIndeterminate ? "RISK-04"
                                                                       : "LAB-03"}});
    const std::string first = x.Say<"SEL-00", "specialist_first">();
    for (std::string_view r : {"SEL-01", "SEL-02", "SEL-03", "SEL-04", "D14"}) x.NotFired(r, first);
    return;
  }

  const bool very_high = a.risk_tier == RiskTier::kVeryHigh;
  TherapyClass chosen = TherapyClass::kNone;
  RuleIds why_rules;
  std::string why;

  auto choose_antiresorptive = [&](bool prefer_parenteral) {
    // SEQ-05: after denosumab, zoledronic acid (or alendronate) must follow.
    if (s.dmab_transition) {
      if (za_ok) {
        chosen = TherapyClass::kIvZoledronicAcid;
        if (x.verbose) why = x.Say<"SEQ-05", "transition_za">();
        if (x.verbose) why_rules = {"SEQ-05"};
      } else if (s.oral_candidates_any) {
        chosen = TherapyClass::kOralBisphosphonate;
        if (x.verbose) why = x.Say<"SEQ-05", "transition_oral">();
        if (x.verbose) why_rules = {"SEQ-05"};
      } else if (dmab_ok) {
        chosen = TherapyClass::kDenosumab;
        if (x.verbose) why = x.Say<"SEQ-05", "transition_resume">();
        if (x.verbose) why_rules = {"SEQ-05", "SEL-04"};
      }
      return;
    }
    if (dmab_active && dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose) why = x.Say<"SEQ-05", "continue_denosumab">();
      if (x.verbose) why_rules = {"SEQ-05", "SEQ-09"};
      return;
    }
    if (s.ctibl_only && dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose) why = x.Say<"CTIBL-02", "denosumab">();
      if (x.verbose) why_rules = {"CTIBL-02"};
      return;
    }
    if (!prefer_parenteral && s.oral_candidates_any) {
      chosen = TherapyClass::kOralBisphosphonate;
      if (x.verbose) why = x.Say<"SEL-02", "first_line">();
      if (x.verbose) why_rules = {"SEL-02"};
      return;
    }
    if (za_ok) {
      chosen = TherapyClass::kIvZoledronicAcid;
      if (prefer_parenteral) {
        if (x.verbose) why = x.Say<"SEL-01", "no_anabolic">();
        if (x.verbose) why_rules = {"SEL-01"};
      } else if (x.verbose) {
        std::string t;
        for (const auto& r : s.oral_unsuitable_reasons) t += (t.empty() ? "" : ", ") + r;
        if (t.empty()) t = x.Say<"SEL-03", "blocked">();
        why = x.Say<"SEL-03", "zoledronic_acid", "reasons">(t);
        if (x.verbose) why_rules = {"SEL-03"};
        for (const auto& r : s.oral_unsuitable_rules) why_rules.push_back(r);
      }
      return;
    }
    if (dmab_ok) {
      chosen = TherapyClass::kDenosumab;
      if (x.verbose)
        why = x.Say<"SEL-04", "denosumab", "reasons">(
            s.za_contraindicated ? s.za_contra_text : x.Say<"SEL-04", "oral_unsuitable">());
      if (x.verbose) why_rules = {"SEL-04", "D14"};
      return;
    }
    if (s.oral_candidates_any) {
      chosen = TherapyClass::kOralBisphosphonate;
      if (x.verbose) why = x.Say<"SEL-02", "remaining">();
      if (x.verbose) why_rules = {"SEL-02"};
    }
  };

  if (very_high) {
    if (dmab_active && dmab_ok) {
      choose_antiresorptive(true);
    } else if (anabolic_active) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = x.Say<"SEQ-01", "continue_anabolic">();
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
        why = x.Say<"SEQ-01", "continue_antiresorptive">();
      if (x.verbose) why_rules = {"SEQ-01", "SEL-01"};
    } else if (!s.anabolic_candidates.empty()) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = x.Say<"SEL-01", "very_high">();
      if (x.verbose) why_rules = {"SEL-01"};
      if (x.verbose && s.giop_indicated) why_rules.push_back("GIOP-08");
    } else {
      choose_antiresorptive(true);
    }
  } else {
    if (anabolic_active) {
      chosen = TherapyClass::kAnabolic;
      if (x.verbose) why = x.Say<"SEQ-01", "continue_anabolic">();
      if (x.verbose) why_rules = {"SEQ-01"};
    } else {
      choose_antiresorptive(false);
      if (x.verbose && s.anabolic_followup) why_rules.push_back("SEQ-01");
    }
  }
  if (chosen == TherapyClass::kNone && !s.anabolic_candidates.empty()) {
    chosen = TherapyClass::kAnabolic;
    if (x.verbose) why = x.Say<"SEL-01", "antiresorptives_blocked">();
    if (x.verbose) why_rules = {"SEL-01"};
  }
  if (chosen == TherapyClass::kNone) {
    chosen = TherapyClass::kSpecialistDecision;
    if (x.verbose) why = x.Say<"SEL-00", "all_blocked">();
    if (x.verbose) why_rules = {"SEL-00"};
  }
  a.therapy_recommended = chosen;
  if (!x.verbose) return;  // the other profiles compare the class only
  x.Trace("SEL-01", very_high ? Outcome::kFired : Outcome::kNotFired,
          very_high ? Str(why) : Str(x.Say<"SEL-01", "not_very_high">()));
  x.Trace("SEL-02",
          chosen == TherapyClass::kOralBisphosphonate ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("SEL-03", s.oral_unsuitable ? Outcome::kFired : Outcome::kNotFired,
          s.oral_unsuitable ? x.Say<"SEL-03", "fired">() : std::string());
  x.Trace("SEL-04", chosen == TherapyClass::kDenosumab ? Outcome::kFired : Outcome::kNotFired);
  x.Trace("D14", Outcome::kFired,
          x.P<&CP::denosumab_first_line, "SEL-04", "D14">() ? x.Say<"D14", "first_line">()
                                                            : x.Say<"D14", "second_line">());
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
        St{"equal_options", x.Say<"SEL-02", "equal_options">(), {"SEL-02", "D14"}});
}

const Topic kSelectionTopic{"selection", kRules};

}  // namespace bp::rules
