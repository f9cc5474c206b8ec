#include "rules/course.h"

#include <algorithm>
#include <cstdlib>
#include <map>

namespace bp {

bool IsCourseBisphosphonate(Agent a) {
  return a == Agent::kAlendronate || a == Agent::kRisedronate || a == Agent::kIbandronate ||
         a == Agent::kZoledronicAcid;
}
bool IsCourseAnabolic(Agent a) {
  return a == Agent::kTeriparatide || a == Agent::kAbaloparatide || a == Agent::kRomosozumab;
}
bool IsPthAnalog(Agent a) { return a == Agent::kTeriparatide || a == Agent::kAbaloparatide; }
bool IsCourseAgent(Agent a) {
  return IsCourseBisphosphonate(a) || IsCourseAnabolic(a) || a == Agent::kDenosumab ||
         a == Agent::kRaloxifene;
}

bool Episode::Injected() const {
  return agent == Agent::kZoledronicAcid || agent == Agent::kDenosumab ||
         agent == Agent::kRomosozumab ||
         (agent == Agent::kIbandronate && route == Route::kIntravenous);
}

double CalendarMonths(Date a, Date b) {
  if (b <= a) return 0;
  int months = (b.year() - a.year()) * 12 + (b.month() - a.month());
  if (a.AddMonths(months) > b) --months;
  const Date base = a.AddMonths(months);
  const Date next = a.AddMonths(months + 1);
  const int span = DaysBetween(base, next);
  return months + (span > 0 ? static_cast<double>(DaysBetween(base, b)) / span : 0.0);
}

namespace {

bool IsOral(Agent a, const std::optional<Route>& r) {
  if (a == Agent::kIbandronate) return r != Route::kIntravenous;
  return a == Agent::kAlendronate || a == Agent::kRisedronate || a == Agent::kRaloxifene;
}

// Dosing interval of an injected agent, in months (romosozumab: monthly).
int DueMonths(const Episode& e, const CourseParams& cp) {
  switch (e.agent) {
    case Agent::kZoledronicAcid:
      return cp.za_due_months;
    case Agent::kDenosumab:
      return cp.dmab_due_months;
    case Agent::kRomosozumab:
      return cp.romo_due_months;
    case Agent::kIbandronate:
      return cp.ibn_iv_due_months;
    default:
      return 0;
  }
}

// The date after which the next dose is overdue (COURSE-03).
Date OverdueAfter(const Episode& e, Date last, const CourseParams& cp) {
  switch (e.agent) {
    case Agent::kZoledronicAcid:
      return last.AddMonths(cp.za_overdue_after_months);
    case Agent::kDenosumab:
      return last.AddMonths(cp.dmab_overdue_after_months);
    case Agent::kRomosozumab:
      return last.AddDays(7 * cp.romo_overdue_after_weeks);
    default:
      return last.AddMonths(DueMonths(e, cp)).AddDays(7 * cp.ibn_iv_overdue_extra_weeks);
  }
}

struct Interval {
  Date from, to;
};

// Union length of intervals in calendar months (overlaps counted once).
double UnionMonths(std::vector<Interval> v) {
  std::sort(v.begin(), v.end(),
            [](const Interval& a, const Interval& b) { return a.from < b.from; });
  double total = 0;
  std::optional<Interval> cur;
  for (const auto& i : v) {
    if (i.to <= i.from) continue;
    if (cur && i.from <= cur->to) {
      cur->to = std::max(cur->to, i.to);
      continue;
    }
    if (cur) total += CalendarMonths(cur->from, cur->to);
    cur = i;
  }
  if (cur) total += CalendarMonths(cur->from, cur->to);
  return total;
}

// Distinct dose dates: records within `days` of the previous dose are the same dose.
std::vector<Date> DistinctDoses(std::vector<Date> d, int days) {
  std::sort(d.begin(), d.end());
  std::vector<Date> out;
  for (const Date& x : d)
    if (out.empty() || DaysBetween(out.back(), x) > days) out.push_back(x);
  return out;
}

}  // namespace

bool CourseModel::OnCourseAt(Date when, const CourseParams& cp) const {
  for (const auto& e : episodes) {
    if (e.oncology || !IsCourseAgent(e.agent) || e.agent == Agent::kRaloxifene) continue;
    if (e.state == CourseState::kHoliday && e.end && when > *e.end) continue;
    const std::optional<Date> from = e.first_dose ? e.first_dose : e.start;
    if (!from || *from > when) continue;
    if (e.Injected()) {
      // Covered from a dose until the next one is overdue; the doses between are not all known,
      // so the course covers from its first dose to the last dose's window.
      const Date last = e.last_dose.value_or(*from);
      if (when <= OverdueAfter(e, last, cp) && when >= *from) {
        if (e.agent == Agent::kZoledronicAcid && when > last.AddMonths(cp.za_due_months)) continue;
        return true;
      }
      continue;
    }
    const Date to = e.end ? *e.end : (e.status == MedStatus::kActive ? as_of : *from);
    if (when <= to) return true;
  }
  return false;
}

double CourseModel::MonthsOnCourseAt(Date when, const CourseParams& cp) const {
  double best = 0;
  for (const auto& e : episodes) {
    if (e.oncology || !IsCourseAgent(e.agent)) continue;
    const std::optional<Date> from = e.first_dose ? e.first_dose : e.start;
    if (!from || *from > when) continue;
    CourseModel one;
    one.as_of = as_of;
    one.episodes.push_back(e);
    if (!one.OnCourseAt(when, cp)) continue;
    best = std::max(best, CalendarMonths(*from, when));
  }
  return best;
}

bool CourseModel::AntiresorptiveAfter(Date when) const {
  for (const auto& e : episodes) {
    if (e.oncology) continue;
    if (!IsCourseBisphosphonate(e.agent) && e.agent != Agent::kDenosumab) continue;
    if (e.status == MedStatus::kPlanned) continue;
    const std::optional<Date> d = e.last_dose ? e.last_dose : e.start;
    if (d && *d > when) return true;
  }
  return false;
}

CourseModel DeriveCourses(const Patient& p, Date as_of, const CourseParams& cp) {
  CourseModel m;
  m.as_of = as_of;
  // 1. One provisional episode per record.
  std::vector<Episode> recs;
  for (int i = 0; i < static_cast<int>(p.medications.size()); ++i) {
    const Medication& med = p.medications[i];
    if (!IsCourseAgent(med.agent) || med.status == MedStatus::kPlanned) continue;
    Episode e;
    e.agent = med.agent;
    e.route = med.route;
    if (!e.route)
      e.route = IsOral(med.agent, med.route)          ? Route::kOral
                : med.agent == Agent::kZoledronicAcid ? Route::kIntravenous
                                                      : Route::kSubcutaneous;
    e.status = med.status;
    e.held = med.held && med.status == MedStatus::kActive;
    // A missing dose_mg means the osteoporosis product (catalogue §6.H.12).
    if (med.dose_mg) {
      if (med.agent == Agent::kZoledronicAcid && *med.dose_mg < cp.za_osteoporosis_min_mg)
        e.oncology = true;
      if (med.agent == Agent::kDenosumab && *med.dose_mg >= cp.dmab_oncology_min_mg)
        e.oncology = true;
    }
    e.start = med.start;
    e.end = med.end;
    e.stop_reason = med.stop_reason;
    e.records.push_back(i);
    const std::vector<Date> dd = DistinctDoses(med.dose_dates, cp.dose_merge_days);
    if (!dd.empty()) {
      e.doses = static_cast<int>(dd.size());
      e.doses_source = DosesSource::kCounted;
      e.first_dose = dd.front();
      e.last_dose = dd.back();
      if (med.last_dose && *med.last_dose > *e.last_dose) e.last_dose = med.last_dose;
    } else {
      e.last_dose = med.last_dose;
      if (med.doses_received) {
        e.doses = med.doses_received;
        e.doses_source = DosesSource::kRecorded;
      }
    }
    if (!e.start) e.start = e.first_dose ? e.first_dose : e.last_dose;
    recs.push_back(std::move(e));
  }
  std::stable_sort(recs.begin(), recs.end(), [](const Episode& a, const Episode& b) {
    if (a.agent != b.agent) return a.agent < b.agent;
    if (a.oncology != b.oncology) return a.oncology < b.oncology;
    if (a.start != b.start) return !a.start || (b.start && *a.start < *b.start);
    return false;
  });
  // 2. Merge records of one agent and product that overlap or follow within the gap.
  auto last_covered = [&](const Episode& e) -> std::optional<Date> {
    std::optional<Date> d = e.end;
    if (e.last_dose && (!d || *e.last_dose > *d)) d = e.last_dose;
    if (e.status == MedStatus::kActive) d = as_of;
    if (!d) d = e.start;
    return d;
  };
  for (auto& r : recs) {
    Episode* prev = m.episodes.empty() ? nullptr : &m.episodes.back();
    bool merge = prev && prev->agent == r.agent && prev->oncology == r.oncology;
    if (merge) {
      const std::optional<Date> prev_to = last_covered(*prev);
      // Within the dosing interval plus its overdue margin (oral: the oral gap).
      const Date limit = !prev_to           ? as_of
                         : prev->Injected() ? OverdueAfter(*prev, *prev_to, cp)
                                            : prev_to->AddMonths(cp.oral_gap_months);
      merge = !r.start || !prev_to || *r.start <= limit;
    }
    if (!merge) {
      m.episodes.push_back(std::move(r));
      continue;
    }
    // The later record says where the course stands.
    prev->status = r.status;
    prev->held = r.held;
    prev->end = r.end ? r.end : (r.status == MedStatus::kActive ? std::nullopt : prev->end);
    if (r.stop_reason) prev->stop_reason = r.stop_reason;
    if (r.route) prev->route = r.route;
    if (r.last_dose && (!prev->last_dose || *r.last_dose > *prev->last_dose))
      prev->last_dose = r.last_dose;
    if (r.first_dose && (!prev->first_dose || *r.first_dose < *prev->first_dose))
      prev->first_dose = r.first_dose;
    if (r.doses) {
      prev->doses = prev->doses.value_or(0) + *r.doses;
      if (prev->doses_source != DosesSource::kEstimated)
        prev->doses_source =
            r.doses_source == DosesSource::kCounted && prev->doses_source == DosesSource::kCounted
                ? DosesSource::kCounted
                : DosesSource::kRecorded;
    }
    prev->records.insert(prev->records.end(), r.records.begin(), r.records.end());
  }
  // 3. Doses, state and exposure of each episode.
  for (auto& e : m.episodes) {
    const std::string path =
        "medications[" + std::to_string(e.records.empty() ? 0 : e.records.front()) + "]";
    if (e.Injected()) {
      if (!e.first_dose && e.doses && e.doses >= 1 && e.start) e.first_dose = e.start;
      if (!e.doses && e.start && e.last_dose && *e.last_dose >= *e.start) {
        const int step = std::max(1, DueMonths(e, cp));
        e.doses = static_cast<int>(CalendarMonths(*e.start, *e.last_dose)) / step + 1;
        e.doses_source = DosesSource::kEstimated;
        m.issues.push_back(
            {path + ".doses_received", "dose count estimated from the start and last dose dates (" +
                                           std::to_string(*e.doses) + "); record the doses given"});
      }
      if (!e.doses) m.issues.push_back({path + ".doses_received", "needed for the course limit"});
    }
    // State (COURSE-03).
    switch (e.status) {
      case MedStatus::kActive:
        e.state = CourseState::kActive;
        if (e.held) {
          e.state = CourseState::kHeld;
        } else if (e.Injected() && e.last_dose && as_of > OverdueAfter(e, *e.last_dose, cp)) {
          e.state = CourseState::kOverdue;
        }
        break;
      case MedStatus::kCompleted:
        e.state = CourseState::kCompleted;
        break;
      case MedStatus::kStopped:
        e.state = CourseState::kStopped;
        break;
      case MedStatus::kPlanned:
        break;
    }
    if (IsCourseBisphosphonate(e.agent) && !e.oncology && e.status != MedStatus::kActive) {
      const bool intolerant =
          e.stop_reason == StopReason::kIntolerance || e.stop_reason == StopReason::kAdverseEvent;
      if (e.stop_reason == StopReason::kDrugHoliday) e.state = CourseState::kHoliday;
      // Completed after its review point: a holiday (decided after the other courses are known).
      if (e.status == MedStatus::kCompleted && !intolerant &&
          (e.stop_reason == StopReason::kCourseComplete || !e.stop_reason)) {
        const bool reviewed =
            e.agent == Agent::kZoledronicAcid
                ? e.doses.value_or(0) >= cp.za_review_doses
                : (e.start && e.end &&
                   CalendarMonths(*e.start, *e.end) >= 12.0 * cp.oral_review_years);
        if (reviewed) e.state = CourseState::kHoliday;
      }
    }
    // Exposure in months.
    const std::optional<Date> from = e.first_dose ? e.first_dose : e.start;
    if (from) {
      Date to = as_of;
      if (e.status != MedStatus::kActive) {
        if (e.end)
          to = *e.end;
        else if (e.last_dose)
          to = *e.last_dose;
      }
      if (to > as_of) to = as_of;
      e.months = CalendarMonths(*from, to);
    }
  }
  // A holiday ends when another osteoporosis course started after it.
  for (auto& e : m.episodes) {
    if (e.state != CourseState::kHoliday) continue;
    const std::optional<Date> end = e.end ? e.end : e.last_dose;
    for (const auto& o : m.episodes)
      if (&o != &e && !o.oncology && IsCourseAgent(o.agent) && o.start && end && *o.start > *end &&
          e.stop_reason != StopReason::kDrugHoliday)
        e.state = CourseState::kCompleted;
  }
  // 4. Counters (COURSE-02).
  std::vector<Interval> oral, pth;
  int za = 0;
  for (const auto& e : m.episodes) {
    const std::optional<Date> from = e.first_dose ? e.first_dose : e.start;
    Date to = as_of;
    if (e.status != MedStatus::kActive) to = e.end ? *e.end : e.last_dose.value_or(as_of);
    if (to > as_of) to = as_of;
    if (IsCourseBisphosphonate(e.agent) && !e.Injected() && from) oral.push_back({*from, to});
    if (IsPthAnalog(e.agent) && from) pth.push_back({*from, to});
    if (e.agent == Agent::kZoledronicAcid) {
      if (e.oncology)
        m.za_oncology_doses += e.doses.value_or(0);
      else {
        za += e.doses.value_or(0);
        if (!e.doses) m.za_doses_known = false;
      }
    }
    if (e.agent == Agent::kIbandronate && e.Injected()) m.iv_ibn_doses += e.doses.value_or(0);
    if (e.agent == Agent::kDenosumab && !e.oncology) {
      m.dmab_doses += e.doses.value_or(0);
      if (from && (!m.dmab_first_dose || *from < *m.dmab_first_dose)) m.dmab_first_dose = from;
      if (e.last_dose && (!m.dmab_last_dose || *e.last_dose > *m.dmab_last_dose))
        m.dmab_last_dose = e.last_dose;
    }
    if (e.agent == Agent::kRomosozumab) {
      if (!e.doses)
        m.romo_doses.reset();
      else if (!m.romo_doses || m.romo_doses)
        m.romo_doses = m.romo_doses.value_or(0) + *e.doses;
    }
  }
  // A romosozumab course without a count leaves the total unknown.
  for (const auto& e : m.episodes)
    if (e.agent == Agent::kRomosozumab && !e.doses) m.romo_doses.reset();
  m.za_doses = za;
  m.oral_bp_years = UnionMonths(oral) / 12.0;
  m.pth_months = UnionMonths(pth);
  m.bp_total_years = m.oral_bp_years + m.za_doses + m.za_oncology_doses + m.iv_ibn_doses / 4.0;
  if (m.dmab_last_dose) {
    m.dmab_months_since_last = static_cast<int>(CalendarMonths(*m.dmab_last_dose, as_of));
    if (m.dmab_first_dose)
      m.dmab_years =
          CalendarMonths(*m.dmab_first_dose, m.dmab_last_dose->AddMonths(cp.dmab_due_months)) /
          12.0;
  }
  // 5. The current course: the most recent ongoing one; else the most recently ended within the
  // recent window; denosumab stopped with no antiresorptive since stays current.
  auto recency = [&](const Episode& e) {
    std::optional<Date> d = e.last_dose;
    if (e.end && (!d || *e.end > *d)) d = e.end;
    if (e.start && (!d || *e.start > *d)) d = e.start;
    return d.value_or(Date());
  };
  int best = -1;
  std::vector<int> ongoing;
  for (int i = 0; i < static_cast<int>(m.episodes.size()); ++i)
    if (!m.episodes[i].oncology && m.episodes[i].Ongoing()) ongoing.push_back(i);
  // Raloxifene next to another course is not the current one (nor a concurrent course).
  for (int i : ongoing) {
    const bool ral = m.episodes[i].agent == Agent::kRaloxifene;
    if (best < 0) {
      best = i;
      continue;
    }
    const bool best_ral = m.episodes[best].agent == Agent::kRaloxifene;
    if ((best_ral && !ral) ||
        (best_ral == ral && recency(m.episodes[i]) >= recency(m.episodes[best])))
      best = i;
  }
  if (best >= 0) {
    for (int i : ongoing)
      if (i != best && m.episodes[i].agent != Agent::kRaloxifene) m.concurrent.push_back(i);
  } else {
    for (int i = 0; i < static_cast<int>(m.episodes.size()); ++i) {
      const Episode& e = m.episodes[i];
      if (e.oncology) continue;
      const Date r = recency(e);
      bool current = r >= as_of.AddMonths(-cp.recent_course_months);
      if (e.agent == Agent::kDenosumab && e.last_dose && !m.AntiresorptiveAfter(*e.last_dose))
        current = true;
      if (e.state == CourseState::kHoliday) current = true;
      if (!current) continue;
      if (best < 0 || r >= recency(m.episodes[best])) best = i;
    }
  }
  m.current = best;
  return m;
}

}  // namespace bp

namespace bp {
namespace {

constexpr int kWarn = static_cast<int>(Severity::kWarning);
constexpr int kCrit = static_cast<int>(Severity::kCritical);
constexpr int kInfo = static_cast<int>(Severity::kInfo);
constexpr int kRoutine = static_cast<int>(Urgency::kRoutine);
constexpr int kUrgent = static_cast<int>(Urgency::kUrgent);

std::string Name(Agent a) { return std::string(ToString(a)); }
std::string Human(Agent a) {
  std::string s = Name(a);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

bool IsOralBp(const Episode& e) { return IsCourseBisphosphonate(e.agent) && !e.Injected(); }

class Decider {
 public:
  Decider(const CourseModel& m, const CourseParams& cp, const CourseLimits& lim,
          const CourseInputs& in)
      : m_(m), cp_(cp), lim_(lim), in_(in) {}

  CourseDecision Run();

 private:
  void Warn(std::string code, int sev, std::string text, std::vector<std::string_view> rules) {
    d_.warnings.push_back({std::move(code), sev, std::move(text), std::move(rules)});
  }
  void Avoid(Agent a, std::string text, std::vector<std::string_view> rules) {
    d_.avoid.push_back({Name(a), 0, std::move(text), std::move(rules)});
    Exclude(a);
  }
  void Exclude(Agent a) {
    if (std::find(d_.excluded.begin(), d_.excluded.end(), a) == d_.excluded.end())
      d_.excluded.push_back(a);
  }
  void Refer(Destination to, int urgency, std::string text, std::vector<std::string_view> rules) {
    d_.referrals.push_back({Name2(to), urgency, std::move(text), std::move(rules)});
  }
  static std::string Name2(Destination d) { return std::string(ToString(d)); }
  void Seq(std::string code, std::string text, std::vector<std::string_view> rules) {
    d_.sequence.push_back({std::move(code), 0, std::move(text), std::move(rules)});
  }
  void Fired(std::string_view rule, std::string because) {
    d_.trace.push_back({std::string(rule), 1, std::move(because), {rule}});
  }
  void Decide(int episode, CourseAction a, std::string switch_to, std::string text,
              std::vector<std::string_view> rules) {
    decisions_[episode] = {a, std::move(switch_to), std::move(text), std::move(rules)};
  }
  Date DueAfter(const Episode& e, Date last) const {
    switch (e.agent) {
      case Agent::kZoledronicAcid:
        return last.AddMonths(cp_.za_due_months);
      case Agent::kDenosumab:
        return last.AddMonths(cp_.dmab_due_months);
      case Agent::kRomosozumab:
        return last.AddMonths(cp_.romo_due_months);
      case Agent::kIbandronate:
        return last.AddMonths(cp_.ibn_iv_due_months);
      default:
        return last;
    }
  }
  std::optional<Date> NextDue(const Episode& e) const {
    if (!e.Injected() || !e.last_dose) return std::nullopt;
    return std::max(DueAfter(e, *e.last_dose), in_.as_of);
  }
  bool HighTier() const { return in_.tier == RiskTier::kHigh || in_.tier == RiskTier::kVeryHigh; }
  bool MiStrokeOnRomo(const Episode& e) const {
    if (in_.mi_stroke_undated) return true;
    for (const Date& d : in_.mi_stroke_dates)
      if ((e.start && d >= *e.start) || d >= in_.as_of.AddMonths(-in_.romo_cv_months)) return true;
    return false;
  }
  // A specialist decision (COURSE-04) goes with an indication: a course under way is its
  // evidence (COURSE-05); without a course and without an indication nothing is recommended
  // (the rule's specialist referral stands).
  void SpecialistNeedsIndication(const Episode& e) {
    if (d_.target != CourseTarget::kSpecialist || in_.indicated == true) return;
    if (e.Ongoing()) {
      d_.indicated = std::optional<bool>(true);
      d_.tier_floor_high = true;
    } else {
      d_.target = CourseTarget::kNewStart;
    }
  }
  bool HardStops(int ci);
  bool Limits(int ci);
  bool Failure(int ci);
  bool Reviews(int ci);
  void Continue(int ci, std::string why, std::vector<std::string_view> rules);
  void AfterCourse();
  void Transition(Agent from, std::vector<std::string_view> rules);
  void Fill();

  struct Choice {
    CourseAction action = CourseAction::kNone;
    std::string switch_to;
    std::string text;
    std::vector<std::string_view> rules;
  };
  const CourseModel& m_;
  const CourseParams& cp_;
  const CourseLimits& lim_;
  const CourseInputs& in_;
  CourseDecision d_;
  std::map<int, Choice> decisions_;
};

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
      "After " + Human(from) +
          ": start an antiresorptive without a gap (within a month of the last romosozumab dose, "
          "right after the last PTH-analog dose).",
      rules);
  Warn("anabolic_requires_antiresorptive_followup", kWarn,
       "The " + Human(from) + " course ends: an antiresorptive must follow without a gap.",
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
            std::to_string(lim_.za_max_doses);
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
    for (Agent a :
         {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate, Agent::kZoledronicAcid})
      Avoid(a, "atypical femoral fracture: no bisphosphonate (clinician override only)",
            {"COURSE-07"});
    Warn("atypical_femoral_fracture", kCrit,
         "Atypical femoral fracture on record: bisphosphonates stopped and not restarted; image "
         "the other femur.",
         {"COURSE-07"});
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
    if (e.agent == Agent::kDenosumab && e.Ongoing()) {
      Warn("denosumab_discontinuation_rebound", kCrit,
           "Denosumab after an atypical femoral fracture: not simply stopped; the specialist plans "
           "supervised continuation or the exit.",
           {"COURSE-07"});
    } else {
      Avoid(Agent::kDenosumab, "atypical femoral fracture: recurrent AFFs reported on denosumab",
            {"COURSE-07"});
    }
    Avoid(Agent::kRomosozumab, "atypical femoral fracture: label warning", {"COURSE-07"});
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
    const bool dmab_on = e.agent == Agent::kDenosumab && e.Ongoing();
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
      d_.missing.push_back({"medications.doses_received",
                            0,
                            "romosozumab doses given, needed for the 12-dose limit",
                            {}});
      Warn("romosozumab_dose_limit_reached", kWarn,
           "Romosozumab dose count unknown: check before the next dose (at most " +
               std::to_string(lim_.romo_max_doses) + " monthly doses).",
           {"COURSE-10"});
    } else if (*e.doses >= lim_.romo_max_doses) {
      Avoid(Agent::kRomosozumab,
            "course complete (" + std::to_string(*e.doses) + "/" +
                std::to_string(lim_.romo_max_doses) + " doses)",
            {"COURSE-10"});
      Warn("romosozumab_dose_limit_reached", kWarn,
           "Romosozumab has reached " + std::to_string(*e.doses) + " of " +
               std::to_string(lim_.romo_max_doses) +
               " monthly doses: no further dose, even if the order is still active.",
           {"COURSE-10"});
      Seq("course_stop",
          "Romosozumab course complete (" + std::to_string(*e.doses) + "/" +
              std::to_string(lim_.romo_max_doses) + "): stop it and cancel the order.",
          {"COURSE-10"});
      Decide(ci, CourseAction::kTransition, "antiresorptive",
             "course complete: an antiresorptive follows without a gap", {"COURSE-10"});
      Fired("COURSE-10", std::to_string(*e.doses) + " romosozumab doses");
      Transition(Agent::kRomosozumab, {"COURSE-10"});
      return true;
    }
  }
  if (IsPthAnalog(e.agent) && e.Ongoing() && m_.pth_months >= lim_.pth_max_months) {
    const std::string months = std::to_string(static_cast<int>(m_.pth_months));
    if (e.agent == Agent::kAbaloparatide || !HighTier()) {
      if (e.agent == Agent::kAbaloparatide)
        Avoid(Agent::kAbaloparatide, "cumulative PTH-analog use " + months + " months (limit 24)",
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
          "teriparatide beyond 24 months: confirm continued high risk", {"COURSE-11", "REF-02"});
    Fired("COURSE-11", "teriparatide beyond 24 months, still high risk");
    Continue(ci, "still at high risk beyond 24 months", {"COURSE-11"});
    return true;
  }
  // Bisphosphonate maximum (COURSE-12 >= 10 years; COURSE-13 >= 6 doses).
  const bool oral_max =
      IsOralBp(e) && m_.oral_bp_years >= lim_.oral_max_years &&
      (e.Ongoing() || e.state == CourseState::kCompleted || e.state == CourseState::kStopped);
  const bool za_max =
      e.agent == Agent::kZoledronicAcid && !e.oncology && m_.za_doses >= lim_.za_max_doses;
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
      const Date start = e.last_dose && e.agent == Agent::kZoledronicAcid
                             ? e.last_dose->AddMonths(cp_.za_due_months)
                             : e.end.value_or(in_.as_of);
      const Date review = std::max(start.AddMonths(12 * lim_.holiday_review_years), in_.as_of);
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
      in_.as_of > e.last_dose->AddMonths(cp_.dmab_overdue_after_months) &&
      !m_.AntiresorptiveAfter(*e.last_dose)) {
    const std::string since = e.last_dose->AddMonths(cp_.dmab_overdue_after_months).ToString();
    const bool active = e.status == MedStatus::kActive;
    if (active) {
      const bool resume = lim_.lapse_resume;
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
            "zoledronic acid now: denosumab transition overdue", {"COURSE-15", "SEQ-05"});
    }
    Warn("denosumab_discontinuation_rebound", kCrit,
         "Denosumab's effect has worn off with no follow-on: rebound bone loss and multiple "
         "vertebral fractures risk.",
         {"COURSE-15", "SEQ-05"});
    Refer(Destination::kOsteoporosisSpecialist, kUrgent, "denosumab lapsed: rebound window open",
          {"COURSE-15", "REF-02"});
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

bool Decider::Failure(int ci) {
  const Episode& e = m_.episodes[ci];
  if (!e.Ongoing()) return false;
  for (const Date& fx : in_.fragility_fractures) {
    const std::optional<Date> from = e.first_dose ? e.first_dose : e.start;
    if (!from || fx < *from) continue;
    CourseModel one;
    one.as_of = m_.as_of;
    one.episodes.push_back(e);
    if (!one.OnCourseAt(fx, cp_)) continue;
    const double months = CalendarMonths(*from, fx);
    if (months < lim_.failure_min_months) {
      Fired("COURSE-18", "fracture " + fx.ToString() + " after " +
                             std::to_string(static_cast<int>(months)) + " months of " +
                             Human(e.agent) + ": not a treatment failure (less than " +
                             std::to_string(lim_.failure_min_months) + " months)");
      continue;
    }
    d_.treatment_failure = true;
    Warn("treatment_failure", kWarn,
         "Fragility fracture on " + fx.ToString() + " after " +
             std::to_string(static_cast<int>(months)) + " months on " + Human(e.agent) +
             ": check adherence, vitamin D and calcium, and secondary causes before calling it "
             "failure.",
         {"COURSE-18"});
    if (IsOralBp(e)) {
      for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
        Avoid(a, "treatment failure on " + Human(e.agent), {"COURSE-18"});
    } else if (e.agent != Agent::kDenosumab && !IsCourseAnabolic(e.agent)) {
      Avoid(e.agent, "treatment failure on this agent", {"COURSE-18"});
    }
    const bool recent = fx >= in_.as_of.AddMonths(-12);
    Refer(Destination::kOsteoporosisSpecialist, recent ? kUrgent : kRoutine,
          "fracture on " + Human(e.agent) + ": treatment failure", {"COURSE-18", "REF-02"});
    Fired("COURSE-18", "fracture " + fx.ToString() + " on " + Human(e.agent));
    std::string to;
    if (IsCourseBisphosphonate(e.agent)) {
      d_.target = in_.tier == RiskTier::kVeryHigh ? CourseTarget::kAnabolic
                                                  : CourseTarget::kNonBisphosphonate;
      to = in_.tier == RiskTier::kVeryHigh ? "anabolic" : "denosumab";
    } else if (e.agent == Agent::kDenosumab) {
      d_.target = in_.romo_eligible ? CourseTarget::kAnabolic : CourseTarget::kSpecialist;
      to = in_.romo_eligible ? "romosozumab" : "specialist_decision";
      Avoid(Agent::kTeriparatide, "PTH analog alone after denosumab: transient bone loss",
            {"COURSE-19"});
      Avoid(Agent::kAbaloparatide, "PTH analog alone after denosumab: transient bone loss",
            {"COURSE-19"});
    } else {
      d_.target = CourseTarget::kSpecialist;
      to = "specialist_decision";
    }
    Seq("course_switch",
        "Switch from " + Human(e.agent) + " after a fracture on treatment (to " + to + ").",
        {"COURSE-18", "COURSE-19"});
    Decide(ci, CourseAction::kSwitch, to, "fracture on treatment", {"COURSE-18", "COURSE-19"});
    Fired("COURSE-19", "switch from " + Human(e.agent));
    if (e.agent == Agent::kDenosumab)
      Warn("denosumab_discontinuation_rebound", kWarn,
           "Continue denosumab until the next agent starts: no gap.", {"COURSE-19"});
    return true;
  }
  return false;
}

bool Decider::Reviews(int ci) {
  const Episode& e = m_.episodes[ci];
  if (!e.Ongoing()) return false;
  const bool oral = IsOralBp(e) && m_.oral_bp_years >= lim_.oral_review_years;
  const bool za =
      e.agent == Agent::kZoledronicAcid && !e.oncology && m_.za_doses >= lim_.za_review_doses;
  if (oral || za) {
    const std::vector<std::string_view> rules = {oral ? "COURSE-12" : "COURSE-13"};
    const std::string amount =
        oral ? std::to_string(static_cast<int>(m_.oral_bp_years)) + " years of oral bisphosphonate"
             : std::to_string(m_.za_doses) + " zoledronic acid doses";
    Fired(rules[0], amount);
    if (in_.high_risk_at_review == false) {
      d_.target = CourseTarget::kNothing;
      d_.holiday = true;
      d_.indicated = std::optional<bool>(false);
      const Date start = e.agent == Agent::kZoledronicAcid && e.last_dose
                             ? e.last_dose->AddMonths(cp_.za_due_months)
                             : in_.as_of;
      const Date review = std::max(start.AddMonths(12 * lim_.holiday_review_years), in_.as_of);
      Warn("drug_holiday_reassessment_due", kInfo,
           amount + ": reviewed, not at high risk: drug holiday.", rules);
      Warn("drug_holiday_in_progress", kInfo,
           "Drug holiday; next review " + review.ToString() + ".", {"COURSE-20"});
      Seq("course_holiday",
          amount + ", not at high risk: start a drug holiday; next review " + review.ToString() +
              ".",
          {rules[0], "COURSE-20"});
      Decide(ci, CourseAction::kHoliday, "", "drug holiday; next review " + review.ToString(),
             {rules[0], "COURSE-20"});
      return true;
    }
    if (in_.high_risk_at_review == true) {
      Warn("drug_holiday_reassessment_due", kInfo,
           amount + ": reviewed, still at high risk: continue up to " +
               (oral ? std::to_string(static_cast<int>(lim_.oral_max_years)) + " years"
                     : std::to_string(lim_.za_max_doses) + " doses") +
               ".",
           rules);
      Continue(ci, "reviewed: still at high risk", rules);
      return true;
    }
    Warn("drug_holiday_reassessment_due", kWarn,
         amount + ": review due, data missing: continue meanwhile and get a DXA.", rules);
    d_.workup.push_back(
        {"dxa_review", 0, "DXA (total hip, femoral neck, spine) for the course review.", rules});
    d_.missing.push_back({"bmd", 0, "a DXA within 24 months, needed for the course review", {}});
    Continue(ci, "review data missing: continue meanwhile", rules);
    return true;
  }
  if (e.agent == Agent::kDenosumab && !e.oncology) {
    const bool review =
        m_.dmab_years >= lim_.dmab_review_years ||
        (!m_.dmab_first_dose && m_.dmab_doses >= lim_.dmab_review_doses_unknown_start);
    Warn("denosumab_discontinuation_rebound", kWarn,
         "Denosumab must never stop without a follow-on antiresorptive.", {"COURSE-14"});
    if (review) {
      const bool second = m_.dmab_years >= lim_.dmab_second_review_years;
      Warn("denosumab_course_review_due", kInfo,
           second
               ? "Denosumab for 10 years or more: long-term continuation is reasonable if still "
                 "at high risk; review."
               : "Denosumab for 5 years or more: review; continue, or plan a transition; never a "
                 "holiday.",
           {"COURSE-14"});
      Refer(Destination::kOsteoporosisSpecialist, kRoutine,
            "denosumab 5-10-year review: continue or plan a transition (never a holiday)",
            {"COURSE-14", "REF-02"});
    }
    Fired("COURSE-14", "denosumab course");
    Continue(ci, review ? "course review due" : "", {"COURSE-14"});
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
    if (last && in_.as_of > last->AddMonths(lim_.anabolic_followup_critical_months))
      Warn("anabolic_requires_antiresorptive_followup", kCrit,
           "The " + Human(last_anabolic->agent) + " course ended on " + last->ToString() +
               " with no antiresorptive since: start one now.",
           {"COURSE-17"});
    Decide(last_ana_i, CourseAction::kTransition, "antiresorptive",
           "course ended: an antiresorptive follows without a gap", {"COURSE-17"});
    return;
  }
  const Episode* cur = m_.Current();
  if (!cur) return;
  const int ci = m_.current;
  if (cur->agent == Agent::kDenosumab && !cur->oncology && cur->last_dose) {
    // Stopped within the 7-month window: transition about 6 months after the last injection.
    const Date due = std::max(cur->last_dose->AddMonths(cp_.dmab_due_months), in_.as_of);
    d_.target = CourseTarget::kZoledronicNow;
    d_.indicated = std::optional<bool>(true);
    d_.tier_floor_high = true;
    Seq("course_transition",
        "Denosumab stopped: give zoledronic acid on " + due.ToString() +
            " (about 6 months after the last injection, no later than 7), then CTX 3 and 6 months "
            "after the infusion.",
        {"COURSE-14", "SEQ-05"});
    Decide(ci, CourseAction::kTransition, "zoledronic_acid", "transition due " + due.ToString(),
           {"COURSE-14", "SEQ-05"});
    d_.za_next_due = due;
    Warn("denosumab_discontinuation_rebound", kWarn,
         "Denosumab stopped: zoledronic acid must follow on time to prevent rebound fractures.",
         {"COURSE-14", "SEQ-05"});
    Refer(Destination::kInfusionCenter, kUrgent,
          "zoledronic acid after denosumab, due " + due.ToString(), {"COURSE-14", "SEQ-05"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine, "denosumab stopped: transition",
          {"COURSE-14"});
    Fired("COURSE-14", "denosumab stopped, transition due");
    return;
  }
  if (cur->state == CourseState::kHoliday) {
    const Date start = cur->agent == Agent::kZoledronicAcid && cur->last_dose
                           ? cur->last_dose->AddMonths(cp_.za_due_months)
                           : cur->end.value_or(cur->last_dose.value_or(in_.as_of));
    bool fracture = false;
    for (const Date& d : in_.fragility_fractures) fracture = fracture || d > start;
    if (fracture) {
      d_.target = CourseTarget::kNewStart;
      d_.indicated = std::optional<bool>(true);
      Warn("drug_holiday_restart_due", kWarn,
           "A fragility fracture during the drug holiday: restart treatment (not a treatment "
           "failure).",
           {"COURSE-21"});
      Seq("course_resume", "Drug holiday ended by a fracture: restart treatment.", {"COURSE-21"});
      Decide(ci, CourseAction::kResume, "", "fracture during the holiday", {"COURSE-21"});
      Fired("COURSE-21", "fracture during the holiday");
      return;
    }
    const Date review = start.AddMonths(12 * lim_.holiday_review_years);
    d_.target = CourseTarget::kNothing;
    d_.holiday = true;
    d_.indicated = std::optional<bool>(false);
    if (in_.as_of >= review) {
      Warn("drug_holiday_reassessment_due", kWarn,
           "Drug holiday since " + start.ToString() + ": review due (DXA, fracture review).",
           {"COURSE-21"});
      d_.workup.push_back({"dxa_review",
                           0,
                           "DXA (total hip, same machine) for the holiday review.",
                           {"COURSE-21"}});
    }
    const Date next = std::max(review, in_.as_of);
    Warn("drug_holiday_in_progress", kInfo,
         "Drug holiday since " + start.ToString() + "; next review " + next.ToString() + ".",
         {"COURSE-20"});
    Seq("course_holiday",
        "Drug holiday since " + start.ToString() + "; next review " + next.ToString() + ".",
        {"COURSE-20"});
    Decide(ci, CourseAction::kHoliday, "", "drug holiday; next review " + next.ToString(),
           {"COURSE-20"});
    Fired("COURSE-20", "drug holiday");
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
      Fired("COURSE-22", Human(e.agent) + " stopped: " + std::string(ToString(*e.stop_reason)));
    if (auto it = decisions_.find(i); it != decisions_.end()) {
      c.decision = it->second.action;
      c.switch_to = it->second.switch_to;
      c.text = it->second.text;
      c.rules = it->second.rules;
      if (c.decision == CourseAction::kContinue) {
        c.next_due = NextDue(e);
        if (c.next_due && e.last_dose && DueAfter(e, *e.last_dose) < in_.as_of)
          Fired("COURSE-25",
                Human(e.agent) + " due " + DueAfter(e, *e.last_dose).ToString() + ": due now");
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
      if (IsOralBp(e)) {
        for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
          Avoid(a, "previously stopped for intolerance (clinician may override)", {"COURSE-01"});
      } else {
        Avoid(e.agent, "previously stopped for intolerance (clinician may override)",
              {"COURSE-01"});
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
      Seq("course_stop",
          "Stop " + Human(e.agent) + ": " + (in_.pregnant ? "pregnancy" : "breastfeeding") +
              "; specialist and obstetric decision.",
          {"COURSE-09", "CI-12"});
      Decide(i, CourseAction::kStop, "specialist_decision",
             std::string(in_.pregnant ? "pregnancy" : "breastfeeding") + ": stop",
             {"COURSE-09", "CI-12"});
      if (e.agent == Agent::kDenosumab)
        Warn("denosumab_discontinuation_rebound", kCrit,
             "Denosumab stopped for pregnancy or breastfeeding: the specialist must plan what "
             "follows after delivery.",
             {"COURSE-09"});
      Fired("COURSE-09", Human(e.agent) + " stopped");
    }
    d_.target = CourseTarget::kSpecialist;
    Fill();
    return std::move(d_);
  }
  if (cur && cur->Ongoing() && !m_.concurrent.empty()) {
    d_.target = CourseTarget::kSpecialist;
    Seq("course_continue",
        "Two osteoporosis courses at once (" + Human(cur->agent) + ", " +
            Human(m_.episodes[m_.concurrent.front()].agent) +
            "): the specialist decides; neither is stopped here.",
        {"COURSE-23"});
    Refer(Destination::kOsteoporosisSpecialist, kRoutine, "concurrent osteoporosis courses",
          {"COURSE-23"});
    Decide(ci, CourseAction::kContinue, "", "concurrent courses: specialist decision",
           {"COURSE-23"});
    for (int i : m_.concurrent)
      Decide(i, CourseAction::kContinue, "", "concurrent courses: specialist decision",
             {"COURSE-23"});
    Fired("COURSE-23", "concurrent courses");
    Fill();
    return std::move(d_);
  }
  if (in_.specialist_gate) {
    // The bisphosphonate maxima (COURSE-12, COURSE-13) hold whoever decides next.
    if (cur && !cur->oncology) {
      const bool oral_max = IsOralBp(*cur) && m_.oral_bp_years >= lim_.oral_max_years;
      const bool za_max = cur->agent == Agent::kZoledronicAcid && m_.za_doses >= lim_.za_max_doses;
      const std::vector<std::string_view> rules = {oral_max ? "COURSE-12" : "COURSE-13"};
      if (oral_max)
        for (Agent a : {Agent::kAlendronate, Agent::kRisedronate, Agent::kIbandronate})
          Avoid(a, "course maximum reached (clinician override)", rules);
      if (za_max) {
        Avoid(Agent::kZoledronicAcid, "course maximum reached (clinician override)", rules);
        d_.za_course_limit = true;
      }
      if (oral_max || za_max)
        Warn("bisphosphonate_max_duration_reached", kWarn,
             "The bisphosphonate course has reached its maximum.", rules);
    }
    if (cur && cur->Ongoing() && cur->agent == Agent::kDenosumab) {
      d_.target = CourseTarget::kSpecialist;
      Seq("course_continue",
          "Denosumab: specialist-supervised continuation or a planned exit; never simply stop.",
          {"COURSE-14"});
      Decide(ci, CourseAction::kContinue, "", "specialist-supervised continuation", {"COURSE-14"});
      Refer(Destination::kOsteoporosisSpecialist, kUrgent,
            "specialist-supervised continuation of denosumab or a planned exit", {"COURSE-14"});
      Warn("denosumab_discontinuation_rebound", kWarn,
           "Denosumab must never stop without a follow-on antiresorptive.", {"COURSE-14"});
    } else if (cur && cur->Ongoing()) {
      d_.target = CourseTarget::kSpecialist;
      Decide(ci, CourseAction::kNone, "specialist_decision",
             "the specialist decides whether this course continues", {"COURSE-04"});
    }
    if (!cur || !cur->Ongoing() || cur->agent != Agent::kDenosumab) {
      // The gate decides; a stopped denosumab still needs its follow-on.
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
      Seq("course_switch",
          "Intravenous ibandronate: switch to zoledronic acid at the next due date (" +
              due.ToString() + ").",
          {"COURSE-23"});
      Decide(ci, CourseAction::kSwitch, "zoledronic_acid", "switch at the next due date",
             {"COURSE-23"});
      Fired("COURSE-23", "IV ibandronate");
    } else if (cur->agent == Agent::kRaloxifene) {
      if (HighTier() || !in_.raloxifene_allowed) {
        d_.target = CourseTarget::kNewStart;
        Seq("course_switch", "Raloxifene: switch to the first-line treatment for the risk tier.",
            {"COURSE-23"});
        Decide(ci, CourseAction::kSwitch, "first_line", "switch to first-line treatment",
               {"COURSE-23"});
        Fired("COURSE-23", "raloxifene");
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

}  // namespace

CourseDecision DecideCourse(const CourseModel& m, const CourseParams& cp, const CourseLimits& lim,
                            const CourseInputs& in) {
  return Decider(m, cp, lim, in).Run();
}

}  // namespace bp
