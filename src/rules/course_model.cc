// The course model (catalogue §6, COURSE-01..03): episodes per agent from the record, their
// doses, exposure counters and state at as_of. The decision is in course_stops.cc and
// course_decide.cc (the Decider of course_decider.h).
#include <algorithm>
#include <cstdlib>

#include "rules/course.h"
#include "rules/steps.h"

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
      return In<&CourseParams::za_due_months, "COURSE-01">(cp);
    case Agent::kDenosumab:
      return In<&CourseParams::dmab_due_months, "COURSE-01">(cp);
    case Agent::kRomosozumab:
      return In<&CourseParams::romo_due_months, "COURSE-01">(cp);
    case Agent::kIbandronate:
      return In<&CourseParams::ibn_iv_due_months, "COURSE-01", "COURSE-02", "COURSE-03">(cp);
    default:
      return 0;
  }
}

// The date after which the next dose is overdue (COURSE-03).
Date OverdueAfter(const Episode& e, Date last, const CourseParams& cp) {
  switch (e.agent) {
    case Agent::kZoledronicAcid:
      return last.AddMonths(
          In<&CourseParams::za_overdue_after_months, "COURSE-01", "COURSE-02", "COURSE-03">(cp));
    case Agent::kDenosumab:
      return last.AddMonths(
          In<&CourseParams::dmab_overdue_after_months, "COURSE-01", "COURSE-02", "COURSE-03">(cp));
    case Agent::kRomosozumab:
      return last.AddDays(
          7 *
          In<&CourseParams::romo_overdue_after_weeks, "COURSE-01", "COURSE-02", "COURSE-03">(cp));
    default:
      return last.AddMonths(DueMonths(e, cp))
          .AddDays(
              7 *
              In<&CourseParams::ibn_iv_overdue_extra_weeks, "COURSE-01", "COURSE-02", "COURSE-03">(
                  cp));
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
        if (e.agent == Agent::kZoledronicAcid &&
            when > last.AddMonths(In<&CourseParams::za_due_months, "COURSE-02">(cp)))
          continue;
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

Date HolidayStart(const Episode& e, Date as_of, const CourseParams& cp) {
  if (e.agent == Agent::kZoledronicAcid && e.last_dose)
    return e.last_dose->AddMonths(In<&CourseParams::za_due_months, "COURSE-20", "COURSE-21">(cp));
  return e.end.value_or(e.last_dose.value_or(as_of));
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
      if (med.agent == Agent::kZoledronicAcid &&
          *med.dose_mg < In<&CourseParams::za_osteoporosis_min_mg, "COURSE-01">(cp))
        e.oncology = true;
      if (med.agent == Agent::kDenosumab &&
          *med.dose_mg >= In<&CourseParams::dmab_oncology_min_mg, "COURSE-01">(cp))
        e.oncology = true;
    }
    e.start = med.start;
    e.end = med.end;
    e.stop_reason = med.stop_reason;
    e.records.push_back(i);
    const std::vector<Date> dd =
        DistinctDoses(med.dose_dates, In<&CourseParams::dose_merge_days, "COURSE-01">(cp));
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
      const Date limit =
          !prev_to ? as_of
          : prev->Injected()
              ? OverdueAfter(*prev, *prev_to, cp)
              : prev_to->AddMonths(In<&CourseParams::oral_gap_months, "COURSE-01">(cp));
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
                ? e.doses.value_or(0) >= In<&CourseParams::za_review_doses, "COURSE-03">(cp)
                : (e.start && e.end &&
                   CalendarMonths(*e.start, *e.end) >=
                       12.0 * In<&CourseParams::oral_review_years, "COURSE-03">(cp));
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
  // An IV ibandronate dose covers its dosing interval (3 months: 4 doses a year).
  const double ibn_iv_years_per_dose = In<&CourseParams::ibn_iv_due_months, "COURSE-02">(cp) / 12.0;
  m.bp_total_years =
      m.oral_bp_years + m.za_doses + m.za_oncology_doses + m.iv_ibn_doses * ibn_iv_years_per_dose;
  if (m.dmab_last_dose) {
    m.dmab_months_since_last = static_cast<int>(CalendarMonths(*m.dmab_last_dose, as_of));
    if (m.dmab_first_dose)
      m.dmab_years =
          CalendarMonths(
              *m.dmab_first_dose,
              m.dmab_last_dose->AddMonths(In<&CourseParams::dmab_due_months, "COURSE-02">(cp))) /
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
      bool current =
          r >= as_of.AddMonths(-In<&CourseParams::recent_course_months, "COURSE-03">(cp));
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

namespace bp::rules {
namespace {
// The rules this file implements (the registration: see Topic in steps.h).
constexpr std::string_view kRules[] = {"COURSE-01", "COURSE-02", "COURSE-03"};
}  // namespace
const Topic kCourseModelTopic{"course model", kRules};
}  // namespace bp::rules
