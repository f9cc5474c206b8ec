#include "measures/qicore.h"

#include <cmath>

namespace bp::measures {
namespace {

bool OneOf(std::string_view v, std::initializer_list<std::string_view> set) {
  for (auto s : set)
    if (v == s) return true;
  return false;
}

// FHIRHelpers 4.4.000 ToCalendarUnit, then Date/DateTime + Quantity.
std::optional<DateTime> AddQuantity(const DateTime& d, const Quantity& q, int extra_years) {
  const std::string& u = q.unit;
  const int n = static_cast<int>(std::trunc(q.value));
  std::optional<DateTime> r;
  if (OneOf(u, {"a", "year", "years"})) {
    r = d.Add(n + extra_years, CalendarUnit::kYear);
    return r;
  }
  if (OneOf(u, {"mo", "month", "months"})) {
    r = d.Add(n, CalendarUnit::kMonth);
  } else if (OneOf(u, {"wk", "week", "weeks"})) {
    r = d.Add(n, CalendarUnit::kWeek);
  } else if (OneOf(u, {"d", "day", "days"})) {
    r = d.Add(n, CalendarUnit::kDay);
  } else {
    return std::nullopt;
  }
  if (r && extra_years) r = r->Add(extra_years, CalendarUnit::kYear);
  return r;
}

// Interval[birthDate + q, birthDate + q + 1 year).
std::optional<Interval> AgeInterval(const Quantity& q, const std::optional<DateTime>& birth) {
  if (!birth) return std::nullopt;
  auto lo = AddQuantity(*birth, q, 0);
  auto hi = AddQuantity(*birth, q, 1);
  if (!lo || !hi) return std::nullopt;
  return Interval{lo, hi, true, false};
}

// `convert Q to days`: definite-duration UCUM units only.
std::optional<double> ToDays(const Quantity& q) {
  const std::string& u = q.unit;
  if (OneOf(u, {"d", "day", "days"})) return q.value;
  if (OneOf(u, {"wk", "week", "weeks"})) return q.value * 7;
  if (OneOf(u, {"h", "hour", "hours"})) return q.value / 24;
  if (OneOf(u, {"min", "minute", "minutes"})) return q.value / (24 * 60);
  if (OneOf(u, {"s", "second", "seconds"})) return q.value / (24 * 60 * 60);
  return std::nullopt;
}

// CumulativeMedicationDuration 4.1.000 ToDaily(frequency Integer, period Quantity).
std::optional<double> ToDaily(std::optional<long long> frequency, std::optional<double> period,
                              const std::string& unit) {
  if (!frequency || !period || *period == 0) return std::nullopt;
  const double f = static_cast<double>(*frequency) * (24.0 / *period);
  if (OneOf(unit, {"h", "hour", "hours"})) return f;
  if (OneOf(unit, {"min", "minute", "minutes"})) return f * 60;
  if (OneOf(unit, {"s", "second", "seconds"})) return f * 60 * 60;
  if (OneOf(unit, {"d", "day", "days"})) return f / 24;
  if (OneOf(unit, {"wk", "week", "weeks"})) return f / (24 * 7);
  if (OneOf(unit, {"mo", "month", "months"})) return f / (24 * 30);
  if (OneOf(unit, {"a", "year", "years"})) return f / (24 * 365);
  return std::nullopt;  // Message(... 'Unknown unit') returns null
}

}  // namespace

std::optional<Interval> ToInterval(const TimeChoice& t, const std::optional<DateTime>& birth) {
  switch (t.kind) {
    case TimeChoice::Kind::kDateTime:
      return Interval::Point(*t.at);
    case TimeChoice::Kind::kPeriod:
      // FHIRHelpers.ToInterval(Period)
      if (!t.start) return Interval{std::nullopt, t.end, false, true};
      return Interval::Closed(t.start, t.end);
    case TimeChoice::Kind::kQuantity:
      return AgeInterval(*t.quantity, birth);
    case TimeChoice::Kind::kNone:
      break;
  }
  return std::nullopt;
}

std::optional<Interval> AbatementInterval(const ConditionFact& c,
                                          const std::optional<DateTime>& birth) {
  const TimeChoice& a = c.abatement;
  switch (a.kind) {
    case TimeChoice::Kind::kDateTime:
      return Interval::Point(*a.at);
    case TimeChoice::Kind::kQuantity:
      return AgeInterval(*a.quantity, birth);
    case TimeChoice::Kind::kPeriod:
      // `Interval[condition.abatement.low, condition.abatement.high)`
      return Interval{a.start, a.end, true, false};
    case TimeChoice::Kind::kNone:
      break;
  }
  return std::nullopt;
}

std::optional<Interval> PrevalenceInterval(const ConditionFact& c,
                                           const std::optional<DateTime>& birth,
                                           const MeasureKnowledge& k) {
  auto onset = ToInterval(c.onset, birth);
  std::optional<DateTime> onset_start = onset ? onset->Start() : std::nullopt;
  auto abatement = AbatementInterval(c, birth);
  std::optional<DateTime> abatement_end = abatement ? abatement->End() : std::nullopt;
  if (k.HasCode("active", c.clinical_status) || k.HasCode("recurrence", c.clinical_status) ||
      k.HasCode("relapse", c.clinical_status))
    return Interval::Closed(onset_start, abatement_end);
  // `(end of condition.abatementInterval()) abatementDate return ...` is a query over a single
  // value: when that value is null the query, and so the interval, is null (the `if abatementDate
  // is null` branch never runs).
  if (!abatement_end) return std::nullopt;
  return Interval::Closed(onset_start, abatement_end);
}

std::optional<DateTime> Earliest(const std::optional<Interval>& period) {
  if (!period) return std::nullopt;
  auto start = period->Start();
  const bool has_start = start && !IsTrue(SameAs(*start, DateTime::MinValue(start->is_date())));
  return has_start ? start : period->End();
}

std::optional<Interval> MedicationRequestPeriod(const MedicationRequestFact& r) {
  // dosage: singleton from R.dosageInstruction (more than one is an error in CQL: no period).
  if (r.dosage.size() > 1) return std::nullopt;
  const DosageFact* dosage = r.dosage.empty() ? nullptr : &r.dosage.front();
  if (dosage && dosage->dose_and_rate_count > 1) return std::nullopt;
  std::optional<long long> frequency;
  std::optional<double> dose_per_day;
  std::optional<Interval> bounds_period;
  std::optional<Quantity> dose;
  if (dosage) {
    frequency = dosage->frequency_max ? dosage->frequency_max : dosage->frequency;
    // dosesPerDay: Coalesce(ToDaily(frequency, period), Count(timing.repeat.timeOfDay), 1.0);
    // Count is never null, so 0 time-of-day entries give 0 doses per day.
    dose_per_day = ToDaily(frequency, dosage->period, dosage->period_unit);
    if (!dose_per_day) dose_per_day = static_cast<double>(dosage->time_of_day_count);
    if (dosage->bounds.kind == TimeChoice::Kind::kPeriod)
      bounds_period = ToInterval(dosage->bounds, std::nullopt);
    dose = dosage->dose;
  } else {
    dose_per_day = 0.0;  // Count(null) = 0
  }
  std::optional<double> days_supply;
  if (r.expected_supply_duration) days_supply = ToDays(*r.expected_supply_duration);
  const long long refills = r.number_of_repeats_allowed.value_or(0);
  std::optional<DateTime> start_date;
  if (bounds_period) {
    if (auto s = bounds_period->Start()) start_date = s->DateFrom();
  }
  if (!start_date && r.authored_on) start_date = r.authored_on->DateFrom();
  if (!start_date && r.validity_start) start_date = r.validity_start->DateFrom();
  std::optional<double> total = days_supply;
  if (!total && r.dispense_quantity && dose && dose_per_day && dose->value * *dose_per_day != 0)
    total = r.dispense_quantity->value / (dose->value * *dose_per_day);
  if (total) *total *= static_cast<double>(1 + refills);
  if (start_date && total) {
    auto end = start_date->Add(static_cast<int>(std::trunc(*total - 1)), CalendarUnit::kDay);
    if (!end) return std::nullopt;
    return Interval::Closed(start_date, end);
  }
  if (start_date && bounds_period && bounds_period->high)
    return Interval::Closed(start_date, bounds_period->End()->DateFrom());
  return std::nullopt;
}

bool IsEncounterPerformed(const EncounterFact& e) {
  return OneOf(e.status, {"finished", "arrived", "triaged", "in-progress", "onleave"});
}

bool IsProcedurePerformed(const ProcedureFact& p) { return p.status == "completed"; }

bool IsObservationFinal(const ObservationFact& o) {
  return OneOf(o.status, {"final", "amended", "corrected"});
}

bool IsAssessmentPerformed(const ObservationFact& o, const MeasureKnowledge& k) {
  if (!IsObservationFinal(o)) return false;
  for (const auto& c : o.category)
    if (k.HasCode("survey", c)) return true;
  return false;
}

bool IsMedicationActive(const MedicationRequestFact& m) {
  return m.status == "active" && m.intent == "order";
}

bool IsMedicationOrder(const MedicationRequestFact& m) {
  return OneOf(m.status, {"active", "completed"}) && m.intent == "order";
}

bool IsDiagnosticStudyOrder(const ServiceRequestFact& s) {
  return OneOf(s.status, {"active", "completed"}) && s.intent == "order";
}

bool MedicationInValueSet(const MedicationRequestFact& m, std::string_view valueset,
                          const MeasureKnowledge& k, const MedicationIndex& meds) {
  if (k.InValueSet(valueset, m.medication)) return true;
  if (m.medication_reference.empty()) return false;
  const auto slash = m.medication_reference.rfind('/');
  const std::string id = slash == std::string::npos ? m.medication_reference
                                                    : m.medication_reference.substr(slash + 1);
  auto it = meds.find(id);
  return it != meds.end() && k.InValueSet(valueset, it->second.code);
}

namespace {
std::optional<int> Cmp(const std::optional<Quantity>& q, double v, std::string_view unit) {
  if (!q || q->comparator) return std::nullopt;
  if (q->unit != unit) return std::nullopt;
  return q->value < v ? -1 : q->value > v ? 1 : 0;
}
}  // namespace

Tri QuantityLessOrEqual(const std::optional<Quantity>& q, double v, std::string_view unit) {
  auto c = Cmp(q, v, unit);
  if (!c) return std::nullopt;
  return *c <= 0;
}
Tri QuantityLess(const std::optional<Quantity>& q, double v, std::string_view unit) {
  auto c = Cmp(q, v, unit);
  if (!c) return std::nullopt;
  return *c < 0;
}
Tri QuantityGreater(const std::optional<Quantity>& q, double v, std::string_view unit) {
  auto c = Cmp(q, v, unit);
  if (!c) return std::nullopt;
  return *c > 0;
}
Tri QuantityGreaterOrEqual(const std::optional<Quantity>& q, double v, std::string_view unit) {
  auto c = Cmp(q, v, unit);
  if (!c) return std::nullopt;
  return *c >= 0;
}

}  // namespace bp::measures
