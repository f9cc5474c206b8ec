// The course decision, part 1 (catalogue §6): continue the current course (COURSE-05), the
// transition after an anabolic (COURSE-17), the hard stops (COURSE-06, 07, 08, 16) and the
// end-of-course limits (COURSE-10..13, 15). The order is Decider::Run (course_decide.cc).
#include "rules/course_decider.h"
#include "rules/steps.h"

namespace bp::course_detail {

void Decider::Transition(Agent from, std::vector<std::string_view> rules) {
  rules.push_back("COURSE-17");
  d_.target = CourseTarget::kAntiresorptive;
  // A transition is a recommendation to treat now (COURSE-04): the anabolic course is the
  // evidence of an indication when TX/RISK could not establish one (COURSE-05).
  if (in_.indicated != true) {
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
  }
  const std::string agent = Human(from);
  Seq("course_transition",
      from == Agent::kRomosozumab
          ? Say<"COURSE-17", "transition_romosozumab", "agent">(in_.x, agent)
          : Say<"COURSE-17", "transition", "agent">(in_.x, agent),
      rules);
  Warn("anabolic_requires_antiresorptive_followup", kWarn,
       Say<"COURSE-17", "warn_ended", "agent">(in_.x, agent), {"COURSE-17"});
  Fired("COURSE-17", Say<"COURSE-17", "fired", "agent">(in_.x, agent));
}

void Decider::Continue(int ci, std::string why, std::vector<std::string_view> rules) {
  const Episode& e = m_.episodes[ci];
  rules.push_back("COURSE-05");
  d_.target = CourseTarget::kContinueCurrent;
  // The sentence is the rule's "continue" with its optional parts said in.
  const std::string agent = Human(e.agent);
  const std::string dose =
      e.agent == Agent::kZoledronicAcid && e.doses
          ? Say<"COURSE-05", "dose", "dose">(in_.x, std::to_string(*e.doses + 1))
          : std::string();
  std::string due_text;
  if (auto due = NextDue(e)) {
    due_text = e.agent == Agent::kZoledronicAcid
                   ? Say<"COURSE-05", "due_zoledronic_acid", "date">(in_.x, due->ToString())
                   : Say<"COURSE-05", "due", "date">(in_.x, due->ToString());
    if (e.agent == Agent::kZoledronicAcid) d_.za_next_due = due;
  }
  const std::string text = Say<"COURSE-05", "continue", "agent", "dose", "due", "why">(
      in_.x, agent, dose, due_text,
      why.empty() ? std::string() : Say<"COURSE-05", "why", "why">(in_.x, why));
  Seq("course_continue", text, rules);
  Decide(ci, CourseAction::kContinue, "", text, rules);
  Fired("COURSE-05", Say<"COURSE-05", "fired", "agent">(in_.x, agent));
  // The course is itself evidence of an indication (COURSE-05, COURSE-14).
  if (in_.indicated != true && e.agent != Agent::kRaloxifene) {
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
    d_.missing.push_back({"bmd", 0, Say<"COURSE-05", "missing_bmd">(in_.x), {}});
    d_.missing.push_back({"fractures", 0, Say<"COURSE-05", "missing_fractures">(in_.x), {}});
    if (!e.start)
      d_.missing.push_back({"medications.start", 0, Say<"COURSE-05", "missing_start">(in_.x), {}});
  } else if (in_.tier == RiskTier::kNotIndicated || in_.tier == RiskTier::kIndeterminate) {
    if (e.agent != Agent::kRaloxifene) d_.tier_floor_high = true;
  }
}

// COURSE-07: the agents an atypical femoral fracture rules out, with its warning. They hold
// whoever decides next: HardStops says them with the course decision, and Run says them alone
// under a specialist gate. An ongoing denosumab course is not simply stopped (§6.H.11).
void Decider::AffAvoids(bool dmab_on) {
  const std::string no_bp = Say<"COURSE-07", "avoid_bisphosphonate">(in_.x);
  for (Agent a :
       {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate, Agent::kZoledronicAcid})
    Avoid(a, no_bp, {"COURSE-07"});
  Warn("atypical_femoral_fracture", kCrit, Say<"COURSE-07", "warn">(in_.x), {"COURSE-07"});
  if (dmab_on) {
    Warn("denosumab_discontinuation_rebound", kCrit, Say<"COURSE-07", "warn_denosumab">(in_.x),
         {"COURSE-07"});
  } else {
    Avoid(Agent::kDenosumab, Say<"COURSE-07", "avoid_denosumab">(in_.x), {"COURSE-07"});
  }
  Avoid(Agent::kRomosozumab, Say<"COURSE-07", "avoid_romosozumab">(in_.x), {"COURSE-07"});
}

// COURSE-08: the same for active osteonecrosis of the jaw.
void Decider::OnjAvoids(bool dmab_on) {
  const std::string why = Say<"COURSE-08", "avoid">(in_.x);
  for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate,
                  Agent::kZoledronicAcid, Agent::kRomosozumab})
    Avoid(a, why, {"COURSE-08"});
  if (!dmab_on)
    Avoid(Agent::kDenosumab, why, {"COURSE-08"});
  else
    Warn("denosumab_discontinuation_rebound", kCrit, Say<"COURSE-08", "warn_denosumab">(in_.x),
         {"COURSE-08"});
  Warn("osteonecrosis_of_jaw", kCrit, Say<"COURSE-08", "warn">(in_.x), {"COURSE-08"});
}

bool Decider::HardStops(int ci) {
  const Episode& e = m_.episodes[ci];
  bool stopped = false;
  // COURSE-06: MI or stroke on romosozumab.
  if (e.agent == Agent::kRomosozumab && MiStrokeOnRomo(e)) {
    Avoid(Agent::kRomosozumab, Say<"COURSE-06", "avoid">(in_.x), {"COURSE-06", "CI-07"});
    Warn("romosozumab_cardiovascular_contraindication", kCrit, Say<"COURSE-06", "warn">(in_.x),
         {"COURSE-06"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent, Say<"COURSE-06", "refer">(in_.x),
          {"COURSE-06"});
    Seq("course_stop", Say<"COURSE-06", "stop">(in_.x), {"COURSE-06"});
    Decide(ci, CourseAction::kStop, "antiresorptive", Say<"COURSE-06", "decided">(in_.x),
           {"COURSE-06"});
    Fired("COURSE-06", Say<"COURSE-06", "fired">(in_.x));
    Transition(Agent::kRomosozumab, {"COURSE-06"});
    stopped = true;
  }
  // COURSE-07: atypical femoral fracture.
  if (in_.aff) {
    const bool dmab_on = e.agent == Agent::kDenosumab && e.Ongoing();
    AffAvoids(dmab_on);
    Refer(Destination::kOsteoporosisSpecialist, kUrgent,
          Say<"COURSE-07", "refer_specialist">(in_.x), {"COURSE-07", "REF-02"});
    Refer(Destination::kOrthopedics, kUrgent, Say<"COURSE-07", "refer_orthopedics">(in_.x),
          {"COURSE-07"});
    d_.workup.push_back(
        {"contralateral_femur_imaging", 0, Say<"COURSE-07", "workup">(in_.x), {"COURSE-07"}});
    Fired("COURSE-07", Say<"COURSE-07", "fired">(in_.x));
    if (IsCourseBisphosphonate(e.agent) && e.Ongoing()) {
      Seq("course_stop", Say<"COURSE-07", "stop", "agent">(in_.x, Human(e.agent)), {"COURSE-07"});
      const bool pth = HighTier();
      Decide(ci, CourseAction::kStop, pth ? "anabolic" : "specialist_decision",
             Say<"COURSE-07", "decided">(in_.x), {"COURSE-07"});
    }
    if (!(e.agent == Agent::kDenosumab && e.Ongoing()))
      d_.target = HighTier() ? CourseTarget::kPthAnalog : CourseTarget::kSpecialist;
    else
      d_.target = CourseTarget::kSpecialist;
    SpecialistNeedsIndication(e);
    return true;
  }
  if (stopped) return true;
  // COURSE-08: osteonecrosis of the jaw.
  if (in_.onj_active) {
    OnjAvoids(e.agent == Agent::kDenosumab && e.Ongoing());
    const std::string refer = Say<"COURSE-08", "refer">(in_.x);
    Refer(Destination::kDental, kUrgent, refer, {"COURSE-08"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent, refer, {"COURSE-08"});
    if (IsCourseBisphosphonate(e.agent) && e.Ongoing()) {
      Seq("course_stop", Say<"COURSE-08", "stop", "agent">(in_.x, Human(e.agent)), {"COURSE-08"});
      Decide(ci, CourseAction::kStop, "specialist_decision", Say<"COURSE-08", "decided">(in_.x),
             {"COURSE-08"});
    }
    Fired("COURSE-08", Say<"COURSE-08", "fired">(in_.x));
    d_.target = CourseTarget::kSpecialist;
    SpecialistNeedsIndication(e);
    return true;
  }
  if (in_.onj_resolved) {
    Warn("osteonecrosis_of_jaw", kWarn, Say<"COURSE-08", "warn_resolved">(in_.x), {"COURSE-08"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine, Say<"COURSE-08", "refer_resolved">(in_.x),
          {"COURSE-08"});
    Fired("COURSE-08", Say<"COURSE-08", "fired_resolved">(in_.x));
  }
  // COURSE-16: denosumab dose on hold.
  if (e.agent == Agent::kDenosumab && e.Ongoing() && e.last_dose &&
      in_.as_of >= DueAfter(e, *e.last_dose) &&
      (in_.hypocalcemia || (in_.advanced_ckd && in_.calcium_unknown_or_stale))) {
    const std::string due = DueAfter(e, *e.last_dose).ToString();
    Avoid(Agent::kDenosumab, Say<"COURSE-16", "avoid">(in_.x), {"COURSE-16"});
    Seq("course_hold", Say<"COURSE-16", "hold", "date">(in_.x, due), {"COURSE-16"});
    Decide(ci, CourseAction::kHold, "", Say<"COURSE-16", "decided", "date">(in_.x, due),
           {"COURSE-16"});
    Warn("denosumab_dose_on_hold", kCrit, Say<"COURSE-16", "warn", "date">(in_.x, due),
         {"COURSE-16"});
    if (in_.hypocalcemia)
      Warn("hypocalcemia_correct_before_antiresorptive", kCrit,
           Say<"COURSE-16", "warn_hypocalcemia">(in_.x), {"COURSE-16"});
    if (in_.advanced_ckd) {
      Warn("denosumab_severe_ckd_hypocalcemia", kCrit, Say<"COURSE-16", "warn_ckd">(in_.x),
           {"COURSE-16"});
      Refer(Destination::kNephrology, kUrgent, Say<"COURSE-16", "refer_nephrology">(in_.x),
            {"COURSE-16"});
    }
    Refer(Destination::kOsteoporosisSpecialist, kUrgent, Say<"COURSE-16", "refer">(in_.x),
          {"COURSE-16"});
    d_.workup.push_back({"calcium_recheck", 0, Say<"COURSE-16", "workup">(in_.x), {"COURSE-16"}});
    Fired("COURSE-16", Say<"COURSE-16", "fired">(in_.x));
    d_.target = CourseTarget::kSpecialist;
    return true;
  }
  return stopped;
}

bool Decider::Limits(int ci) {
  const Episode& e = m_.episodes[ci];
  if (e.agent == Agent::kRomosozumab && e.Ongoing()) {
    if (!e.doses) {
      d_.missing.push_back(
          {"medications.doses_received", 0, Say<"COURSE-10", "missing_doses">(in_.x), {}});
      Warn("romosozumab_dose_limit_reached", kWarn, Say<"COURSE-10", "warn_unknown">(in_.x),
           {"COURSE-10"});
    } else if (*e.doses >= In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) {
      const std::string doses = std::to_string(*e.doses);
      // The block in SEQ-02's words: one reason for the avoid entry, said once.
      Avoid(Agent::kRomosozumab, Say<"COURSE-10", "block", "doses">(in_.x, doses), {"COURSE-10"});
      Warn("romosozumab_dose_limit_reached", kWarn, Say<"COURSE-10", "warn", "doses">(in_.x, doses),
           {"COURSE-10"});
      Seq("course_stop", Say<"COURSE-10", "stop", "doses">(in_.x, doses), {"COURSE-10"});
      Decide(ci, CourseAction::kTransition, "antiresorptive", Say<"COURSE-10", "decided">(in_.x),
             {"COURSE-10"});
      Fired("COURSE-10", Say<"COURSE-10", "fired", "doses">(in_.x, doses));
      Transition(Agent::kRomosozumab, {"COURSE-10"});
      return true;
    }
  }
  if (IsPthAnalog(e.agent) && e.Ongoing() &&
      m_.pth_months >= In<&CourseLimits::pth_max_months, "COURSE-11", "D37">(lim_)) {
    const std::string months = std::to_string(static_cast<int>(m_.pth_months));
    if (e.agent == Agent::kAbaloparatide || !HighTier()) {
      if (e.agent == Agent::kAbaloparatide)
        Avoid(Agent::kAbaloparatide, Say<"COURSE-11", "avoid", "months">(in_.x, months),
              {"COURSE-11"});
      Exclude(e.agent);
      Warn("pth_analog_cumulative_limit", e.agent == Agent::kAbaloparatide ? kCrit : kWarn,
           Say<"COURSE-11", "warn", "months">(in_.x, months), {"COURSE-11"});
      Seq("course_stop", Say<"COURSE-11", "stop", "agent", "months">(in_.x, Human(e.agent), months),
          {"COURSE-11"});
      Decide(ci, CourseAction::kTransition, "antiresorptive",
             Say<"COURSE-11", "decided", "months">(in_.x, months), {"COURSE-11"});
      Fired("COURSE-11", Say<"COURSE-11", "fired", "months">(in_.x, months));
      Transition(e.agent, {"COURSE-11"});
      return true;
    }
    Warn("pth_analog_cumulative_limit", kWarn,
         Say<"COURSE-11", "warn_beyond", "months">(in_.x, months), {"COURSE-11"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine, Say<"COURSE-11", "refer_beyond">(in_.x),
          {"COURSE-11", "REF-02"});
    Fired("COURSE-11", Say<"COURSE-11", "fired_beyond">(in_.x));
    Continue(ci, Say<"COURSE-11", "continue_beyond">(in_.x), {"COURSE-11"});
    return true;
  }
  // Bisphosphonate maximum (COURSE-12 >= 10 years; COURSE-13 >= 6 doses).
  const bool oral_max =
      IsOralBp(e) && m_.oral_bp_years >= In<&CourseLimits::oral_max_years, "COURSE-12">(lim_) &&
      (e.Ongoing() || e.state == CourseState::kCompleted || e.state == CourseState::kStopped);
  const bool za_max = e.agent == Agent::kZoledronicAcid && !e.oncology &&
                      m_.za_doses >= In<&CourseLimits::za_max_doses, "COURSE-13">(lim_);
  if (oral_max || za_max) {
    const std::vector<std::string_view> rules = {oral_max ? "COURSE-12" : "COURSE-13"};
    const std::string amount =
        oral_max ? Say<"COURSE-12", "amount", "years">(
                       in_.x, std::to_string(static_cast<int>(m_.oral_bp_years)))
                 : Say<"COURSE-13", "amount", "doses">(in_.x, std::to_string(m_.za_doses));
    const std::string avoid = SayBp<"avoid_max", "amount">(oral_max, in_.x, amount);
    if (oral_max) {
      for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
        Avoid(a, avoid, rules);
    } else {
      Avoid(Agent::kZoledronicAcid, avoid, rules);
      d_.za_course_limit = true;
    }
    Warn("bisphosphonate_max_duration_reached", kWarn,
         SayBp<"warn_max", "amount">(oral_max, in_.x, amount), rules);
    Warn("drug_holiday_reassessment_due", kInfo,
         SayBp<"warn_max_review", "amount">(oral_max, in_.x, amount), rules);
    if (in_.high_risk_at_review == true) {
      d_.target = CourseTarget::kNonBisphosphonate;
      Refer(Destination::kOsteoporosisSpecialist, kRoutine,
            SayBp<"refer_max_switch", "amount">(oral_max, in_.x, amount), {rules[0], "REF-02"});
      Seq("course_switch",
          in_.tier == RiskTier::kVeryHigh
              ? SayBp<"max_switch_anabolic", "amount">(oral_max, in_.x, amount)
              : SayBp<"max_switch_denosumab", "amount">(oral_max, in_.x, amount),
          rules);
      Decide(ci, CourseAction::kSwitch, in_.tier == RiskTier::kVeryHigh ? "anabolic" : "denosumab",
             SayBp<"decided_max_switch", "amount">(oral_max, in_.x, amount), rules);
    } else if (in_.high_risk_at_review == false) {
      d_.target = CourseTarget::kNothing;
      d_.holiday = true;
      d_.indicated = std::optional<bool>(false);
      const Date start =
          e.last_dose && e.agent == Agent::kZoledronicAcid
              ? e.last_dose->AddMonths(In<&CourseParams::za_due_months, "COURSE-20">(cp_))
              : e.end.value_or(in_.as_of);
      const Date review =
          std::max(start.AddMonths(12 * In<&CourseLimits::holiday_review_years, "COURSE-20">(lim_)),
                   in_.as_of);
      const std::string next = review.ToString();
      Seq("course_holiday", SayBp<"max_holiday", "amount", "date">(oral_max, in_.x, amount, next),
          {rules[0], "COURSE-20"});
      Decide(ci, CourseAction::kHoliday, "", Say<"COURSE-20", "decided", "date">(in_.x, next),
             {rules[0], "COURSE-20"});
      Warn("drug_holiday_in_progress", kInfo,
           Say<"COURSE-20", "warn_review_after_max", "date">(in_.x, next), {"COURSE-20"});
    } else {
      d_.target = CourseTarget::kSpecialist;
      d_.workup.push_back({"dxa_review", 0, SayBp<"workup_dxa_max">(oral_max, in_.x), {rules[0]}});
      d_.missing.push_back({"bmd", 0, SayBp<"missing_dxa">(oral_max, in_.x), {}});
      Refer(Destination::kOsteoporosisSpecialist, kRoutine,
            SayBp<"refer_max_review", "amount">(oral_max, in_.x, amount), {rules[0]});
      Seq("course_stop", SayBp<"max_stop", "amount">(oral_max, in_.x, amount), rules);
      Decide(ci, CourseAction::kStop, "specialist_decision",
             SayBp<"decided_max_missing", "amount">(oral_max, in_.x, amount), rules);
    }
    Fired(rules[0], amount);
    return true;
  }
  // COURSE-15: denosumab lapsed or stopped without a follow-on.
  if (e.agent == Agent::kDenosumab && !e.oncology && e.last_dose &&
      in_.as_of >
          e.last_dose->AddMonths(In<&CourseParams::dmab_overdue_after_months, "COURSE-15">(cp_)) &&
      !m_.AntiresorptiveAfter(*e.last_dose)) {
    const std::string since =
        e.last_dose->AddMonths(In<&CourseParams::dmab_overdue_after_months, "COURSE-15">(cp_))
            .ToString();
    const bool active = e.status == MedStatus::kActive;
    // Why treatment now (course_reason: CourseTherapy makes it the therapy's reason): the months
    // come from the profile (never "about 6 months after" once that date has passed).
    const std::string last = e.last_dose->ToString(), now = in_.as_of.ToString();
    d_.sequence.push_back(
        {"course_reason",
         0,
         Say<"COURSE-15", "reason", "date", "months">(
             in_.x, last,
             std::to_string(static_cast<int>(CalendarMonths(*e.last_dose, in_.as_of)))),
         {"COURSE-15", active ? "DMAB-OVERDUE" : "SEQ-05"}});
    if (active) {
      const bool resume = In<&CourseLimits::lapse_resume, "COURSE-15", "D40">(lim_);
      d_.target = resume ? CourseTarget::kDenosumabNow : CourseTarget::kZoledronicNow;
      if (resume) {
        Seq("course_resume",
            Say<"COURSE-15", "resume_denosumab", "since", "date">(in_.x, since, now),
            {"COURSE-15", "COURSE-25"});
      } else {
        // Zoledronic acid in its place (dmab_lapse_action): "now" holds only when the
        // pre-infusion checks let it be given (ZoledronicNowFollowsInfusion, course_finish.cc).
        std::string head = Say<"COURSE-15", "resume_zoledronic_acid_head", "since">(in_.x, since);
        std::string text =
            Say<"COURSE-15", "resume_zoledronic_acid", "head", "date">(in_.x, head, now);
        SeqZaNow("course_resume", std::move(head), std::move(text), {"COURSE-15", "COURSE-25"});
      }
      Decide(ci, CourseAction::kResume, resume ? "denosumab" : "zoledronic_acid",
             Say<"COURSE-15", "decided_resume", "since">(in_.x, since), {"COURSE-15"});
      Warn("denosumab_dose_overdue", kCrit,
           resume ? Say<"COURSE-15", "warn_overdue", "since", "last">(in_.x, since, last)
                  : Say<"COURSE-15", "warn_overdue_zoledronic_acid", "since", "last">(in_.x, since,
                                                                                      last),
           {"COURSE-15", "DMAB-OVERDUE"});
    } else if (in_.specialist_gate) {
      // A specialist gate (advanced CKD, hypercalcemia, a suspected pathologic fracture...):
      // the follow-on is the specialist's choice, now.
      Seq("course_transition", Say<"COURSE-15", "transition_specialist", "since">(in_.x, since),
          {"COURSE-15", "SEQ-05", "COURSE-25"});
      Decide(ci, CourseAction::kTransition, "specialist_decision",
             Say<"COURSE-15", "decided_specialist", "since">(in_.x, since), {"COURSE-15"});
      Warn("denosumab_transition_overdue", kCrit,
           Say<"COURSE-15", "warn_transition", "last", "since">(in_.x, last, since), {"COURSE-15"});
    } else {
      d_.target = CourseTarget::kZoledronicNow;
      std::string head = Say<"COURSE-15", "transition_head", "since">(in_.x, since);
      std::string text = Say<"COURSE-15", "transition", "head", "date">(in_.x, head, now);
      SeqZaNow("course_transition", std::move(head), std::move(text),
               {"COURSE-15", "SEQ-05", "COURSE-25"});
      Decide(ci, CourseAction::kTransition, "zoledronic_acid",
             Say<"COURSE-15", "decided_transition", "since">(in_.x, since), {"COURSE-15"});
      Warn("denosumab_transition_overdue", kCrit,
           Say<"COURSE-15", "warn_transition", "last", "since">(in_.x, last, since), {"COURSE-15"});
      Refer(Destination::kInfusionCenter, kUrgent,
            Say<"COURSE-15", "refer_infusion", "since">(in_.x, since), {"COURSE-15", "SEQ-05"});
    }
    Warn("denosumab_discontinuation_rebound", kCrit, Say<"COURSE-15", "warn_rebound">(in_.x),
         {"COURSE-15", "SEQ-05"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent,
          Say<"COURSE-15", "refer_lapsed", "last">(in_.x, last), {"COURSE-15", "SEQ-05", "REF-02"});
    d_.workup.push_back({"rebound_vertebral_fracture_imaging",
                         0,
                         Say<"COURSE-15", "workup">(in_.x),
                         {"COURSE-15"}});
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
    Fired("COURSE-15", Say<"COURSE-15", "fired", "date">(in_.x, last));
    return true;
  }
  return false;
}

}  // namespace bp::course_detail

namespace bp::rules {
namespace {
// The rules this file implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"COURSE-05", "COURSE-06", "COURSE-07", "COURSE-08",
                                       "COURSE-10", "COURSE-11", "COURSE-16", "COURSE-17"};
}  // namespace
const Topic kCourseStopsTopic{"course stops and limits", kRules};
}  // namespace bp::rules
