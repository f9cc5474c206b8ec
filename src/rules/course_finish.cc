// Patients already on treatment (catalogue §6), at the end of a verbose run: the outputs of
// the gates, of CALC-09 and of the course decision (statements, warnings, referrals,
// therapy.current), the one-voice clean-up, and the disagreements the engine chose (D34-D44).
#include <algorithm>
#include <string>
#include <vector>

#include "rules/course.h"
#include "rules/course_decider.h"
#include "rules/steps.h"

namespace bp::rules {

namespace {

// Statement codes of the course decision.
std::string_view CourseCode(std::string_view code) {
  static constexpr std::string_view kCodes[] = {
      "course_continue", "course_stop",       "course_switch", "course_holiday",
      "course_resume",   "course_transition", "course_hold"};
  for (auto c : kCodes)
    if (c == code) return c;
  return "course_continue";
}

// A warning code from the knowledge base (the text lives as long as the knowledge).
std::string_view WarningCode(const KnowledgeBase& kb, std::string_view code) {
  for (const auto& w : kb.warnings)
    if (w.code == code) return w.code;
  return {};
}

// The monitoring statements (monitoring.cc codes) that are about one agent.
bool MonitorsAgent(std::string_view code, Agent a) {
  switch (a) {
    case Agent::kRomosozumab:
      return code == "romo_cv";
    case Agent::kTeriparatide:
    case Agent::kAbaloparatide:
      return code == "pth_calcium";
    case Agent::kDenosumab:
      return code == "dmab_calcium" || code == "dmab_calcium_predisposed" ||
             code == "dmab_calcium_ckd" || code == "denosumab_next_dose";
    case Agent::kZoledronicAcid:
      return code == "za_renal";
    case Agent::kAlendronate:
    case Agent::kRisedronate:
    case Agent::kIbandronate:
      return code == "btm";  // MON-01: markers on an oral bisphosphonate
    default:
      return false;
  }
}

// The name of a pre-infusion check in a course statement (as the infusion section names it).
std::string CheckName(const Ctx& x, PreCheckKind k) {
  switch (k) {
    case PreCheckKind::kCreatinineClearance:
      return x.Say<"COURSE-15", "check_crcl">();
    case PreCheckKind::kAcuteRenalImpairment:
      return x.Say<"COURSE-15", "check_acute_renal">();
    case PreCheckKind::kSerumCalcium:
      return x.Say<"COURSE-15", "check_calcium">();
    case PreCheckKind::kVitaminD:
      return x.Say<"COURSE-15", "check_vitamin_d">();
    case PreCheckKind::kDosingInterval:
      return x.Say<"COURSE-15", "check_interval">();
    case PreCheckKind::kHypersensitivity:
      return x.Say<"COURSE-15", "check_hypersensitivity">();
    case PreCheckKind::kPregnancy:
      return x.Say<"COURSE-15", "check_pregnancy">();
    case PreCheckKind::kAcuteCondition:
      return x.Say<"COURSE-15", "check_acute_condition">();
    default:
      return x.Say<"COURSE-15", "check_other">();
  }
}

// COURSE-15 (and the transitions to zoledronic acid of COURSE-14 and COURSE-23): "give
// zoledronic acid now" holds only when the pre-infusion checks let it be given. Otherwise the
// course statement that plans it (CourseEffect::za_now_head, set by the decision) says what to
// correct or obtain first, or the follow-on given instead, in the words of the infusion
// section. Runs before the course statements join therapy.sequence.
void ZoledronicNowFollowsInfusion(Ctx& x, const State& s) {
  Assessment& a = x.a;
  if (s.course_target != CourseTarget::kZoledronicNow) return;
  const bool za_given = a.therapy_recommended == TherapyClass::kIvZoledronicAcid;
  if (za_given && a.za_status == ZaStatus::kEligible) return;
  std::string failed, unknown;
  for (const auto& c : a.pre_infusion) {
    std::string* to = c.status == CheckStatus::kFail      ? &failed
                      : c.status == CheckStatus::kUnknown ? &unknown
                                                          : nullptr;
    if (to) *to += (to->empty() ? "" : ", ") + CheckName(x, c.check);
  }
  const std::optional<Date>& due = x.course.za_next_due;
  std::string tail, switch_to;
  if (!za_given) {
    const std::string why = failed.empty() ? x.Say<"COURSE-15", "za_avoided">()
                                           : x.Say<"COURSE-15", "za_failed", "checks">(failed);
    if (a.therapy_recommended == TherapyClass::kDenosumab) {
      // "Resume" only for a patient coming off denosumab; after another agent (an oral
      // bisphosphonate switched to zoledronic acid, COURSE-19) denosumab starts.
      const bool was_on_dmab =
          std::any_of(x.course.current.begin(), x.course.current.end(),
                      [](const CurrentCourse& c) { return c.agent == Agent::kDenosumab; });
      tail = was_on_dmab ? x.Say<"COURSE-15", "za_not_given_denosumab", "why">(why)
                         : x.Say<"COURSE-15", "za_not_given_denosumab_start", "why">(why);
      switch_to = "denosumab";
    } else if (a.therapy_recommended == TherapyClass::kOralBisphosphonate && !a.agents.empty()) {
      tail = x.Say<"COURSE-15", "za_not_given_oral", "why", "agent">(why, a.agents.front().agent);
      switch_to = std::string(a.agents.front().agent);
    } else {
      tail = x.Say<"COURSE-15", "za_not_given_specialist", "why">(why);
      switch_to = "specialist_decision";
    }
  } else if (a.za_status == ZaStatus::kEligibleAfterCorrection) {
    tail = due ? x.Say<"COURSE-15", "za_correct_first_due", "checks", "due">(failed, Dt(due))
               : x.Say<"COURSE-15", "za_correct_first", "checks">(failed);
  } else if (a.za_status == ZaStatus::kInsufficientData) {
    tail = due ? x.Say<"COURSE-15", "za_needed_first_due", "checks", "due">(unknown, Dt(due))
               : x.Say<"COURSE-15", "za_needed_first", "checks">(unknown);
  } else {
    tail = x.Say<"COURSE-15", "za_deferred">();
  }
  for (char& ch : tail)
    if (ch == '_') ch = ' ';
  // The statements the decision marked as planning the infusion now keep their first part.
  for (auto& q : x.course.sequence) {
    if (q.za_now_head.empty()) continue;
    q.text = q.za_now_head + ": " + tail;
    if (!HasId(q.rules, "PRE-01")) q.rules.push_back("PRE-01");
  }
  for (auto& c : a.current)
    if (c.switch_to == "zoledronic_acid") {
      if (!switch_to.empty()) c.switch_to = switch_to;
      c.text = tail;
    }
}

// LAB-03 acted (the hypercalcemia_evaluate warning, and the specialist gate on a course): its
// trace says so with the values that decided it, in place of the "not fired" the monitoring step
// wrote before the gate was known (or beside the findings it fired for there).
void TraceLab03(Ctx& x, const State& s) {
  if (!x.verbose) return;
  const Facts& f = x.f;
  std::string findings;
  if (s.phpt_gate) findings = x.Say<"LAB-03", "fired_phpt">();
  if (f.hypercalcemia) {
    std::string found;
    if (f.ionized_calcium) {
      const LabValue& v = *f.ionized_calcium;
      const bool lab = v.lab && v.lab->reference_high;
      const double uln = lab ? *v.lab->reference_high : x.P<&CP::hyperca_ionized, "LAB-03">().value;
      found = x.Say<"LAB-03", "fired_ionized", "calcium", "limit", "uln">(
          Num(v.value, 2),
          lab ? x.Say<"LAB-03", "limit_lab">() : x.Say<"LAB-03", "limit_fallback">(), Num(uln, 2));
    } else if (f.calcium) {
      const LabValue& v = *f.calcium;
      const bool lab = v.lab && v.lab->reference_high;
      const double uln =
          lab ? *v.lab->reference_high : x.P<&CP::hyperca_corrected, "LAB-03">().value;
      const std::string limit =
          lab ? x.Say<"LAB-03", "limit_lab">() : x.Say<"LAB-03", "limit_fallback">();
      found = f.corrected_calcium ? x.Say<"LAB-03", "fired_corrected", "calcium", "limit", "uln">(
                                        Num(*f.corrected_calcium, 2), limit, Num(uln, 1))
                                  : x.Say<"LAB-03", "fired_total", "calcium", "limit", "uln">(
                                        Num(v.value, 1), limit, Num(uln, 1));
    }
    if (!found.empty()) findings += (findings.empty() ? "" : "; ") + found;
  }
  // The urgent margin is a total-calcium one: with ionized calcium alone the trace says it was
  // not compared (course_gates.cc).
  const std::string urgently =
      s.hyperca_urgent ? x.Say<"LAB-03", "urgently">()
      : (s.phpt_gate || s.hyperca_gate) && f.hypercalcemia && f.ionized_calcium && !f.calcium
          ? x.Say<"LAB-03", "routinely_ionized">()
          : std::string();
  const std::string because =
      s.phpt_gate ? x.Say<"LAB-03", "fired_gate_phpt", "findings", "urgently">(findings, urgently)
      : s.hyperca_gate ? x.Say<"LAB-03", "fired_gate", "findings", "urgently">(findings, urgently)
                       : x.Say<"LAB-03", "fired_evaluate", "findings">(findings);
  for (auto it = x.a.trace.rbegin(); it != x.a.trace.rend(); ++it) {
    if (it->rule != "LAB-03") continue;
    if (it->outcome == Outcome::kFired) {
      it->because += "; " + because;
    } else {
      it->outcome = Outcome::kFired;
      it->because = because;
    }
    return;
  }
  x.Fired("LAB-03", Str(because));
}

// The rules this file implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"COURSE-25", "CALC-09", "D34", "D35", "D36", "D37", "D38",
                                       "D39",       "D40",     "D41", "D42", "D43", "D44"};

// The zoledronic acid status when a course gate or limit decides it after the infusion step
// (the contract's first match: not indicated; pregnancy; a deferral; a label contraindication;
// missing data; a correction; eligible). The status and the reason it rests on change together:
// a deferral is never explained by "every check passes" or by a contraindication, nor a
// contraindication by a deferral. Deferrals add up, each saying why; "not indicated" and
// pregnancy's contraindication stand.
void DeferZa(Ctx& x, const State& s, const std::string& why, RuleIds rules) {
  Assessment& a = x.a;
  if (a.za_status == ZaStatus::kNotIndicated || s.pregnancy_gate) return;
  if (a.za_status != ZaStatus::kDeferred) {
    a.za_status = ZaStatus::kDeferred;
    a.za_reasons.clear();
  }
  if (!x.verbose) return;
  rules.push_back("CONV-ZA-STATUS");
  std::string text = x.Say<"CONV-ZA-STATUS", "deferred_because", "why">(why);
  for (const auto& r : a.za_reasons)
    if (r.text == text) return;
  a.za_reasons.push_back(St{"", std::move(text), std::move(rules)});
}

// CI-12: in pregnancy zoledronic acid is contraindicated, checked before any deferral (unless
// treatment is not indicated at all); the reason names the pregnancy unless the label
// contraindication already does.
void ContraindicateZaInPregnancy(Ctx& x, const State& s) {
  Assessment& a = x.a;
  if (a.za_status == ZaStatus::kNotIndicated) return;
  if (a.za_status == ZaStatus::kContraindicated && s.za_contraindicated &&
      std::find(s.za_contra_rules.begin(), s.za_contra_rules.end(), "CI-12") !=
          s.za_contra_rules.end())
    return;
  a.za_status = ZaStatus::kContraindicated;
  a.za_reasons.clear();
  if (x.verbose)
    a.za_reasons.push_back(
        St{"", x.Say<"CI-12", "za_contraindicated">(), {"CI-12", "PRE-05", "CONV-ZA-STATUS"}});
}

}  // namespace

// At the end of a verbose run: the course's statements, warnings, referrals and
// therapy.current; the gates' outputs; the one-voice clean-up.
void CourseFinish(Ctx& x, State& s) {
  Assessment& a = x.a;
  const Facts& f = x.f;
  const CourseDecision& d = x.course;
  const bool indicated_for_cards = a.treatment_indicated == true;
  (void)indicated_for_cards;
  // Gates.
  if (s.pregnancy_gate || s.lactation_gate) {
    x.Warn(s.pregnancy_gate ? "pregnancy_osteoporosis_drugs_withheld"
                            : "lactation_osteoporosis_drugs_withheld",
           s.pregnancy_gate ? Severity::kCritical : Severity::kWarning,
           s.pregnancy_gate ? x.Say<"CI-12", "gate_warn_pregnancy">()
                            : x.Say<"CI-12", "gate_warn_breastfeeding">(),
           {"CI-12"});
    x.Refer(Destination::kOsteoporosisSpecialist, Urgency::kUrgent,
            s.pregnancy_gate ? x.Say<"CI-12", "gate_refer_pregnancy">()
                             : x.Say<"CI-12", "gate_refer_breastfeeding">(),
            {"CI-12", "REF-02"});
    if (s.pregnancy_gate)
      x.Refer(Destination::kObstetrics, Urgency::kUrgent, x.Say<"CI-12", "gate_refer_obstetrics">(),
              {"CI-12"});
    if (s.pregnancy_gate)
      ContraindicateZaInPregnancy(x, s);
    else
      DeferZa(x, s, x.Say<"CI-12", "za_deferred_breastfeeding">(), {"CI-12"});
  }
  if (s.infection) {
    x.Warn("spinal_infection_suspected", Severity::kCritical, x.Say<"VCF-03b", "infection">(),
           {"VCF-03b"});
    x.Warn("pathologic_fracture_suspected", Severity::kWarning, x.Say<"VCF-03b", "pathologic">(),
           {"VCF-03b"});
    const bool deficit = x.p.spine.neurological_deficit.value_or(false);
    x.Refer(Destination::kSpineSurgery, deficit ? Urgency::kImmediate : Urgency::kUrgent,
            x.Say<"VCF-03b", "refer_spine">(), {"VCF-03b"});
    x.Refer(Destination::kInfectiousDisease, deficit ? Urgency::kImmediate : Urgency::kUrgent,
            x.Say<"VCF-03b", "refer_infectious">(), {"VCF-03b"});
    a.workup.push_back(St{"spinal_infection", x.Say<"VCF-03b", "workup">(), {"VCF-03b"}});
    DeferZa(x, s, x.Say<"VCF-03b", "za_deferred">(), {"VCF-03b"});
  }
  if (s.ckd_gate) {
    const bool recent_fx = std::any_of(f.events.begin(), f.events.end(), [&](const auto& e) {
      return e.date &&
             WithinMonths(*e.date, f.as_of, x.P<&CP::ckd_urgent_fracture_months, "SEL-09">());
    });
    const Urgency u = recent_fx ? Urgency::kUrgent : Urgency::kRoutine;
    // The rules SEL-09 replaces for selection still decide here: denosumab is not simply
    // preferred (D10, CI-06b) and nephrology sees the patient (REF-06).
    x.Fired("CI-06b", x.Say<"SEL-09", "fired_ci06b">());
    x.Fired("D10", x.Say<"SEL-09", "fired_d10">());
    x.Fired("REF-06", x.Say<"SEL-09", "fired_ref06">());
    x.Warn("advanced_ckd_specialist_decision", Severity::kWarning, x.Say<"SEL-09", "warn">(),
           {"SEL-09"});
    x.Refer(Destination::kNephrology, u, x.Say<"SEL-09", "refer_nephrology">(), {"SEL-09"});
    x.Refer(Destination::kOsteoporosisSpecialist, u, x.Say<"SEL-09", "refer_specialist">(),
            {"SEL-09"});
    a.workup.push_back(St{"ckd_mbd", x.Say<"SEL-09", "workup">(), {"SEL-09"}});
  }
  if (f.hypercalcemia || s.phpt_gate) {
    x.Warn("hypercalcemia_evaluate", Severity::kWarning,
           !f.hypercalcemia           ? x.Say<"LAB-03", "phpt">()
           : f.hypercalcemia_fallback ? x.Say<"LAB-03", "hypercalcemia_fallback">()
                                      : x.Say<"LAB-03", "hypercalcemia">(),
           {"CALC-04", "CI-08", "CI-09", "LAB-03"});
    // The gate (course_gates.cc): the specialist decides, urgently when calcium is far above the
    // upper limit; zoledronic acid waits for the cause (LAB-03R).
    const Urgency u = s.hyperca_urgent ? Urgency::kUrgent : Urgency::kRoutine;
    if (s.phpt_gate) {
      x.Refer(Destination::kOsteoporosisSpecialist, u,
              s.hyperca_urgent ? x.Say<"LAB-03", "refer_phpt_urgent">()
                               : x.Say<"LAB-03", "refer_phpt">(),
              {"LAB-03", "REF-02"});
      DeferZa(x, s, x.Say<"LAB-03", "za_deferred">(), {"LAB-03"});
    } else if (s.hyperca_gate) {
      x.Refer(Destination::kOsteoporosisSpecialist, u,
              s.hyperca_urgent ? x.Say<"LAB-03", "refer_hypercalcemia_urgent">()
                               : x.Say<"LAB-03", "refer_hypercalcemia">(),
              {"LAB-03", "CALC-04", "REF-02"});
      DeferZa(x, s, x.Say<"LAB-03", "za_deferred_hypercalcemia">(), {"LAB-03", "CALC-04"});
    }
    if (s.hyperca_gate)
      a.workup.push_back(
          St{"hypercalcemia", x.Say<"LAB-03", "workup_hypercalcemia">(), {"LAB-03", "CALC-04"}});
    TraceLab03(x, s);
  }
  // CALC-09: fractures of unknown mechanism at 50 or over. One warning names every such fracture
  // (one sentence per site and kind), presumed hip and vertebral ones first: a warning code is
  // kept once, so a forearm fracture listed first must not hide the hip fracture's presumption.
  bool possible = false;
  std::vector<std::string> sentences;
  for (const bool presumed : {true, false})
    for (const auto& e : f.events) {
      if (!e.possible_fragility || e.presumed != presumed) continue;
      possible = true;
      std::string sentence = presumed ? x.Say<"CALC-09", "presumed", "site">(ToString(e.site))
                                      : x.Say<"CALC-09", "case_finding", "site">(ToString(e.site));
      if (std::find(sentences.begin(), sentences.end(), sentence) == sentences.end())
        sentences.push_back(std::move(sentence));
      x.Missing("fractures[" + std::to_string(e.first_index) + "].mechanism",
                x.Say<"CALC-09", "needs_mechanism">());
    }
  if (!sentences.empty()) {
    std::string text;
    for (const auto& sentence : sentences) text += (text.empty() ? "" : " ") + sentence;
    x.Warn("fracture_mechanism_unknown", Severity::kWarning, text, {"CALC-09"});
  }
  if (possible)
    x.Fired("CALC-09", x.Say<"CALC-09", "fired">());
  else
    x.NotFired("CALC-09");
  // The course model (COURSE-01..04).
  if (!d.current.empty()) {
    std::string list;
    for (const auto& c : d.current)
      list += (list.empty() ? "" : ", ") + std::string(ToString(c.agent)) + " " +
              std::string(ToString(c.state)) + " -> " + std::string(ToString(c.decision));
    x.Fired("COURSE-01", x.Say<"COURSE-01", "fired", "count">(Int(d.current.size())));
    x.Fired("COURSE-02", x.Say<"COURSE-02", "fired", "date">(Dt(f.as_of)));
    x.Fired("COURSE-03", list);
    x.Fired("COURSE-04", x.Say<"COURSE-04", "fired">());
  }
  if (s.course_outside_population) {
    x.Fired("COURSE-26", x.Say<"COURSE-26", "fired">());
    x.Refer(Destination::kOsteoporosisSpecialist, Urgency::kRoutine, x.Say<"COURSE-26", "refer">(),
            {"COURSE-26", "REF-07"});
  }
  // The course.
  for (const auto& t : d.trace)
    if (!t.rules.empty()) x.Fired(t.rules.front(), t.text);
  // The course speaks for the patient's own course: its first text for a warning code replaces
  // the general one an earlier step gave (one voice; the severity stays the highest).
  std::vector<std::string_view> replaced;
  for (const auto& w : d.warnings) {
    const std::string_view code = WarningCode(x.kb, w.code);
    if (code.empty()) continue;
    if (std::find(replaced.begin(), replaced.end(), code) == replaced.end()) {
      replaced.push_back(code);
      for (auto& old : a.warnings)
        if (old.code == code) {
          old.text = w.text;
          if (static_cast<Severity>(w.level) > old.severity)
            old.severity = static_cast<Severity>(w.level);
          for (auto id : w.rules)
            if (!HasId(old.rules, id)) old.rules.push_back(id);
        }
    }
    x.Warn(code, static_cast<Severity>(w.level), w.text, w.rules);
  }
  // A course referral reason that rests on the same clinical rule as an earlier reason for the
  // same destination replaces it (one reason, one voice); every reason is a sentence.
  for (const auto& r : d.referrals) {
    const auto to = Parse<Destination>(r.code);
    if (!to) continue;
    const std::string text = Sentence(r.text);
    Statement* same = nullptr;
    for (auto& ref : a.referrals)
      if (ref.to == *to)
        for (auto& st : ref.reasons)
          for (auto id : r.rules)
            if (id.rfind("REF-", 0) != 0 && HasId(st.rules, id)) same = &st;
    if (same && x.verbose) {
      same->text = text;
      for (auto id : r.rules)
        if (!HasId(same->rules, id)) same->rules.push_back(id);
      for (auto& ref : a.referrals)
        if (ref.to == *to && static_cast<Urgency>(r.level) > ref.urgency)
          ref.urgency = static_cast<Urgency>(r.level);
      continue;
    }
    x.Refer(*to, static_cast<Urgency>(r.level), text, r.rules);
  }
  for (const auto& w : d.workup) a.workup.push_back(St{"course_workup", w.text, w.rules});
  for (const auto& mdat : d.missing) x.Missing(mdat.code, mdat.text);
  a.current = d.current;
  // No monitoring for an agent whose course has ended and which is not being given.
  for (const auto& c : d.current) {
    const bool ended = c.decision == CourseAction::kStop || c.decision == CourseAction::kSwitch ||
                       c.decision == CourseAction::kTransition ||
                       (c.decision == CourseAction::kNone &&
                        (c.state == CourseState::kCompleted || c.state == CourseState::kStopped));
    if (!ended) continue;
    const bool oral = (c.agent == Agent::kAlendronate || c.agent == Agent::kRisedronate ||
                       c.agent == Agent::kIbandronate) &&
                      c.route != Route::kIntravenous;
    if (!oral && c.agent == Agent::kIbandronate) continue;  // IV ibandronate: no MON-01
    auto same = [&](std::string_view given) {
      if (IsPthAnalog(c.agent)) return given == "teriparatide" || given == "abaloparatide";
      if (oral)  // MON-01 is for every oral bisphosphonate
        return given == "alendronate" || given == "risedronate" || given == "ibandronate_oral";
      return given.starts_with(ToString(c.agent));
    };
    auto given = [&](const std::vector<Regimen>& l) {
      return std::any_of(l.begin(), l.end(), [&](const Regimen& g) { return same(g.agent); });
    };
    if (std::any_of(d.current.begin(), d.current.end(), [&](const CurrentCourse& o) {
          return &o != &c && same(ToString(o.agent)) &&
                 (o.decision == CourseAction::kContinue || o.decision == CourseAction::kHold ||
                  o.decision == CourseAction::kResume);
        }))
      continue;
    if (given(a.agents) || given(a.alternatives)) continue;
    std::erase_if(a.monitoring,
                  [&](const Statement& st) { return MonitorsAgent(st.code, c.agent); });
  }
  if (d.za_course_limit)
    for (const auto& c : d.current)
      if (c.agent == Agent::kZoledronicAcid) {
        DeferZa(x, s, c.text, c.rules);
      }
  // Zoledronic acid avoided for a reason that is not a label contraindication (an atypical
  // femoral fracture, a failed course, ...): a specialist may override it, so the infusion is
  // deferred, never eligible, and says why.
  if (!s.za_contraindicated)
    for (const auto& v : a.avoid)
      if (v.agent == "zoledronic_acid" && a.za_status != ZaStatus::kDeferred)
        DeferZa(x, s, v.text, v.rules);
  if (x.verbose) ZoledronicNowFollowsInfusion(x, s);
  std::vector<Statement> course_statements;
  for (const auto& q : d.sequence)
    if (q.code != "course_reason")
      course_statements.push_back(St{CourseCode(q.code), q.text, q.rules});
  if (!course_statements.empty()) {
    // The course decision is the first statement; the older sequence statements that contradict
    // it (continue vs stop) go.
    const bool stops = std::any_of(d.sequence.begin(), d.sequence.end(), [](const auto& q) {
      return q.code != "course_continue" && q.code != "course_reason";
    });
    if (stops)
      std::erase_if(a.sequence, [](const Statement& st) {
        return st.code == "continue_after_review" || st.code == "denosumab_review";
      });
    // The course's transition after an anabolic (COURSE-17) says what SEQ-01 says, for this
    // patient; a denosumab course already stopped makes SEQ-05's "if it is to stop" moot.
    const bool after_anabolic =
        std::any_of(d.sequence.begin(), d.sequence.end(), [](const auto& q) {
          return q.code == "course_transition" &&
                 std::find(q.rules.begin(), q.rules.end(), "COURSE-17") != q.rules.end();
        });
    const bool dmab_ended = std::any_of(d.current.begin(), d.current.end(), [](const auto& c) {
      return c.agent == Agent::kDenosumab &&
             (c.decision == CourseAction::kTransition || c.decision == CourseAction::kStop);
    });
    std::erase_if(a.sequence, [&](const Statement& st) {
      return (after_anabolic && st.code == "after_anabolic") ||
             (dmab_ended && (st.code == "denosumab_plan" || st.code == "denosumab_review"));
    });
    std::vector<Statement> merged;
    for (auto& st : course_statements) merged.push_back(std::move(st));
    for (auto& st : a.sequence) merged.push_back(std::move(st));
    a.sequence = std::move(merged);
  }
  if (s.infection && !s.pathologic)
    std::erase_if(a.referrals, [](const Referral& r) { return r.to == Destination::kOncology; });
  // No infusion booking when zoledronic acid is not what is recommended now.
  if (a.therapy_recommended != TherapyClass::kIvZoledronicAcid &&
      std::none_of(a.alternatives.begin(), a.alternatives.end(),
                   [](const Regimen& r) { return r.agent == "zoledronic_acid"; }) &&
      (s.course_target != CourseTarget::kNewStart || s.course_gate))
    std::erase_if(a.referrals,
                  [](const Referral& r) { return r.to == Destination::kInfusionCenter; });
  // No internal marker in a person-facing text: a block is said in words.
  for (auto& v : a.avoid)
    if (v.text.find("BLOCK") != std::string::npos || v.text.find("AVOID") != std::string::npos)
      v.text = course_detail::BlockInWords(v.text);
  // An instruction is given once (SEQ-06 writes one per oral bisphosphonate record).
  for (std::size_t i = 0; i < a.sequence.size(); ++i)
    for (std::size_t j = a.sequence.size(); j-- > i + 1;)
      if (a.sequence[j].text == a.sequence[i].text ||
          (a.sequence[i].code == "oral_bp_max" && a.sequence[j].code == "oral_bp_max"))
        a.sequence.erase(a.sequence.begin() + static_cast<std::ptrdiff_t>(j));
  // Every referral reason is a sentence (one voice).
  for (auto& r : a.referrals)
    for (auto& st : r.reasons) {
      const std::string_view t = st.text;
      if (!t.empty() && (std::islower(static_cast<unsigned char>(t.front())) || t.back() != '.'))
        st.text = Sentence(st.text);
    }
  // Where the sources disagree, what the engine chose (D34-D44), when it applied.
  auto has = [&](std::string_view code) { return a.HasWarning(code); };
  auto fired_any = [&](std::string_view rule) {
    return std::any_of(a.trace.begin(), a.trace.end(), [&](const TraceEntry& t) {
      return t.rule == rule && t.outcome == Outcome::kFired;
    });
  };
  // Each reason is said only when its disagreement applied.
  using Because = std::string (*)(const Ctx&);
  const struct {
    std::string_view id;
    bool fired;
    Because because;
  } disagreements[] = {
      {"D34", has("atypical_femoral_fracture"),
       [](const Ctx& c) { return c.Say<"D34", "fired">(); }},
      {"D35", s.pregnancy_gate, [](const Ctx& c) { return c.Say<"D35", "fired">(); }},
      {"D36", has("romosozumab_cardiovascular_contraindication"),
       [](const Ctx& c) { return c.Say<"D36", "fired">(); }},
      {"D37", has("pth_analog_cumulative_limit"),
       [](const Ctx& c) { return c.Say<"D37", "fired">(); }},
      {"D38", has("bisphosphonate_max_duration_reached"),
       [](const Ctx& c) { return c.Say<"D38", "fired">(); }},
      {"D39", fired_any("COURSE-17"), [](const Ctx& c) { return c.Say<"D39", "fired">(); }},
      {"D40", fired_any("COURSE-15"), [](const Ctx& c) { return c.Say<"D40", "fired">(); }},
      {"D41", fired_any("CALC-09"), [](const Ctx& c) { return c.Say<"D41", "fired">(); }},
      {"D42", d.treatment_failure || d.treatment_failure_possible,
       [](const Ctx& c) { return c.Say<"D42", "fired">(); }},
      {"D43",
       d.treatment_failure && std::any_of(d.current.begin(), d.current.end(),
                                          [](const CurrentCourse& c) {
                                            return c.agent == Agent::kDenosumab &&
                                                   c.decision == CourseAction::kSwitch;
                                          }),
       [](const Ctx& c) { return c.Say<"D43", "fired">(); }},
      {"D44", f.hypercalcemia && f.hypercalcemia_fallback,
       [](const Ctx& c) { return c.Say<"D44", "fired">(); }},
  };
  for (const auto& dg : disagreements) {
    if (dg.fired)
      x.Fired(dg.id, dg.because(x));
    else
      x.NotFired(dg.id);
  }
  // Every rule of the course topics that has no trace entry says it did not fire: one pass
  // over the trace, each entry looked up among the course rules (indexed once).
  const Topic* const kCourseTopics[] = {&kCourseModelTopic,    &kCourseStopsTopic,
                                        &kCourseDecisionTopic, &kCourseGatesTopic,
                                        &kCourseTherapyTopic,  &kCourseFinishTopic};
  static const IdIndex kIndex = [&kCourseTopics] {
    std::vector<std::string_view> ids;
    for (const Topic* t : kCourseTopics) ids.insert(ids.end(), t->rules.begin(), t->rules.end());
    return IdIndex(ids);
  }();
  std::vector<char> traced(kIndex.size(), 0);
  for (const TraceEntry& e : a.trace)
    if (const int i = kIndex.Find(e.rule); i >= 0) traced[static_cast<std::size_t>(i)] = 1;
  for (const Topic* t : kCourseTopics)
    for (auto id : t->rules)
      if (char& seen = traced[static_cast<std::size_t>(kIndex.Find(id))]; !seen) {
        x.NotFired(id);
        seen = 1;
      }
}

const Topic kCourseFinishTopic{"course outputs", kRules};

}  // namespace bp::rules
