// The treatment-course model (catalogue §6, COURSE-01..03): the osteoporosis therapy episodes of
// a record, their doses, cumulative exposure, last dose and state at as_of, and the current
// course. Pure functions of the Patient, the assessment date and the profile's course
// parameters; the decision for the course (COURSE-04..26) is made by the engine's course step
// (rules/course_decide.h).
//
// No clinical number is written here: every window and limit is a CourseParams field, filled
// from knowledge/parameters.json through the profile (rules/params.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "domain/assessment.h"
#include "domain/enums.h"
#include "domain/patient.h"

namespace bp {

// The profile's course parameters (knowledge/parameters.json names in comments).
struct CourseParams {
  int oral_gap_months = 0;             // course_merge_gap_oral_months: records of one oral course
  int za_due_months = 0;               // za_interval_months
  int za_overdue_after_months = 0;     // za_overdue_after_months
  int dmab_due_months = 0;             // dmab_interval_months
  int dmab_overdue_after_months = 0;   // dmab_overdue_months
  int dmab_transition_months = 0;      // dmab_transition_za_months: the follow-on after denosumab
  int romo_due_months = 0;             // romo_interval_months
  int romo_overdue_after_weeks = 0;    // romo_overdue_after_weeks
  int ibn_iv_due_months = 0;           // ibn_iv_interval_months
  int ibn_iv_overdue_extra_weeks = 0;  // ibn_iv_overdue_extra_weeks
  int recent_course_months = 0;        // course_recent_months: an ended course is still current
  int dose_merge_days = 0;             // fracture_same_event_days: records +- this are one dose
  double za_osteoporosis_min_mg = 0;   // za_osteoporosis_dose_mg: below it, the oncology product
  double dmab_oncology_min_mg = 0;     // dmab_oncology_dose_mg: at or above, the oncology product
  int oral_review_years = 0;           // bp_oral_reassess_years
  int za_review_doses = 0;             // za_reassess_after_doses
  friend bool operator==(const CourseParams&, const CourseParams&) = default;
};

// One course of one agent: records of the same agent merged when they overlap or follow each
// other within the dosing interval plus its overdue margin (COURSE-01).
struct Episode {
  Agent agent = Agent::kAlendronate;
  std::optional<Route> route;
  MedStatus status = MedStatus::kActive;
  bool held = false;
  bool oncology = false;  // zoledronic acid < 5 mg, denosumab 120 mg: not an osteoporosis course
  std::optional<Date> start;
  std::optional<Date> end;
  std::optional<Date> last_dose;
  std::optional<Date> first_dose;
  std::optional<int> doses;
  std::optional<DosesSource> doses_source;
  std::optional<StopReason> stop_reason;
  CourseState state = CourseState::kActive;
  std::optional<double> months;  // calendar months of exposure to as_of (or the end)
  std::vector<int> records;      // indexes into Patient::medications
  bool Injected() const;         // zoledronic acid, IV ibandronate, denosumab, romosozumab
  bool Ongoing() const {
    return state == CourseState::kActive || state == CourseState::kOverdue ||
           state == CourseState::kHeld;
  }
};

struct CourseIssue {
  std::string path;     // the input field (medications[i].doses_received)
  std::string message;  // what is missing or estimated, and what it is needed for
};

struct CourseModel {
  Date as_of;
  std::vector<Episode> episodes;  // osteoporosis agents and oncology products, by start
  int current = -1;               // index of the current course (COURSE-03), -1: none
  std::vector<int> concurrent;    // other ongoing osteoporosis courses besides `current`

  // COURSE-02 counters at as_of (osteoporosis products only unless said).
  double oral_bp_years = 0;
  int za_doses = 0;           // 5 mg
  int za_oncology_doses = 0;  // counted toward bp_total_years and AFF/ONJ history only
  int iv_ibn_doses = 0;
  bool za_doses_known = true;  // false when a zoledronic acid course has no dose count
  double bp_total_years = 0;   // oral years + ZA doses (both products) + IV ibandronate / 4
  int dmab_doses = 0;
  std::optional<Date> dmab_first_dose;
  std::optional<Date> dmab_last_dose;
  std::optional<int> dmab_months_since_last;  // whole months
  double dmab_years = 0;                      // first dose to last dose + one interval
  std::optional<int> romo_doses;              // nullopt: a romosozumab course without a count
  double pth_months = 0;                      // teriparatide + abaloparatide, overlaps once
  std::vector<CourseIssue> issues;            // estimates and missing counts

  const Episode* Current() const { return current < 0 ? nullptr : &episodes[current]; }
  // An osteoporosis course covered `when` (COURSE-02 on_course_at); a holiday does not count.
  bool OnCourseAt(Date when, const CourseParams& cp) const;
  // Months from the start of the course covering `when` to `when` (0 when none).
  double MonthsOnCourseAt(Date when, const CourseParams& cp) const;
  // An antiresorptive (bisphosphonate or denosumab) dose or course started after `when`.
  bool AntiresorptiveAfter(Date when) const;
};

// Whole calendar months from a to b with the day clamped (catalogue §6.H.17), plus the fraction
// of the last month; 0 when b <= a.
double CalendarMonths(Date a, Date b);

bool IsCourseBisphosphonate(Agent a);
bool IsCourseAnabolic(Agent a);
bool IsPthAnalog(Agent a);
// The agents that make an osteoporosis course (catalogue §6.H.12): not estrogen or calcitonin.
bool IsCourseAgent(Agent a);

CourseModel DeriveCourses(const Patient& p, Date as_of, const CourseParams& cp);

// COURSE-20: the start of a drug holiday (oral: the end date; zoledronic acid: the last dose plus
// one dosing interval).
Date HolidayStart(const Episode& e, Date as_of, const CourseParams& cp);

}  // namespace bp

namespace bp::rules {
class Ctx;
}  // namespace bp::rules

namespace bp {

// What the engine knows when it decides the course (catalogue §6.B, steps 1-8).
struct CourseInputs {
  Date as_of;
  bool pregnant = false;
  bool breastfeeding = false;
  bool specialist_gate = false;  // VCF-03R, VCF-03b, SEL-09 or CI-08R made it a specialist's
  bool advanced_ckd = false;     // eGFR < 30 or dialysis
  bool hypocalcemia = false;
  bool calcium_unknown_or_stale = false;
  std::vector<Date> mi_stroke_dates;
  bool mi_stroke_undated = false;
  int romo_cv_months = 0;
  bool aff = false;
  bool onj_active = false;
  bool onj_resolved = false;
  std::optional<bool> indicated;  // from TX/RISK (before the course)
  RiskTier tier = RiskTier::kIndeterminate;
  std::optional<bool> high_risk_at_review;  // nullopt: review data missing
  std::vector<Date> fragility_fractures;    // dated fragility fractures (incl. presumed)
  bool romo_eligible = false;       // postmenopausal woman, no recent MI/stroke, no hypocalcemia...
  bool raloxifene_allowed = false;  // the profile accepts raloxifene (endocrine-society)
  std::vector<Agent> intolerant;    // intolerances[] mapped to agents
  // COURSE-18 F2, computed by the engine from the record for the current course (course_gates.cc):
  // the bone turnover markers on an antiresorptive not suppressed (P1NP or CTX fell less than
  // btm_lsc_pct from the pre-treatment baseline; nullopt: no baseline and on-course pair, or not
  // an antiresorptive), and BMD loss at the spine or total hip of at least the least significant
  // change since the course started (nullopt: no pair of DXAs to compare).
  std::optional<bool> btm_not_suppressed;
  std::optional<bool> bmd_loss_on_course;
  std::string btm_finding, bmd_finding;  // what was measured, for the texts
  // COURSE-21 (b)-(f) during a drug holiday, each with what was found (empty: not met).
  std::vector<std::string> holiday_restart_triggers;
  // COURSE-18 prerequisite "oral adherence not flagged": the record flags an adherence concern
  // (oral_bisphosphonate_barriers.adherence_concern) or malabsorption (malabsorption, celiac
  // disease, bariatric surgery), so a fracture or marker finding on an oral bisphosphonate is not
  // a true treatment failure and COURSE-19 gives zoledronic acid first (SEL-03).
  bool oral_adherence_concern = false;
  bool oral_malabsorption = false;
  // RISK-01(b): a fracture on therapy (COURSE-18 F1) or a possible failure (F2) makes the tier
  // very high (the profile's risk model is AACE 2020).
  bool failure_sets_very_high = false;
  // The sentences of the run (x.Say); null: none said (the unit tests of the decision).
  const rules::Ctx* x = nullptr;
};

// The course limits and review points of the profile.
struct CourseLimits {
  int romo_max_doses = 0;
  double pth_max_months = 0;
  double oral_review_years = 0, oral_max_years = 0;
  int za_review_doses = 0, za_max_doses = 0;
  double dmab_review_years = 0, dmab_second_review_years = 0;
  int dmab_review_doses_unknown_start = 0;
  int holiday_review_years = 0;
  int failure_min_months = 0;
  int failure_urgent_months = 0;       // a failure's fracture this recent makes the referral urgent
  int failure_incident_fractures = 0;  // F2 (a): this many incident fractures on the course
  int anabolic_followup_critical_months = 0;
  bool lapse_resume = true;  // dmab_lapse_action
  friend bool operator==(const CourseLimits&, const CourseLimits&) = default;
};

// What the course asks of the therapy (the engine maps it to classes and agents).
enum class CourseTarget {
  kNewStart,           // no course decision: the selection decides as for a new start
  kContinueCurrent,    // the current agent's class
  kAntiresorptive,     // first unblocked antiresorptive (oral BP, ZA, denosumab)
  kNonBisphosphonate,  // denosumab, or an anabolic at very high tier
  kAnabolic,           // an anabolic (romosozumab if eligible, else PTH analogs)
  kPthAnalog,          // teriparatide / abaloparatide (after an AFF)
  kZoledronicNow,      // transition after denosumab
  kDenosumabNow,       // resume denosumab
  kSpecialist,
  kNothing  // holiday: treatment not indicated, therapy none
};

struct CourseEffect {
  std::string code;  // warning code, agent name or statement code
  int level = 0;     // severity / urgency (as the enums)
  std::string text;
  std::vector<std::string_view> rules;
  // A sequence statement that plans a zoledronic acid infusion now: its first part, kept when
  // the pre-infusion checks say otherwise (COURSE-15, course_finish.cc); empty: no such plan.
  std::string za_now_head = {};
};

struct CourseDecision {
  CourseTarget target = CourseTarget::kNewStart;
  std::optional<std::optional<bool>> indicated;  // set: override treatment.indicated
  bool tier_floor_high = false;
  bool holiday = false;
  std::vector<Agent> excluded;          // never a target (failed, intolerant, stopped now)
  std::vector<CourseEffect> avoid;      // code = agent wire name
  std::vector<CourseEffect> warnings;   // code = warning code, level = Severity
  std::vector<CourseEffect> referrals;  // code = destination, level = Urgency
  std::vector<CourseEffect> sequence;   // code = statement code
  std::vector<CourseEffect> workup;
  std::vector<CourseEffect> missing;   // code = field, text = needed for
  std::vector<CourseEffect> trace;     // rules[0] = the rule id (static), level 1 = fired
  std::vector<CurrentCourse> current;  // therapy.current
  bool za_course_limit = false;        // zoledronic acid status deferred (>= max doses)
  std::optional<Date> za_next_due;     // continuing zoledronic acid: the next dose (>= as_of)
  bool treatment_failure = false;
  bool treatment_failure_possible = false;  // COURSE-18 F2 without F1
  // COURSE-18 F1 or F2 makes the tier very high (RISK-01(b), failure_sets_very_high) where the
  // tier step could not (F2 without a fracture; treatment indicated only by the course): what,
  // for the trace (F1: the fracture's date; F2: the finding).
  bool tier_very_high = false;
  bool tier_very_high_fracture = false;
  std::string tier_very_high_agent, tier_very_high_finding;
  // COURSE-18: the fracture or finding on an oral bisphosphonate is not a true failure (adherence
  // or malabsorption flagged); COURSE-19 gives zoledronic acid first.
  bool not_true_failure = false;
};

CourseDecision DecideCourse(const CourseModel& m, const CourseParams& cp, const CourseLimits& lim,
                            const CourseInputs& in);

}  // namespace bp
