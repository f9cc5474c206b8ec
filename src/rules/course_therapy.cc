// Patients already on treatment (catalogue §6), after Selection: the therapy the course
// decision asks for (COURSE-04), a course stopped when its agent is avoided (COURSE-05), and
// the invariant that no agent is offered and avoided at once (COURSE-24).
#include "rules/course.h"
#include "rules/course_decider.h"
#include "rules/steps.h"

namespace bp::rules {

namespace {
// A stop's reason in words (course_detail::BlockInWords) without the avoid entry's qualifier
// ("AVOID (specialist may override): why" -> "why"): the stop statement says that the specialist
// may override in its own words (COURSE-24 "stop_overridable"), so the reason it gives neither
// nests parentheses nor chains qualifiers inside the statement's.
std::string StopReason(std::string t, bool* overridable) {
  for (std::size_t at = t.find("AVOID ("); at != std::string::npos; at = t.find("AVOID (", at)) {
    const std::size_t close = t.find("): ", at);
    if (close == std::string::npos) break;
    t.erase(at, close + 3 - at);
    *overridable = true;
  }
  return course_detail::BlockInWords(std::move(t));
}
}  // namespace

// After Selection: the therapy the course decision asks for, then COURSE-24.
void CourseTherapy(Ctx& x, State& s) {
  Assessment& a = x.a;
  const TherapyClass selected = a.therapy_recommended;
  // A course held for the specialist by a gate (course_decide.cc), and the avoid name of a
  // course's agent (ibandronate has two routes).
  const bool any_gate = s.course_gate || s.pathologic;
  auto gated = [&](const CurrentCourse& c) {
    return any_gate && c.decision == CourseAction::kNone && c.switch_to == "specialist_decision";
  };
  auto avoid_name = [](const CurrentCourse& c) -> std::string_view {
    if (c.agent != Agent::kIbandronate) return ToString(c.agent);
    return c.route == Route::kIntravenous ? "ibandronate_iv" : "ibandronate_oral";
  };
  // COURSE-24 below stops a continued (or gate-held) course whose agent is avoided; denosumab is
  // never simply stopped.
  auto stops = [&](const CurrentCourse& c) {
    return (c.decision == CourseAction::kContinue || gated(c)) && c.agent != Agent::kDenosumab &&
           x.Avoided(avoid_name(c));
  };
  // Selection's lists (its agents are unblocked): the next class when a continued course stops,
  // kept only then.
  std::vector<Regimen> selected_agents, selected_alternatives;
  if (std::any_of(x.course.current.begin(), x.course.current.end(), stops)) {
    selected_agents = a.agents;
    selected_alternatives = a.alternatives;
  }
  auto clear = [&] {
    a.agents.clear();
    a.alternatives.clear();
  };
  auto oral_ok = [&] {
    return s.oral_candidates_any && !x.Avoided("alendronate") && !x.Avoided("risedronate");
  };
  const bool za_ok = !s.za_contraindicated && !x.Avoided("zoledronic_acid");
  const bool dmab_ok = !x.Avoided("denosumab");
  auto set = [&](TherapyClass c, std::initializer_list<std::string_view> agents) {
    a.therapy_recommended = c;
    clear();
    for (auto ag : agents)
      if (!x.Avoided(ag)) x.AddRegimen(a.agents, ag, {"COURSE-04"});
  };
  auto antiresorptive = [&](bool allow_oral) {
    if (allow_oral && oral_ok()) {
      a.therapy_recommended = TherapyClass::kOralBisphosphonate;
      clear();
      for (auto ag : s.oral_candidates) x.AddRegimen(a.agents, ag, {"COURSE-17"});
      if (za_ok) x.AddRegimen(a.alternatives, "zoledronic_acid", {"COURSE-17"});
      if (dmab_ok) x.AddRegimen(a.alternatives, "denosumab", {"COURSE-17"});
      return true;
    }
    if (za_ok) {
      set(TherapyClass::kIvZoledronicAcid, {"zoledronic_acid"});
      if (dmab_ok) x.AddRegimen(a.alternatives, "denosumab", {"COURSE-17"});
      return true;
    }
    if (dmab_ok) {
      set(TherapyClass::kDenosumab, {"denosumab"});
      return true;
    }
    return false;
  };
  auto anabolic = [&](bool romo_first) {
    static constexpr std::string_view kOrder[] = {"romosozumab", "abaloparatide", "teriparatide"};
    std::vector<std::string_view> ok;
    for (auto ag : kOrder)
      if (!x.Avoided(ag) && (romo_first || ag != "romosozumab")) ok.push_back(ag);
    if (ok.empty()) return false;
    a.therapy_recommended = TherapyClass::kAnabolic;
    clear();
    x.AddRegimen(a.agents, ok.front(), {"COURSE-19"});
    for (std::size_t i = 1; i < ok.size(); ++i) x.AddRegimen(a.alternatives, ok[i], {"COURSE-19"});
    return true;
  };
  auto specialist = [&] {
    a.therapy_recommended = TherapyClass::kSpecialistDecision;
    clear();
  };
  const bool romo_ok = x.f.female && x.f.menopause == Menopause::kPost;
  if (s.course_gate || s.pathologic) {
    specialist();
  } else {
    switch (s.course_target) {
      case CourseTarget::kNewStart:
        break;
      case CourseTarget::kContinueCurrent: {
        const CurrentCourse* e = nullptr;
        for (const auto& c : x.course.current)
          if (c.decision == CourseAction::kContinue) e = &c;
        if (!e) break;
        const char* cls = nullptr;
        switch (e->agent) {
          case Agent::kAlendronate:
          case Agent::kRisedronate:
          case Agent::kIbandronate:
            a.therapy_recommended = TherapyClass::kOralBisphosphonate;
            cls = "oral";
            break;
          case Agent::kZoledronicAcid:
            a.therapy_recommended = TherapyClass::kIvZoledronicAcid;
            break;
          case Agent::kDenosumab:
            a.therapy_recommended = TherapyClass::kDenosumab;
            break;
          case Agent::kTeriparatide:
          case Agent::kAbaloparatide:
          case Agent::kRomosozumab:
            a.therapy_recommended = TherapyClass::kAnabolic;
            break;
          default:
            break;
        }
        (void)cls;
        if (a.therapy_recommended != TherapyClass::kNone &&
            a.therapy_recommended != TherapyClass::kSpecialistDecision) {
          clear();
          std::string_view ag = ToString(e->agent);
          if (e->agent == Agent::kIbandronate) ag = "ibandronate_oral";
          x.AddRegimen(a.agents, ag, {"COURSE-05"});
        }
        break;
      }
      case CourseTarget::kAntiresorptive:
        if (!antiresorptive(true)) specialist();
        break;
      case CourseTarget::kNonBisphosphonate:
        if (a.risk_tier == RiskTier::kVeryHigh ? !anabolic(romo_ok) : !dmab_ok) {
          if (dmab_ok)
            set(TherapyClass::kDenosumab, {"denosumab"});
          else
            specialist();
        } else if (a.risk_tier != RiskTier::kVeryHigh) {
          set(TherapyClass::kDenosumab, {"denosumab"});
        }
        break;
      case CourseTarget::kAnabolic:
        if (!anabolic(romo_ok)) {
          if (dmab_ok) {
            set(TherapyClass::kDenosumab, {"denosumab"});
            if (za_ok) x.AddRegimen(a.alternatives, "zoledronic_acid", {"COURSE-19"});
          } else {
            specialist();
          }
        }
        break;
      case CourseTarget::kPthAnalog:
        if (!anabolic(false)) specialist();
        break;
      case CourseTarget::kZoledronicNow:
        if (za_ok) {
          set(TherapyClass::kIvZoledronicAcid, {"zoledronic_acid"});
        } else if (dmab_ok) {
          set(TherapyClass::kDenosumab, {"denosumab"});
        } else if (!antiresorptive(true)) {
          specialist();
        }
        break;
      case CourseTarget::kDenosumabNow:
        if (dmab_ok) {
          set(TherapyClass::kDenosumab, {"denosumab"});
          if (za_ok) x.AddRegimen(a.alternatives, "zoledronic_acid", {"COURSE-15"});
        } else if (!antiresorptive(true)) {
          specialist();
        }
        break;
      case CourseTarget::kSpecialist:
        specialist();
        break;
      case CourseTarget::kNothing:
        a.therapy_recommended = TherapyClass::kNone;
        a.treatment_indicated = false;
        clear();
        break;
    }
  }
  // COURSE-05 continues only an agent that is neither blocked nor avoided. An avoidance found
  // after the course decision (CI: bone metastases, hypercalcemia, advanced CKD...) stops the
  // course and the specialist decides what follows. Active denosumab is the exception
  // (§6.H.11): it is never simply stopped; the specialist supervises it, and it is not avoided.
  // Under a specialist gate (hypercalcemia or hyperparathyroidism, advanced CKD, a suspected
  // pathologic fracture...) the specialist decides the course, but an agent avoided for a reason
  // that acts now (a PTH analog under CI-08/CI-09, romosozumab under SEL-09, a failed or
  // maximal course...) is not left "for the specialist to decide whether it continues": it
  // stops, its statement names the avoidance's rules, and the specialist decides what follows.
  // The gated courses that stop are said in one statement and one referral reason (each reason
  // once), so that two of them do not say the same clause twice.
  // COURSE-24's stop statement, with what follows when a next agent is named, and the
  // specialist's override when the avoidance allows one.
  auto stop_text = [&x](const std::string& agent, const std::string& reason,
                        const std::string* next, bool overridable) {
    if (next)
      return overridable
                 ? x.Say<"COURSE-24", "stop_next_overridable", "agent", "reason", "next">(
                       agent, reason, *next)
                 : x.Say<"COURSE-24", "stop_next", "agent", "reason", "next">(agent, reason, *next);
    return overridable ? x.Say<"COURSE-24", "stop_overridable", "agent", "reason">(agent, reason)
                       : x.Say<"COURSE-24", "stop", "agent", "reason">(agent, reason);
  };
  struct GatedStop {
    std::string agents, reasons;
    RuleIds rules;
    bool overridable = false;
    void add(const std::string& agent, const std::string& reason, const RuleIds& ids,
             bool override_allowed) {
      overridable = overridable || override_allowed;
      agents += (agents.empty() ? "" : ", ") + agent;
      for (std::size_t from = 0; from <= reason.size();) {
        std::size_t to = reason.find("; ", from);
        if (to == std::string::npos) to = reason.size();
        const std::string part = reason.substr(from, to - from);
        if (!part.empty() && ("; " + reasons + "; ").find("; " + part + "; ") == std::string::npos)
          reasons += (reasons.empty() ? "" : "; ") + part;
        from = to + 2;
      }
      for (auto id : ids)
        if (!HasId(rules, id)) rules.push_back(id);
    }
  } gated_stop;
  for (auto& c : x.course.current) {
    const bool gated_course = gated(c);
    if (c.decision != CourseAction::kContinue && !gated_course) continue;
    const std::string_view name = avoid_name(c);
    if (!x.Avoided(name)) continue;
    if (c.agent == Agent::kDenosumab) {
      x.avoided &= ~(1u << AvoidBit("denosumab"));
      std::erase_if(a.avoid, [](const auto& v) { return v.agent == "denosumab"; });
      continue;
    }
    std::string reason;
    bool overridable = false;
    RuleIds stop_rules = {gated_course ? "COURSE-04" : "COURSE-05", "COURSE-24"};
    for (const auto& v : a.avoid)
      if (v.agent == name) {
        reason = StopReason(v.text, &overridable);
        // The stop names the rules that made the agent avoided.
        for (auto id : v.rules)
          if (!HasId(stop_rules, id)) stop_rules.push_back(id);
      }
    std::string human(ToString(c.agent));
    std::replace(human.begin(), human.end(), '_', ' ');
    // COURSE-04 (stop, then the first unblocked class by the selection order, the stopped agent
    // excluded) and COURSE-24 (a class left without an agent gives way to the next class in the
    // selection order; none: the specialist). Selection already chose among the unblocked
    // agents, the stopped one excluded; its choice follows unless it is the stopped course's
    // class or nothing.
    // (The other profiles' runs build no regimen lists: the decision rests on the class only.)
    // The same class follows only as another oral bisphosphonate the selection may offer
    // (alendronate stops below its creatinine clearance limit, risedronate's is lower).
    const bool other_oral =
        selected == TherapyClass::kOralBisphosphonate &&
        std::any_of(s.oral_candidates.begin(), s.oral_candidates.end(),
                    [&](std::string_view o) { return o != name && !x.Avoided(o); });
    const bool next = s.course_target == CourseTarget::kContinueCurrent &&
                      (selected != a.therapy_recommended || other_oral) &&
                      selected != TherapyClass::kNone &&
                      selected != TherapyClass::kSpecialistDecision;
    std::string next_agent(ToString(selected));
    if (!selected_agents.empty()) next_agent = selected_agents.front().agent;
    std::replace(next_agent.begin(), next_agent.end(), '_', ' ');
    c.decision = CourseAction::kStop;
    c.switch_to = next ? std::string(ToString(selected)) : "specialist_decision";
    c.text = x.Say<"COURSE-24", "stop_current", "reason">(reason);
    c.rules = stop_rules;
    // A gated course has no statement of its own to replace (a denosumab beside it keeps its
    // "continue under the specialist"): its stop is said below.
    for (auto& q : x.course.sequence)
      if (!gated_course && q.code == "course_continue") {
        q.code = "course_stop";
        q.text = stop_text(human, reason, next ? &next_agent : nullptr, overridable);
        q.rules = stop_rules;
      }
    if (gated_course) {
      gated_stop.add(human, reason, stop_rules, overridable);
    } else {
      x.course.referrals.push_back(
          {"osteoporosis_specialist",
           static_cast<int>(Urgency::kRoutine),
           x.Say<"COURSE-24", "refer_stopped", "agent", "reason">(human, reason),
           {"COURSE-24"}});
    }
    // The trace says the course stopped (COURSE-24), not that it continues (COURSE-05).
    std::erase_if(x.course.trace, [](const CourseEffect& t) {
      return !t.rules.empty() && t.rules.front() == "COURSE-05";
    });
    x.Fired("COURSE-24", x.Say<"COURSE-24", "stop_current", "reason">(reason));
    if (next) {
      a.therapy_recommended = selected;
      a.agents = selected_agents;
      a.alternatives = selected_alternatives;
    } else if (s.course_target == CourseTarget::kContinueCurrent) {
      specialist();
    }
  }
  if (!gated_stop.agents.empty()) {
    x.course.sequence.push_back(
        {"course_stop", 0,
         stop_text(gated_stop.agents, gated_stop.reasons, nullptr, gated_stop.overridable),
         gated_stop.rules});
    x.course.referrals.push_back({"osteoporosis_specialist",
                                  static_cast<int>(Urgency::kRoutine),
                                  x.Say<"COURSE-24", "refer_stopped", "agent", "reason">(
                                      gated_stop.agents, gated_stop.reasons),
                                  {"COURSE-24"}});
  }
  // COURSE-24: no agent is offered and avoided at once.
  auto drop = [&](std::vector<Regimen>& l) {
    for (auto it = l.begin(); it != l.end();) {
      if (x.Avoided(it->agent)) {
        x.Fired("COURSE-24", x.Say<"COURSE-24", "removed", "agent">(it->agent));
        it = l.erase(it);
      } else {
        ++it;
      }
    }
  };
  drop(a.agents);
  drop(a.alternatives);
  const TherapyClass t = a.therapy_recommended;
  // The other profiles' runs build no regimen lists: only the returned assessment is checked.
  if (x.verbose && a.agents.empty() && t != TherapyClass::kNone &&
      t != TherapyClass::kSpecialistDecision) {
    if (!a.alternatives.empty()) {
      a.agents.push_back(a.alternatives.front());
      a.alternatives.erase(a.alternatives.begin());
      const std::string_view ag = a.agents.front().agent;
      a.therapy_recommended =
          ag == "zoledronic_acid" ? TherapyClass::kIvZoledronicAcid
          : ag == "denosumab"     ? TherapyClass::kDenosumab
          : (ag == "romosozumab" || ag == "teriparatide" || ag == "abaloparatide")
              ? TherapyClass::kAnabolic
              : TherapyClass::kOralBisphosphonate;
    } else {
      a.therapy_recommended = TherapyClass::kSpecialistDecision;
    }
  }
  // Selection's reason explains the class Selection chose. Once the course decision has replaced
  // that class, the reason would contradict the decision (e.g. "continue the anabolic course"
  // next to "romosozumab course complete: stop it"); the course's own statements say why.
  // The course's own reason (COURSE-15: the follow-on is overdue) replaces Selection's, which
  // would still speak of a date in the past ("about 6 months after the last injection").
  std::vector<CourseEffect> reasons;
  for (auto it = x.course.sequence.begin(); it != x.course.sequence.end();) {
    if (it->code == "course_reason") {
      reasons.push_back(std::move(*it));
      it = x.course.sequence.erase(it);
    } else {
      ++it;
    }
  }
  if (!reasons.empty() && a.therapy_recommended != TherapyClass::kSpecialistDecision &&
      a.therapy_recommended != TherapyClass::kNone) {
    std::erase_if(a.treatment_reasons, [](const Statement& st) { return st.code == "therapy"; });
    for (const auto& r : reasons) {
      a.treatment_reasons.push_back(St{"therapy", r.text, r.rules});
    }
  } else if (a.therapy_recommended != selected) {
    for (auto it = a.treatment_reasons.begin(); it != a.treatment_reasons.end();) {
      if (it->code == "therapy")
        it = a.treatment_reasons.erase(it);
      else
        ++it;
    }
  }
}

namespace {
// The rules this file implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"COURSE-04", "COURSE-24"};
}  // namespace
const Topic kCourseTherapyTopic{"course therapy", kRules};

}  // namespace bp::rules
