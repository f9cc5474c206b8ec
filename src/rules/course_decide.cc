// The course decision, part 2 (catalogue §6): treatment failure and the switch (COURSE-18,
// 19), the reviews (COURSE-12, 13, 14), what follows a course (holiday, restart, denosumab
// transition: COURSE-14, 20, 21), other agents and concurrent courses (COURSE-23), pregnancy
// (COURSE-09), therapy.current (COURSE-22, 25) and the order the steps run in (Decider::Run).
#include "rules/course_decider.h"
#include "rules/steps.h"

namespace bp::course_detail {

namespace {
std::string words(std::string w) {
  std::replace(w.begin(), w.end(), '_', ' ');
  return w;
}
}  // namespace

bool Decider::Failure(int ci) {
  const Episode& e = m_.episodes[ci];
  if (!e.Ongoing()) return false;
  const int min_months = In<&CourseLimits::failure_min_months, "COURSE-18", "D42">(lim_);
  const std::optional<Date> from = e.first_dose ? e.first_dose : e.start;
  CourseModel one;
  one.as_of = m_.as_of;
  one.episodes.push_back(e);
  // The prerequisite "oral adherence not flagged": an oral bisphosphonate that may not have been
  // taken or absorbed has not failed (COURSE-19 then gives zoledronic acid first, SEL-03).
  const bool not_taken = IsOralBp(e) && (in_.oral_adherence_concern || in_.oral_malabsorption);
  const std::string cause =
      !not_taken                                             ? std::string()
      : in_.oral_adherence_concern && in_.oral_malabsorption ? Say<"COURSE-18", "cause_both">(in_.x)
      : in_.oral_adherence_concern ? Say<"COURSE-18", "cause_adherence">(in_.x)
                                   : Say<"COURSE-18", "cause_malabsorption">(in_.x);
  // Incident fragility fractures: on this course, after it started.
  std::vector<Date> incident;
  for (const Date& fx : in_.fragility_fractures)
    if (from && fx >= *from && one.OnCourseAt(fx, cp_)) incident.push_back(fx);
  // F1 (the contract's treatment_failure): a fracture after at least min_months on the course.
  for (const Date& fx : incident) {
    const double months = CalendarMonths(*from, fx);
    if (months < min_months) {
      Fired("COURSE-18",
            Say<"COURSE-18", "fired_too_early", "date", "months", "agent">(
                in_.x, fx.ToString(), std::to_string(static_cast<int>(months)), Human(e.agent)));
      continue;
    }
    d_.treatment_failure = true;
    const bool recent =
        fx >= in_.as_of.AddMonths(-In<&CourseLimits::failure_urgent_months, "COURSE-18">(lim_));
    // RISK-01(b): a fracture on therapy is very high risk, also when the course (not TX/RISK)
    // made treatment indicated and RISK-01 could not be applied before it.
    if (in_.failure_sets_very_high && in_.tier != RiskTier::kVeryHigh) {
      d_.tier_very_high = d_.tier_very_high_fracture = true;
      d_.tier_very_high_agent = Human(e.agent);
      d_.tier_very_high_finding = fx.ToString();
    }
    if (not_taken) {
      // §6.H.3: the contract's treatment_failure holds and is raised; the prerequisite that is
      // not met goes into its text and no switch to another class is proposed.
      const std::string at = fx.ToString(), on = std::to_string(static_cast<int>(months)),
                        agent = Human(e.agent);
      Warn("treatment_failure", kWarn,
           Say<"COURSE-18", "warn_not_true", "date", "months", "agent", "cause">(in_.x, at, on,
                                                                                 agent, cause),
           {"COURSE-18"});
      Fired("COURSE-18",
            Say<"COURSE-18", "fired_not_true", "date", "agent", "cause">(in_.x, at, agent, cause));
      Refer(Destination::kOsteoporosisSpecialist, recent ? kUrgent : kRoutine,
            Say<"COURSE-18", "refer_not_true", "agent", "cause">(in_.x, agent, cause),
            {"COURSE-18", "REF-02"});
      NotTakenSwitch(ci, cause);
      return true;
    }
    const std::string agent = Human(e.agent);
    Warn("treatment_failure", kWarn,
         Say<"COURSE-18", "warn_failure", "date", "months", "agent">(
             in_.x, fx.ToString(), std::to_string(static_cast<int>(months)), agent),
         {"COURSE-18"});
    Fired("COURSE-18",
          Say<"COURSE-18", "fired_failure", "date", "agent">(in_.x, fx.ToString(), agent));
    Switch(ci, Say<"COURSE-18", "refer_failure", "agent">(in_.x, agent), recent,
           Say<"COURSE-19", "after_failure">(in_.x), Say<"COURSE-19", "decided_failure">(in_.x));
    return true;
  }
  // F2 (IOF 2012) after at least min_months on the course: (a) two or more incident fractures
  // (treatment_failure_incident_fractures);
  // (b) one, with markers not suppressed on an antiresorptive or BMD loss of at least the least
  // significant change; (c) none, with both.
  if (!from || CalendarMonths(*from, in_.as_of) < min_months) return false;
  const bool btm = in_.btm_not_suppressed == true;
  const bool bmd = in_.bmd_loss_on_course == true;
  std::string why;
  bool f2 = true;
  const auto many =
      static_cast<std::size_t>(In<&CourseLimits::failure_incident_fractures, "COURSE-18">(lim_));
  if (incident.size() >= many)
    why = Say<"COURSE-18", "why_fractures", "count", "agent">(
        in_.x, std::to_string(incident.size()), Human(e.agent));
  else if (incident.size() == 1 && (btm || bmd))
    why = Say<"COURSE-18", "why_fracture_and", "agent", "finding">(
        in_.x, Human(e.agent), btm ? in_.btm_finding : in_.bmd_finding);
  else if (incident.empty() && btm && bmd)
    why = Say<"COURSE-18", "why_both", "markers", "bmd">(in_.x, in_.btm_finding, in_.bmd_finding);
  else
    f2 = false;
  if (!f2) {
    if (btm || bmd)
      Fired("COURSE-18", Say<"COURSE-18", "fired_one_criterion", "finding">(
                             in_.x, btm ? in_.btm_finding : in_.bmd_finding));
    return false;
  }
  if (not_taken) {
    // A prerequisite is not met: no failure code (the contract's code needs a fracture after
    // min_months, which F1 above would have found); say why, and zoledronic acid first.
    Fired("COURSE-18", Say<"COURSE-18", "fired_possible_not_true", "finding", "agent", "cause">(
                           in_.x, why, Human(e.agent), cause));
    NotTakenSwitch(ci, cause);
    return true;
  }
  d_.treatment_failure_possible = true;
  // RISK-01(b): a failure on therapy (F1 or F2) makes the tier very high, under the profiles
  // whose risk model has that criterion (AACE 2020); the course step applies it to the tier.
  if (in_.failure_sets_very_high && in_.tier != RiskTier::kVeryHigh) {
    d_.tier_very_high = true;
    d_.tier_very_high_agent = Human(e.agent);
    d_.tier_very_high_finding = why;
  }
  Warn("treatment_failure_possible", kWarn,
       Say<"COURSE-18", "warn_possible", "months", "agent", "finding">(
           in_.x, std::to_string(static_cast<int>(CalendarMonths(*from, in_.as_of))),
           Human(e.agent), why),
       {"COURSE-18"});
  Fired("COURSE-18", Say<"COURSE-18", "fired_possible", "finding">(in_.x, why));
  bool recent = false;
  const Date urgent_from =
      in_.as_of.AddMonths(-In<&CourseLimits::failure_urgent_months, "COURSE-18">(lim_));
  for (const Date& fx : incident) recent = recent || fx >= urgent_from;
  Switch(ci, Say<"COURSE-18", "refer_possible", "agent", "finding">(in_.x, Human(e.agent), why),
         recent, Say<"COURSE-19", "after_possible">(in_.x),
         Say<"COURSE-19", "decided_possible">(in_.x));
  return true;
}

// COURSE-19: an oral bisphosphonate that may not have been taken or absorbed is not a true
// failure; zoledronic acid first (SEL-03: adherence assured, no absorption needed). The oral
// agents are not avoided for failure, and no other class is proposed.
void Decider::NotTakenSwitch(int ci, const std::string& cause) {
  const Episode& e = m_.episodes[ci];
  const std::string agent = Human(e.agent);
  d_.not_true_failure = true;
  d_.target = CourseTarget::kZoledronicNow;
  d_.za_next_due = in_.as_of;
  std::string head =
      Say<"COURSE-19", "switch_not_true_head", "agent", "cause">(in_.x, agent, cause);
  std::string text = Say<"COURSE-19", "switch_not_true", "head">(in_.x, head);
  SeqZaNow("course_switch", std::move(head), std::move(text), {"COURSE-18", "COURSE-19", "SEL-03"});
  Decide(ci, CourseAction::kSwitch, "zoledronic_acid",
         Say<"COURSE-19", "decided_not_true", "cause">(in_.x, cause),
         {"COURSE-18", "COURSE-19", "SEL-03"});
  Fired("COURSE-19", Say<"COURSE-19", "fired_not_true", "agent", "cause">(in_.x, agent, cause));
}

// COURSE-18 (F1 or F2) consequences and the COURSE-19 switch.
void Decider::Switch(int ci, const std::string& refer_why, bool recent_fracture,
                     const std::string& after, const std::string& decided) {
  const Episode& e = m_.episodes[ci];
  if (IsOralBp(e)) {
    for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
      Avoid(a, Say<"COURSE-18", "avoid_oral", "agent">(in_.x, Human(e.agent)), {"COURSE-18"});
  } else if (e.agent != Agent::kDenosumab && !IsCourseAnabolic(e.agent)) {
    Avoid(e.agent, Say<"COURSE-18", "avoid_agent">(in_.x), {"COURSE-18"});
  }
  Refer(Destination::kOsteoporosisSpecialist, recent_fracture ? kUrgent : kRoutine, refer_why,
        {"COURSE-18", "REF-02"});
  std::string to;
  if (IsCourseBisphosphonate(e.agent)) {
    const bool very_high = in_.tier == RiskTier::kVeryHigh || d_.tier_very_high;
    d_.target = very_high ? CourseTarget::kAnabolic : CourseTarget::kNonBisphosphonate;
    to = very_high ? "anabolic" : "denosumab";
  } else if (e.agent == Agent::kDenosumab) {
    d_.target = in_.romo_eligible ? CourseTarget::kAnabolic : CourseTarget::kSpecialist;
    to = in_.romo_eligible ? "romosozumab" : "specialist_decision";
    const std::string pth = Say<"COURSE-19", "avoid_pth_after_denosumab">(in_.x);
    Avoid(Agent::kTeriparatide, pth, {"COURSE-19"});
    Avoid(Agent::kAbaloparatide, pth, {"COURSE-19"});
  } else {
    d_.target = CourseTarget::kSpecialist;
    to = "specialist_decision";
  }
  Seq("course_switch",
      Say<"COURSE-19", "switch", "agent", "after", "target">(
          in_.x, Human(e.agent), after,
          to == "specialist_decision" ? Say<"COURSE-19", "to_specialist">(in_.x) : words(to)),
      {"COURSE-18", "COURSE-19"});
  Decide(ci, CourseAction::kSwitch, to, decided, {"COURSE-18", "COURSE-19"});
  Fired("COURSE-19", Say<"COURSE-19", "fired_switch", "agent">(in_.x, Human(e.agent)));
  if (e.agent == Agent::kDenosumab)
    Warn("denosumab_discontinuation_rebound", kWarn, Say<"COURSE-19", "warn_no_gap">(in_.x),
         {"COURSE-19"});
}

bool Decider::Reviews(int ci) {
  const Episode& e = m_.episodes[ci];
  if (!e.Ongoing()) return false;
  const bool oral =
      IsOralBp(e) && m_.oral_bp_years >= In<&CourseLimits::oral_review_years, "COURSE-12">(lim_);
  const bool za = e.agent == Agent::kZoledronicAcid && !e.oncology &&
                  m_.za_doses >= In<&CourseLimits::za_review_doses, "COURSE-13">(lim_);
  if (oral || za) {
    const std::vector<std::string_view> rules = {oral ? "COURSE-12" : "COURSE-13"};
    const std::string years = std::to_string(static_cast<int>(m_.oral_bp_years)),
                      doses = std::to_string(m_.za_doses);
    const std::string amount = oral ? Say<"COURSE-12", "amount", "years">(in_.x, years)
                                    : Say<"COURSE-13", "amount", "doses">(in_.x, doses);
    Fired(rules[0], amount);
    if (in_.high_risk_at_review == false) {
      d_.target = CourseTarget::kNothing;
      d_.holiday = true;
      d_.indicated = std::optional<bool>(false);
      const Date start =
          e.agent == Agent::kZoledronicAcid && e.last_dose
              ? e.last_dose->AddMonths(In<&CourseParams::za_due_months, "COURSE-20">(cp_))
              : in_.as_of;
      const Date review =
          std::max(start.AddMonths(12 * In<&CourseLimits::holiday_review_years, "COURSE-20">(lim_)),
                   in_.as_of);
      const std::string next = review.ToString();
      Warn("drug_holiday_reassessment_due", kInfo,
           oral ? Say<"COURSE-12", "warn_holiday", "amount">(in_.x, amount)
                : Say<"COURSE-13", "warn_holiday", "amount">(in_.x, amount),
           rules);
      Warn("drug_holiday_in_progress", kInfo, Say<"COURSE-20", "warn_review", "date">(in_.x, next),
           {"COURSE-20"});
      Seq("course_holiday",
          oral ? Say<"COURSE-12", "holiday", "amount", "date">(in_.x, amount, next)
               : Say<"COURSE-13", "holiday", "amount", "date">(in_.x, amount, next),
          {rules[0], "COURSE-20"});
      Decide(ci, CourseAction::kHoliday, "", Say<"COURSE-20", "decided", "date">(in_.x, next),
             {rules[0], "COURSE-20"});
      return true;
    }
    if (in_.high_risk_at_review == true) {
      Warn("drug_holiday_reassessment_due", kInfo,
           oral ? Say<"COURSE-12", "warn_continue", "amount">(in_.x, amount)
                : Say<"COURSE-13", "warn_continue", "amount">(in_.x, amount),
           rules);
      Continue(ci,
               oral ? Say<"COURSE-12", "continue_high">(in_.x)
                    : Say<"COURSE-13", "continue_high">(in_.x),
               rules);
      return true;
    }
    Warn("drug_holiday_reassessment_due", kWarn,
         oral ? Say<"COURSE-12", "warn_missing", "amount">(in_.x, amount)
              : Say<"COURSE-13", "warn_missing", "amount">(in_.x, amount),
         rules);
    d_.workup.push_back(
        {"dxa_review", 0,
         oral ? Say<"COURSE-12", "workup_dxa">(in_.x) : Say<"COURSE-13", "workup_dxa">(in_.x),
         rules});
    d_.missing.push_back({"bmd", 0, SayBp<"missing_dxa">(oral, in_.x), {}});
    Continue(ci,
             oral ? Say<"COURSE-12", "continue_missing">(in_.x)
                  : Say<"COURSE-13", "continue_missing">(in_.x),
             rules);
    return true;
  }
  if (e.agent == Agent::kDenosumab && !e.oncology) {
    const bool review =
        m_.dmab_years >= In<&CourseLimits::dmab_review_years, "COURSE-14">(lim_) ||
        (!m_.dmab_first_dose &&
         m_.dmab_doses >= In<&CourseLimits::dmab_review_doses_unknown_start, "COURSE-14">(lim_));
    Warn("denosumab_discontinuation_rebound", kWarn, Say<"COURSE-14", "warn_never_stop">(in_.x),
         {"COURSE-14"});
    if (review) {
      const bool second =
          m_.dmab_years >= In<&CourseLimits::dmab_second_review_years, "COURSE-14">(lim_);
      Warn("denosumab_course_review_due", kInfo,
           second ? Say<"COURSE-14", "warn_second_review">(in_.x)
                  : Say<"COURSE-14", "warn_review">(in_.x),
           {"COURSE-14"});
      Refer(Destination::kOsteoporosisSpecialist, kRoutine, Say<"COURSE-14", "refer_review">(in_.x),
            {"COURSE-14", "REF-02"});
    }
    Fired("COURSE-14", Say<"COURSE-14", "fired_course">(in_.x));
    Continue(ci, review ? Say<"COURSE-14", "continue_review">(in_.x) : std::string(),
             {"COURSE-14"});
    return true;
  }
  return false;
}

void Decider::AfterCourse() {
  // No ongoing course: a finished anabolic, a holiday, a stopped denosumab.
  const Episode* last_anabolic = nullptr;
  int last_ana_i = -1;
  for (int i = 0; i < static_cast<int>(m_.episodes.size()); ++i) {
    const Episode& e = m_.episodes[i];
    if (!IsCourseAnabolic(e.agent) || e.Ongoing()) continue;
    const std::optional<Date> last = e.last_dose ? e.last_dose : e.end;
    if (!last || m_.AntiresorptiveAfter(*last)) continue;
    const std::optional<Date> prev =
        last_anabolic ? (last_anabolic->last_dose ? last_anabolic->last_dose : last_anabolic->end)
                      : std::nullopt;
    if (!last_anabolic || !prev || *last > *prev) {
      last_anabolic = &e;
      last_ana_i = i;
    }
  }
  if (last_anabolic) {
    const std::optional<Date> last =
        last_anabolic->last_dose ? last_anabolic->last_dose : last_anabolic->end;
    Transition(last_anabolic->agent, {});
    if (last &&
        in_.as_of > last->AddMonths(
                        In<&CourseLimits::anabolic_followup_critical_months, "COURSE-17">(lim_)))
      Warn("anabolic_requires_antiresorptive_followup", kCrit,
           Say<"COURSE-17", "warn_overdue", "agent", "date">(in_.x, Human(last_anabolic->agent),
                                                             last->ToString()),
           {"COURSE-17"});
    Decide(last_ana_i, CourseAction::kTransition, "antiresorptive",
           Say<"COURSE-17", "decided">(in_.x), {"COURSE-17"});
    return;
  }
  const Episode* cur = m_.Current();
  if (!cur) return;
  const int ci = m_.current;
  if (cur->agent == Agent::kDenosumab && !cur->oncology && cur->last_dose) {
    // Stopped within the overdue window: the follow-on dmab_transition_za_months after the last
    // injection (the months COURSE-14 compares), no later than dmab_overdue_after_months.
    const int months = In<&CourseParams::dmab_transition_months, "COURSE-14">(cp_);
    const Date due = std::max(cur->last_dose->AddMonths(months), in_.as_of);
    d_.target = CourseTarget::kZoledronicNow;
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
    std::string head = Say<"COURSE-14", "transition_head">(in_.x);
    std::string text = Say<"COURSE-14", "transition", "head", "date", "latest">(
        in_.x, head, due.ToString(),
        cur->last_dose->AddMonths(In<&CourseParams::dmab_overdue_after_months, "COURSE-14">(cp_))
            .ToString());
    SeqZaNow("course_transition", std::move(head), std::move(text), {"COURSE-14", "SEQ-05"});
    Decide(ci, CourseAction::kTransition, "zoledronic_acid",
           Say<"COURSE-14", "decided_transition", "date">(in_.x, due.ToString()),
           {"COURSE-14", "SEQ-05"});
    d_.za_next_due = due;
    // The rebound warning and the infusion-centre reason are SEQ-05's and REF-03's, whose
    // months come from dmab_transition_za_months (medications.cc, referrals.cc).
    Refer(Destination::kOsteoporosisSpecialist, kRoutine, Say<"COURSE-14", "refer_stopped">(in_.x),
          {"COURSE-14", "SEQ-05"});
    Fired("COURSE-14", Say<"COURSE-14", "fired_stopped">(in_.x));
    return;
  }
  if (cur->state == CourseState::kHoliday) {
    const Date start = HolidayStart(*cur, in_.as_of, cp_);
    // A restart after a holiday that followed the bisphosphonate maximum is a non-bisphosphonate
    // (COURSE-12/13); otherwise the selection chooses, the previous bisphosphonate included.
    const bool after_max =
        (IsOralBp(*cur) &&
         m_.oral_bp_years >= In<&CourseLimits::oral_max_years, "COURSE-21">(lim_)) ||
        (cur->agent == Agent::kZoledronicAcid &&
         m_.za_doses >= In<&CourseLimits::za_max_doses, "COURSE-21">(lim_));
    bool fracture = false;
    for (const Date& d : in_.fragility_fractures) fracture = fracture || d > start;
    if (fracture) {
      d_.target = after_max ? CourseTarget::kNonBisphosphonate : CourseTarget::kNewStart;
      d_.indicated = std::optional<bool>(true);
      Warn("drug_holiday_restart_due", kWarn, Say<"COURSE-21", "warn_fracture">(in_.x),
           {"COURSE-21"});
      Seq("course_resume", Say<"COURSE-21", "resume_fracture">(in_.x), {"COURSE-21"});
      Decide(ci, CourseAction::kResume, "", Say<"COURSE-21", "decided_fracture">(in_.x),
             {"COURSE-21"});
      Fired("COURSE-21", Say<"COURSE-21", "fired_fracture">(in_.x));
      return;
    }
    // (b)-(f): BMD loss, a low hip T-score on review, a new major risk factor, FRAX above the
    // treatment thresholds, bone turnover back up (found by the engine from the record).
    if (!in_.holiday_restart_triggers.empty()) {
      std::string found;
      for (const auto& t : in_.holiday_restart_triggers) found += (found.empty() ? "" : "; ") + t;
      d_.target = after_max ? CourseTarget::kNonBisphosphonate : CourseTarget::kNewStart;
      d_.indicated = std::optional<bool>(true);
      Warn("drug_holiday_restart_due", kWarn,
           Say<"COURSE-21", "warn_trigger", "date", "found">(in_.x, start.ToString(), found),
           {"COURSE-21"});
      Seq("course_resume",
          after_max ? Say<"COURSE-21", "resume_trigger_after_max", "found">(in_.x, found)
                    : Say<"COURSE-21", "resume_trigger", "found">(in_.x, found),
          {"COURSE-21"});
      Decide(ci, CourseAction::kResume, "", Say<"COURSE-21", "decided_trigger">(in_.x),
             {"COURSE-21"});
      Fired("COURSE-21", found);
      return;
    }
    const Date review = start.AddMonths(
        12 * In<&CourseLimits::holiday_review_years, "COURSE-20", "COURSE-21">(lim_));
    d_.target = CourseTarget::kNothing;
    d_.holiday = true;
    d_.indicated = std::optional<bool>(false);
    if (in_.as_of >= review) {
      Warn("drug_holiday_reassessment_due", kWarn,
           Say<"COURSE-21", "warn_review", "date">(in_.x, start.ToString()), {"COURSE-21"});
      d_.workup.push_back({"dxa_review", 0, Say<"COURSE-21", "workup_dxa">(in_.x), {"COURSE-21"}});
    }
    const Date next = std::max(review, in_.as_of);
    Warn("drug_holiday_in_progress", kInfo,
         Say<"COURSE-20", "warn_in_progress", "date", "next">(in_.x, start.ToString(),
                                                              next.ToString()),
         {"COURSE-20"});
    Seq("course_holiday",
        Say<"COURSE-20", "holiday", "date", "next">(in_.x, start.ToString(), next.ToString()),
        {"COURSE-20"});
    Decide(ci, CourseAction::kHoliday, "",
           Say<"COURSE-20", "decided", "date">(in_.x, next.ToString()), {"COURSE-20"});
    Fired("COURSE-20", Say<"COURSE-20", "fired">(in_.x));
  }
}

void Decider::Fill() {
  // COURSE-04: every course decision but a holiday recommends treatment now (a specialist gate
  // decides on its own): the course is the evidence of the indication TX/RISK could not
  // establish (COURSE-05).
  if (!in_.specialist_gate && !in_.pregnant && !in_.breastfeeding &&
      d_.target != CourseTarget::kNewStart && d_.target != CourseTarget::kNothing &&
      !d_.indicated && in_.indicated != true) {
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
  }
  for (int i = 0; i < static_cast<int>(m_.episodes.size()); ++i) {
    const Episode& e = m_.episodes[i];
    if (e.oncology || !IsCourseAgent(e.agent)) continue;
    CurrentCourse c;
    c.agent = e.agent;
    c.route = e.route;
    c.state = e.state;
    c.doses_received = e.Injected() ? e.doses : std::nullopt;
    c.doses_source = e.Injected() ? e.doses_source : std::nullopt;
    c.cumulative_months = e.months;
    c.start = e.start;
    c.last_dose = e.last_dose;
    c.stop_reason = e.stop_reason;
    if (e.stop_reason)
      Fired("COURSE-22", Say<"COURSE-22", "fired", "agent", "reason">(in_.x, Human(e.agent),
                                                                      ToString(*e.stop_reason)));
    if (auto it = decisions_.find(i); it != decisions_.end()) {
      c.decision = it->second.action;
      c.switch_to = it->second.switch_to;
      c.text = it->second.text;
      c.rules = it->second.rules;
      if (c.decision == CourseAction::kContinue) {
        c.next_due = NextDue(e);
        if (c.next_due && e.last_dose && DueAfter(e, *e.last_dose) < in_.as_of)
          Fired("COURSE-25", Say<"COURSE-25", "fired", "agent", "date">(
                                 in_.x, Human(e.agent), DueAfter(e, *e.last_dose).ToString()));
      }
      if (c.decision == CourseAction::kResume && e.agent == Agent::kDenosumab)
        c.next_due = in_.as_of;
    } else {
      c.rules.push_back("COURSE-03");
    }
    if (c.rules.empty()) c.rules.push_back("COURSE-04");
    d_.current.push_back(std::move(c));
  }
}

CourseDecision Decider::Run() {
  for (Agent a : in_.intolerant) Exclude(a);
  for (const auto& e : m_.episodes)
    if ((e.stop_reason == StopReason::kIntolerance || e.stop_reason == StopReason::kAdverseEvent) &&
        !e.Ongoing()) {
      const std::string why = Say<"COURSE-01", "avoid_intolerance">(in_.x);
      if (IsOralBp(e)) {
        for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
          Avoid(a, why, {"COURSE-01"});
      } else {
        Avoid(e.agent, why, {"COURSE-01"});
      }
    }
  const int ci = m_.current;
  const Episode* cur = m_.Current();
  // Step 2: pregnancy or lactation stops every course (COURSE-09); other gates make it the
  // specialist's, but a patient on denosumab is never left with nothing (§6.H.11).
  if (in_.pregnant || in_.breastfeeding) {
    for (int i = 0; i < static_cast<int>(m_.episodes.size()); ++i) {
      const Episode& e = m_.episodes[i];
      if (e.oncology || !e.Ongoing()) continue;
      const std::string agent = Human(e.agent);
      Seq("course_stop",
          in_.pregnant ? Say<"COURSE-09", "stop_pregnancy", "agent">(in_.x, agent)
                       : Say<"COURSE-09", "stop_breastfeeding", "agent">(in_.x, agent),
          {"COURSE-09", "CI-12"});
      Decide(i, CourseAction::kStop, "specialist_decision",
             in_.pregnant ? Say<"COURSE-09", "decided_pregnancy">(in_.x)
                          : Say<"COURSE-09", "decided_breastfeeding">(in_.x),
             {"COURSE-09", "CI-12"});
      if (e.agent == Agent::kDenosumab)
        Warn("denosumab_discontinuation_rebound", kCrit,
             in_.pregnant ? Say<"COURSE-09", "warn_denosumab_pregnancy">(in_.x)
                          : Say<"COURSE-09", "warn_denosumab_breastfeeding">(in_.x),
             {"COURSE-09"});
      Fired("COURSE-09", Say<"COURSE-09", "fired", "agent">(in_.x, agent));
    }
    d_.target = CourseTarget::kSpecialist;
    Fill();
    return std::move(d_);
  }
  // Concurrent courses (COURSE-23) without a gate; under one, each course is the gate's below.
  if (cur && cur->Ongoing() && !m_.concurrent.empty() && !in_.specialist_gate) {
    d_.target = CourseTarget::kSpecialist;
    Seq("course_continue",
        Say<"COURSE-23", "concurrent", "agent", "other">(
            in_.x, Human(cur->agent), Human(m_.episodes[m_.concurrent.front()].agent)),
        {"COURSE-23"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine,
          Say<"COURSE-23", "refer_concurrent">(in_.x), {"COURSE-23"});
    const std::string decided = Say<"COURSE-23", "decided_concurrent">(in_.x);
    Decide(ci, CourseAction::kContinue, "", decided, {"COURSE-23"});
    for (int i : m_.concurrent) Decide(i, CourseAction::kContinue, "", decided, {"COURSE-23"});
    Fired("COURSE-23", Say<"COURSE-23", "fired_concurrent">(in_.x));
    Fill();
    return std::move(d_);
  }
  if (in_.specialist_gate) {
    // An atypical femoral fracture or osteonecrosis of the jaw rules agents out whoever decides
    // next (COURSE-07, COURSE-08): the specialist sees the avoidances, and zoledronic acid is
    // never shown as eligible.
    // The courses under way: the current one and any concurrent with it.
    std::vector<int> ongoing;
    if (cur && cur->Ongoing()) {
      ongoing.push_back(ci);
      ongoing.insert(ongoing.end(), m_.concurrent.begin(), m_.concurrent.end());
    }
    const bool dmab_on = std::any_of(ongoing.begin(), ongoing.end(), [&](int i) {
      return m_.episodes[i].agent == Agent::kDenosumab;
    });
    if (in_.aff) {
      AffAvoids(dmab_on);
      Fired("COURSE-07", Say<"COURSE-07", "fired_gate">(in_.x));
    }
    if (in_.onj_active) {
      OnjAvoids(dmab_on);
      Fired("COURSE-08", Say<"COURSE-08", "fired_gate">(in_.x));
    }
    // Nor is a course that failed (COURSE-18) restarted: the failure's avoidances hold under the
    // gate too (choosing the switch is the specialist's). Found by a decider of its own, whose
    // decisions are dropped.
    if (cur && cur->Ongoing()) {
      Decider failure(m_, cp_, lim_, in_);
      if (failure.Failure(ci))
        for (const CourseEffect& v : failure.d_.avoid)
          if (std::find(v.rules.begin(), v.rules.end(), "COURSE-18") != v.rules.end())
            if (const auto agent = Parse<Agent>(v.code)) Avoid(*agent, v.text, v.rules);
    }
    // The bisphosphonate maxima (COURSE-12, COURSE-13) hold whoever decides next.
    if (cur && !cur->oncology) {
      const bool oral_max =
          IsOralBp(*cur) &&
          m_.oral_bp_years >= In<&CourseLimits::oral_max_years, "COURSE-12">(lim_);
      const bool za_max = cur->agent == Agent::kZoledronicAcid &&
                          m_.za_doses >= In<&CourseLimits::za_max_doses, "COURSE-13">(lim_);
      const std::vector<std::string_view> rules = {oral_max ? "COURSE-12" : "COURSE-13"};
      if (oral_max)
        for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
          Avoid(a, Say<"COURSE-12", "avoid_max_gate">(in_.x), rules);
      if (za_max) {
        Avoid(Agent::kZoledronicAcid, Say<"COURSE-13", "avoid_max_gate">(in_.x), rules);
        d_.za_course_limit = true;
      }
      if (oral_max || za_max)
        Warn("bisphosphonate_max_duration_reached", kWarn, SayBp<"warn_max_gate">(oral_max, in_.x),
             rules);
    }
    // Every course under way is the gate's decision, concurrent ones too (not COURSE-23's
    // "continue both"): any agent but denosumab waits for the specialist, and one the gate's
    // avoidances rule out stops (CourseTherapy, COURSE-24).
    for (int i : ongoing) {
      if (m_.episodes[i].agent == Agent::kDenosumab && Limits(i)) {
        // A lapsed denosumab (COURSE-15) keeps its rebound window under the gate: overdue,
        // given under the specialist (never left with nothing, §6.H.11).
        d_.target = CourseTarget::kSpecialist;
      } else if (m_.episodes[i].agent == Agent::kDenosumab) {
        d_.target = CourseTarget::kSpecialist;
        Seq("course_continue", Say<"COURSE-14", "continue_gate">(in_.x), {"COURSE-14"});
        Decide(i, CourseAction::kContinue, "", Say<"COURSE-14", "decided_gate">(in_.x),
               {"COURSE-14"});
        Refer(Destination::kOsteoporosisSpecialist, kUrgent, Say<"COURSE-14", "refer_gate">(in_.x),
              {"COURSE-14"});
        Warn("denosumab_discontinuation_rebound", kWarn, Say<"COURSE-14", "warn_never_stop">(in_.x),
             {"COURSE-14"});
      } else {
        d_.target = CourseTarget::kSpecialist;
        Decide(i, CourseAction::kNone, "specialist_decision",
               Say<"COURSE-04", "decided_gate">(in_.x), {"COURSE-04"});
      }
    }
    if (cur && !cur->Ongoing() && cur->agent == Agent::kDenosumab && Limits(ci)) {
      // The gate decides; a stopped denosumab past its window still needs its follow-on now
      // (COURSE-15): the specialist chooses it (§6.H.11: never left with nothing).
      d_.target = CourseTarget::kSpecialist;
    }
    Fill();
    return std::move(d_);
  }
  if (cur && cur->Ongoing()) {
    if (HardStops(ci) || Limits(ci) || Failure(ci) || Reviews(ci)) {
      Fill();
      return std::move(d_);
    }
    if (cur->agent == Agent::kIbandronate && cur->Injected()) {
      d_.target = CourseTarget::kZoledronicNow;
      const Date due = NextDue(*cur).value_or(in_.as_of);
      d_.za_next_due = due;
      std::string head = Say<"COURSE-23", "switch_ibandronate_head">(in_.x);
      std::string text =
          Say<"COURSE-23", "switch_ibandronate", "head", "date">(in_.x, head, due.ToString());
      SeqZaNow("course_switch", std::move(head), std::move(text), {"COURSE-23"});
      Decide(ci, CourseAction::kSwitch, "zoledronic_acid",
             Say<"COURSE-23", "decided_ibandronate">(in_.x), {"COURSE-23"});
      Fired("COURSE-23", Say<"COURSE-23", "fired_ibandronate">(in_.x));
    } else if (cur->agent == Agent::kRaloxifene) {
      if (HighTier() || !in_.raloxifene_allowed) {
        d_.target = CourseTarget::kNewStart;
        Seq("course_switch", Say<"COURSE-23", "switch_raloxifene">(in_.x), {"COURSE-23"});
        Decide(ci, CourseAction::kSwitch, "first_line",
               Say<"COURSE-23", "decided_raloxifene">(in_.x), {"COURSE-23"});
        Fired("COURSE-23", Say<"COURSE-23", "fired_raloxifene">(in_.x));
      } else {
        Continue(ci, "", {"COURSE-23"});
      }
    } else {
      Continue(ci, "", {});
    }
    // Hard stops also apply when the course itself is not stopped (AFF/ONJ with denosumab).
    Fill();
    return std::move(d_);
  }
  // No ongoing course: hard stops still shape the next agent.
  if (cur) {
    if (HardStops(ci)) {
      Fill();
      return std::move(d_);
    }
    if (Limits(ci)) {
      Fill();
      return std::move(d_);
    }
  } else if (in_.aff || in_.onj_active || in_.onj_resolved) {
    Episode none;
    none.state = CourseState::kStopped;
    CourseModel tmp = m_;
    tmp.episodes.push_back(none);
    // AFF/ONJ without a course: the same avoidances for new starts.
    Decider sub(tmp, cp_, lim_, in_);
    sub.d_ = std::move(d_);
    sub.HardStops(static_cast<int>(tmp.episodes.size()) - 1);
    d_ = std::move(sub.d_);
    d_.current.clear();
    Fill();
    return std::move(d_);
  }
  AfterCourse();
  Fill();
  return std::move(d_);
}

}  // namespace bp::course_detail

namespace bp {

CourseDecision DecideCourse(const CourseModel& m, const CourseParams& cp, const CourseLimits& lim,
                            const CourseInputs& in) {
  return course_detail::Decider(m, cp, lim, in).Run();
}

}  // namespace bp

namespace bp::rules {

void CourseFailureInputs(Ctx& x, CourseInputs& in) {
  const Facts& f = x.f;
  const Patient& p = x.p;
  in.x = &x;
  in.oral_adherence_concern = p.oral_bisphosphonate_barriers.adherence_concern.value_or(false);
  in.oral_malabsorption = f.HasActive(p, ConditionCode::kMalabsorption) ||
                          f.HasActive(p, ConditionCode::kCeliacDisease) ||
                          f.HasActive(p, ConditionCode::kBariatricSurgery) ||
                          FindCondition(p, ConditionCode::kBariatricSurgery, false);
  in.failure_sets_very_high =
      x.P<&CP::risk_model, "RISK-01", "COURSE-18">() == RiskModel::kAace2020;
}

// RISK-01(b) for a possible treatment failure (COURSE-18 F2): the tier decided before the course
// was known becomes very high when the course decision asks for it, and the trace says why.
void FailureTier(Ctx& x, State& s) {
  const CourseDecision& d = x.course;
  if (!d.tier_very_high || s.course_gate || s.pathologic || x.a.treatment_indicated != true ||
      x.a.risk_tier == RiskTier::kVeryHigh)
    return;
  x.a.risk_tier = RiskTier::kVeryHigh;
  if (!x.verbose) return;
  const std::string why = d.tier_very_high_fracture
                              ? x.Say<"COURSE-18", "very_high_fracture", "agent", "date">(
                                    d.tier_very_high_agent, d.tier_very_high_finding)
                              : x.Say<"COURSE-18", "very_high", "agent", "finding">(
                                    d.tier_very_high_agent, d.tier_very_high_finding);
  bool traced = false;
  for (auto& t : x.a.trace) {
    if (t.rule == "RISK-01" && t.outcome == Outcome::kNotFired) {
      t.outcome = Outcome::kFired;
      t.because = Keep(why);
      traced = true;
    } else if (t.rule == "RISK-02" && t.outcome == Outcome::kFired) {
      t.outcome = Outcome::kNotFired;
      t.because = Keep(x.Say<"COURSE-18", "not_high">());
    }
  }
  if (!traced) x.Fired("RISK-01", Str(why));
  std::erase_if(x.a.treatment_reasons, [](const Statement& st) { return st.code == "high_risk"; });
  x.a.treatment_reasons.push_back(
      St{"very_high_risk",
         d.tier_very_high_fracture
             ? x.Say<"COURSE-18", "very_high_reason_fracture", "agent", "date">(
                   d.tier_very_high_agent, d.tier_very_high_finding)
             : x.Say<"COURSE-18", "very_high_reason", "agent">(d.tier_very_high_agent),
         {"RISK-01", "COURSE-18"}});
}

namespace {
// The rules this file implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"COURSE-09", "COURSE-12", "COURSE-13", "COURSE-14",
                                       "COURSE-15", "COURSE-18", "COURSE-19", "COURSE-20",
                                       "COURSE-21", "COURSE-22", "COURSE-23"};
}  // namespace
const Topic kCourseDecisionTopic{"course failure, reviews and holidays", kRules};
}  // namespace bp::rules
