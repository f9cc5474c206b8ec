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
  Seq("course_transition",
      "After " + Human(from) + ": start an antiresorptive without a gap (" +
          (from == Agent::kRomosozumab ? "within a month of the last dose"
                                       : "right after the last dose") +
          ").",
      rules);
  Warn("anabolic_requires_antiresorptive_followup", kWarn,
       "The " + Human(from) +
           " course has ended: the bone it gained is lost unless an "
           "antiresorptive follows.",
       {"COURSE-17"});
  Fired("COURSE-17", Human(from) + " course ends");
}

void Decider::Continue(int ci, std::string why, std::vector<std::string_view> rules) {
  const Episode& e = m_.episodes[ci];
  rules.push_back("COURSE-05");
  d_.target = CourseTarget::kContinueCurrent;
  std::string text = "Continue " + Human(e.agent);
  if (e.agent == Agent::kZoledronicAcid && e.doses)
    text += ": dose " + std::to_string(*e.doses + 1) + " of at most " +
            std::to_string(In<&CourseLimits::za_max_doses, "COURSE-05">(lim_));
  if (auto due = NextDue(e)) {
    text += (e.agent == Agent::kZoledronicAcid ? ", due " : "; next dose due ") + due->ToString();
    if (e.agent == Agent::kZoledronicAcid) d_.za_next_due = due;
  }
  if (!why.empty()) text += " (" + why + ")";
  text += ".";
  Seq("course_continue", text, rules);
  Decide(ci, CourseAction::kContinue, "", text, rules);
  Fired("COURSE-05", Human(e.agent) + " continues");
  // The course is itself evidence of an indication (COURSE-05, COURSE-14).
  if (in_.indicated != true && e.agent != Agent::kRaloxifene) {
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
    d_.missing.push_back({"bmd", 0, "pre-treatment DXA, needed for the course review", {}});
    d_.missing.push_back(
        {"fractures", 0, "fracture history before the course, needed for the course review", {}});
    if (!e.start)
      d_.missing.push_back(
          {"medications.start", 0, "course start, needed for the course review", {}});
  } else if (in_.tier == RiskTier::kNotIndicated || in_.tier == RiskTier::kIndeterminate) {
    if (e.agent != Agent::kRaloxifene) d_.tier_floor_high = true;
  }
}

// COURSE-07: the agents an atypical femoral fracture rules out, with its warning. They hold
// whoever decides next: HardStops says them with the course decision, and Run says them alone
// under a specialist gate. An ongoing denosumab course is not simply stopped (§6.H.11).
void Decider::AffAvoids(bool dmab_on) {
  for (Agent a :
       {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate, Agent::kZoledronicAcid})
    Avoid(a, "atypical femoral fracture: no bisphosphonate (clinician override only)",
          {"COURSE-07"});
  Warn("atypical_femoral_fracture", kCrit,
       "Atypical femoral fracture on record: bisphosphonates stopped and not restarted; image "
       "the other femur.",
       {"COURSE-07"});
  if (dmab_on) {
    Warn("denosumab_discontinuation_rebound", kCrit,
         "Denosumab after an atypical femoral fracture: not simply stopped; the specialist plans "
         "supervised continuation or the exit.",
         {"COURSE-07"});
  } else {
    Avoid(Agent::kDenosumab, "atypical femoral fracture: recurrent AFFs reported on denosumab",
          {"COURSE-07"});
  }
  Avoid(Agent::kRomosozumab, "atypical femoral fracture: label warning", {"COURSE-07"});
}

// COURSE-08: the same for active osteonecrosis of the jaw.
void Decider::OnjAvoids(bool dmab_on) {
  for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate,
                  Agent::kZoledronicAcid, Agent::kRomosozumab})
    Avoid(a, "osteonecrosis of the jaw: specialist decision", {"COURSE-08"});
  if (!dmab_on)
    Avoid(Agent::kDenosumab, "osteonecrosis of the jaw: specialist decision", {"COURSE-08"});
  else
    Warn("denosumab_discontinuation_rebound", kCrit,
         "Denosumab with osteonecrosis of the jaw: not simply stopped; the specialist plans "
         "what follows.",
         {"COURSE-08"});
  Warn("osteonecrosis_of_jaw", kCrit, "Osteonecrosis of the jaw: oral surgeon and specialist.",
       {"COURSE-08"});
}

bool Decider::HardStops(int ci) {
  const Episode& e = m_.episodes[ci];
  bool stopped = false;
  // COURSE-06: MI or stroke on romosozumab.
  if (e.agent == Agent::kRomosozumab && MiStrokeOnRomo(e)) {
    Avoid(Agent::kRomosozumab, "myocardial infarction or stroke on romosozumab: stopped",
          {"COURSE-06", "CI-07"});
    Warn("romosozumab_cardiovascular_contraindication", kCrit,
         "Myocardial infarction or stroke during or within 12 months of romosozumab: stop it now.",
         {"COURSE-06"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent,
          "romosozumab stopped after a myocardial infarction or stroke", {"COURSE-06"});
    Seq("course_stop", "Stop romosozumab now (myocardial infarction or stroke).", {"COURSE-06"});
    Decide(ci, CourseAction::kStop, "antiresorptive",
           "stop romosozumab now: myocardial infarction or stroke", {"COURSE-06"});
    Fired("COURSE-06", "MI or stroke on romosozumab");
    Transition(Agent::kRomosozumab, {"COURSE-06"});
    stopped = true;
  }
  // COURSE-07: atypical femoral fracture.
  if (in_.aff) {
    const bool dmab_on = e.agent == Agent::kDenosumab && e.Ongoing();
    AffAvoids(dmab_on);
    Refer(Destination::kOsteoporosisSpecialist, kUrgent,
          "atypical femoral fracture: specialist and orthopaedic review of both femurs",
          {"COURSE-07", "REF-02"});
    Refer(Destination::kOrthopedics, kUrgent, "atypical femoral fracture: review of both femurs",
          {"COURSE-07"});
    d_.workup.push_back({"contralateral_femur_imaging",
                         0,
                         "Image the other femur (full-length femur radiograph or extended-femur "
                         "DXA image); calcium and 25-OH vitamin D.",
                         {"COURSE-07"}});
    Fired("COURSE-07", "atypical femoral fracture on record");
    if (IsCourseBisphosphonate(e.agent) && e.Ongoing()) {
      Seq("course_stop", "Stop " + Human(e.agent) + ": atypical femoral fracture.", {"COURSE-07"});
      const bool pth = HighTier();
      Decide(ci, CourseAction::kStop, pth ? "anabolic" : "specialist_decision",
             "stop: atypical femoral fracture", {"COURSE-07"});
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
    Refer(Destination::kDental, kUrgent, "osteonecrosis of the jaw", {"COURSE-08"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent, "osteonecrosis of the jaw", {"COURSE-08"});
    if (IsCourseBisphosphonate(e.agent) && e.Ongoing()) {
      Seq("course_stop", "Stop " + Human(e.agent) + ": osteonecrosis of the jaw.", {"COURSE-08"});
      Decide(ci, CourseAction::kStop, "specialist_decision", "stop: osteonecrosis of the jaw",
             {"COURSE-08"});
    }
    Fired("COURSE-08", "active osteonecrosis of the jaw");
    d_.target = CourseTarget::kSpecialist;
    SpecialistNeedsIndication(e);
    return true;
  }
  if (in_.onj_resolved) {
    Warn("osteonecrosis_of_jaw", kWarn,
         "Resolved osteonecrosis of the jaw: antiresorptive (re)start is a specialist decision.",
         {"COURSE-08"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine,
          "resolved osteonecrosis of the jaw: antiresorptive decision", {"COURSE-08"});
    Fired("COURSE-08", "resolved osteonecrosis of the jaw");
  }
  // COURSE-16: denosumab dose on hold.
  if (e.agent == Agent::kDenosumab && e.Ongoing() && e.last_dose &&
      in_.as_of >= DueAfter(e, *e.last_dose) &&
      (in_.hypocalcemia || (in_.advanced_ckd && in_.calcium_unknown_or_stale))) {
    const std::string due = DueAfter(e, *e.last_dose).ToString();
    Avoid(Agent::kDenosumab, "this dose on hold until calcium is corrected (hold, do not stop)",
          {"COURSE-16"});
    Seq("course_hold",
        "Hold the denosumab dose due " + due +
            ": correct calcium (calcium, vitamin D or active vitamin D as the CKD-MBD clinician "
            "directs), recheck, give it when corrected; plan for the 7-month window.",
        {"COURSE-16"});
    Decide(ci, CourseAction::kHold, "", "hold the dose due " + due + " until calcium is corrected",
           {"COURSE-16"});
    Warn("denosumab_dose_on_hold", kCrit,
         "The denosumab dose due " + due + " is on hold: correct calcium first; do not stop.",
         {"COURSE-16"});
    if (in_.hypocalcemia)
      Warn("hypocalcemia_correct_before_antiresorptive", kCrit,
           "Calcium below normal: correct it before the denosumab dose.", {"COURSE-16"});
    if (in_.advanced_ckd) {
      Warn("denosumab_severe_ckd_hypocalcemia", kCrit,
           "Denosumab with eGFR below 30 or dialysis: severe hypocalcemia risk (boxed warning).",
           {"COURSE-16"});
      Refer(Destination::kNephrology, kUrgent, "denosumab dose on hold: CKD-MBD management",
            {"COURSE-16"});
    }
    Refer(Destination::kOsteoporosisSpecialist, kUrgent, "denosumab dose on hold", {"COURSE-16"});
    d_.workup.push_back({"calcium_recheck",
                         0,
                         "Ionized calcium or albumin, phosphate, magnesium, intact PTH, 25-OH "
                         "vitamin D before the held dose; after it, calcium weekly for the first "
                         "month, then monthly.",
                         {"COURSE-16"}});
    Fired("COURSE-16", "denosumab dose due with low or unknown calcium");
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
          {"medications.doses_received",
           0,
           "romosozumab doses given, needed for the " +
               std::to_string(In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) + "-dose limit",
           {}});
      Warn("romosozumab_dose_limit_reached", kWarn,
           "Romosozumab dose count unknown: check before the next dose (at most " +
               std::to_string(In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) +
               " monthly doses).",
           {"COURSE-10"});
    } else if (*e.doses >= In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) {
      // The block in SEQ-02's words: one reason for the avoid entry, said once.
      Avoid(Agent::kRomosozumab,
            "BLOCK: " + std::to_string(*e.doses) + " doses received (maximum " +
                std::to_string(In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) + ")",
            {"COURSE-10"});
      Warn("romosozumab_dose_limit_reached", kWarn,
           "Romosozumab has reached " + std::to_string(*e.doses) + " of " +
               std::to_string(In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) +
               " monthly doses: no further dose, even if the order is still active.",
           {"COURSE-10"});
      Seq("course_stop",
          "Romosozumab course complete (" + std::to_string(*e.doses) + "/" +
              std::to_string(In<&CourseLimits::romo_max_doses, "COURSE-10">(lim_)) +
              "): stop it and cancel the order.",
          {"COURSE-10"});
      Decide(ci, CourseAction::kTransition, "antiresorptive",
             "course complete: an antiresorptive follows without a gap", {"COURSE-10"});
      Fired("COURSE-10", std::to_string(*e.doses) + " romosozumab doses");
      Transition(Agent::kRomosozumab, {"COURSE-10"});
      return true;
    }
  }
  if (IsPthAnalog(e.agent) && e.Ongoing() &&
      m_.pth_months >= In<&CourseLimits::pth_max_months, "COURSE-11", "D37">(lim_)) {
    const std::string months = std::to_string(static_cast<int>(m_.pth_months));
    const std::string limit = std::to_string(
        static_cast<int>(In<&CourseLimits::pth_max_months, "COURSE-11", "D37">(lim_)));
    if (e.agent == Agent::kAbaloparatide || !HighTier()) {
      if (e.agent == Agent::kAbaloparatide)
        Avoid(Agent::kAbaloparatide,
              "cumulative PTH-analog use " + months + " months (limit " + limit + ")",
              {"COURSE-11"});
      Exclude(e.agent);
      Warn("pth_analog_cumulative_limit", e.agent == Agent::kAbaloparatide ? kCrit : kWarn,
           "Teriparatide + abaloparatide for " + months +
               " months: stop; an antiresorptive follows without a gap.",
           {"COURSE-11"});
      Seq("course_stop",
          "Stop " + Human(e.agent) + ": " + months + " cumulative PTH-analog months.",
          {"COURSE-11"});
      Decide(ci, CourseAction::kTransition, "antiresorptive",
             months + " cumulative PTH-analog months: an antiresorptive follows", {"COURSE-11"});
      Fired("COURSE-11", months + " PTH-analog months");
      Transition(e.agent, {"COURSE-11"});
      return true;
    }
    Warn("pth_analog_cumulative_limit", kWarn,
         "Teriparatide beyond " + months +
             " cumulative months: continue only while the fracture risk stays high.",
         {"COURSE-11"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine,
          "teriparatide beyond " + limit + " months: confirm continued high risk",
          {"COURSE-11", "REF-02"});
    Fired("COURSE-11", "teriparatide beyond " + limit + " months, still high risk");
    Continue(ci, "still at high risk beyond " + limit + " months", {"COURSE-11"});
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
    const std::string amount = oral_max ? std::to_string(static_cast<int>(m_.oral_bp_years)) +
                                              " years of oral bisphosphonate"
                                        : std::to_string(m_.za_doses) + " zoledronic acid doses";
    if (oral_max) {
      for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
        Avoid(a, amount + ": course maximum reached (clinician override)", rules);
    } else {
      Avoid(Agent::kZoledronicAcid, amount + ": course maximum reached (clinician override)",
            rules);
      d_.za_course_limit = true;
    }
    Warn("bisphosphonate_max_duration_reached", kWarn,
         amount + ": the bisphosphonate course has reached its maximum.", rules);
    Warn("drug_holiday_reassessment_due", kInfo,
         amount + ": review reached; no further course of the same drug.", rules);
    if (in_.high_risk_at_review == true) {
      d_.target = CourseTarget::kNonBisphosphonate;
      Refer(Destination::kOsteoporosisSpecialist, kRoutine,
            amount + ": switch to a non-bisphosphonate", {rules[0], "REF-02"});
      Seq("course_switch",
          amount + ", still at high risk: switch to a non-bisphosphonate (" +
              (in_.tier == RiskTier::kVeryHigh ? "an anabolic agent" : "denosumab") + ").",
          rules);
      Decide(ci, CourseAction::kSwitch, in_.tier == RiskTier::kVeryHigh ? "anabolic" : "denosumab",
             amount + ", still at high risk", rules);
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
      Seq("course_holiday",
          amount + ", not at high risk: drug holiday; next review " + review.ToString() + ".",
          {rules[0], "COURSE-20"});
      Decide(ci, CourseAction::kHoliday, "", "drug holiday; next review " + review.ToString(),
             {rules[0], "COURSE-20"});
      Warn("drug_holiday_in_progress", kInfo,
           "Drug holiday; next review " + review.ToString() +
               " (DXA on the same machine, fracture review).",
           {"COURSE-20"});
    } else {
      d_.target = CourseTarget::kSpecialist;
      d_.workup.push_back(
          {"dxa_review", 0, "DXA (total hip, femoral neck, spine) for the review.", {rules[0]}});
      d_.missing.push_back({"bmd", 0, "a DXA within 24 months, needed for the course review", {}});
      Refer(Destination::kOsteoporosisSpecialist, kRoutine, amount + ": course review", {rules[0]});
      Seq("course_stop", amount + ": no further course; the specialist decides what follows.",
          rules);
      Decide(ci, CourseAction::kStop, "specialist_decision", amount + ": review data missing",
             rules);
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
    d_.sequence.push_back(
        {"course_reason",
         0,
         "Last denosumab dose " + e.last_dose->ToString() + " (" +
             std::to_string(static_cast<int>(CalendarMonths(*e.last_dose, in_.as_of))) +
             " months ago; the next dose or the follow-on is due at " +
             std::to_string(In<&CourseParams::dmab_due_months, "COURSE-15">(cp_)) +
             " months, overdue after " +
             std::to_string(In<&CourseParams::dmab_overdue_after_months, "COURSE-15">(cp_)) +
             "): treatment is needed now to prevent rebound vertebral fractures.",
         {"COURSE-15", active ? "DMAB-OVERDUE" : "SEQ-05"}});
    if (active) {
      const bool resume = In<&CourseLimits::lapse_resume, "COURSE-15", "D40">(lim_);
      d_.target = resume ? CourseTarget::kDenosumabNow : CourseTarget::kZoledronicNow;
      Seq("course_resume",
          std::string(resume ? "Denosumab" : "Zoledronic acid") + " overdue since " + since +
              ": give it now (due " + in_.as_of.ToString() + ").",
          {"COURSE-15", "COURSE-25"});
      Decide(ci, CourseAction::kResume, resume ? "denosumab" : "zoledronic_acid",
             "overdue since " + since + ": give now", {"COURSE-15"});
      Warn("denosumab_dose_overdue", kCrit,
           "Denosumab overdue since " + since + " (last dose " + e.last_dose->ToString() +
               "): give it now; rebound vertebral fractures risk.",
           {"COURSE-15", "DMAB-OVERDUE"});
    } else if (in_.specialist_gate) {
      // A specialist gate (advanced CKD, hypercalcemia, a suspected pathologic fracture...):
      // the follow-on is the specialist's choice, now.
      Seq("course_transition",
          "Denosumab stopped, transition overdue since " + since +
              ": the specialist chooses the follow-on now.",
          {"COURSE-15", "SEQ-05", "COURSE-25"});
      Decide(ci, CourseAction::kTransition, "specialist_decision",
             "transition overdue since " + since + ": the specialist chooses the follow-on now",
             {"COURSE-15"});
      Warn("denosumab_transition_overdue", kCrit,
           "Denosumab stopped (last dose " + e.last_dose->ToString() +
               ") with no follow-on antiresorptive: transition overdue since " + since + ".",
           {"COURSE-15"});
    } else {
      d_.target = CourseTarget::kZoledronicNow;
      Seq("course_transition",
          "Denosumab stopped, transition overdue since " + since +
              ": give zoledronic acid now (due " + in_.as_of.ToString() + ").",
          {"COURSE-15", "SEQ-05", "COURSE-25"});
      Decide(ci, CourseAction::kTransition, "zoledronic_acid",
             "transition overdue since " + since + ": give now", {"COURSE-15"});
      Warn("denosumab_transition_overdue", kCrit,
           "Denosumab stopped (last dose " + e.last_dose->ToString() +
               ") with no follow-on antiresorptive: transition overdue since " + since + ".",
           {"COURSE-15"});
      Refer(Destination::kInfusionCenter, kUrgent,
            "Zoledronic acid now: the denosumab transition is overdue since " + since + ".",
            {"COURSE-15", "SEQ-05"});
    }
    Warn("denosumab_discontinuation_rebound", kCrit,
         "Denosumab's effect has worn off with no follow-on: rebound bone loss and multiple "
         "vertebral fractures risk.",
         {"COURSE-15", "SEQ-05"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent,
          "Denosumab lapsed (last dose " + e.last_dose->ToString() +
              "): the rebound window is open; plan what follows.",
          {"COURSE-15", "SEQ-05", "REF-02"});
    d_.workup.push_back({"rebound_vertebral_fracture_imaging",
                         0,
                         "Lateral thoracic and lumbar spine radiographs or DXA vertebral fracture "
                         "assessment for rebound vertebral fractures; CTX before and 3 and 6 "
                         "months after zoledronic acid.",
                         {"COURSE-15"}});
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
    Fired("COURSE-15", "last denosumab dose " + e.last_dose->ToString());
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
