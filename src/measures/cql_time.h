// CQL Date/DateTime values and intervals with the semantics of the reference engine the measures'
// test decks were computed with (cql-execution 3.3.2): a value keeps the precision it was written
// with; comparisons walk the fields from year down and answer null (unknown) when one side stops
// before the comparison's precision is reached; at day precision or coarser the calendar fields are
// compared as written, finer comparisons first move the right operand to the left operand's zone
// offset. Written without a zone offset, a DateTime is read as UTC.
//
// Thread safety: value types, no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bp::measures {

// CQL three-valued logic: std::nullopt is null.
using Tri = std::optional<bool>;
Tri And(Tri a, Tri b);
Tri Or(Tri a, Tri b);
Tri Not(Tri a);
inline bool IsTrue(Tri t) { return t.has_value() && *t; }

// The fields of a DateTime, in order; kNone means "no precision given" (compare every field).
enum class Precision : int8_t {
  kYear = 0,
  kMonth,
  kDay,
  kHour,
  kMinute,
  kSecond,
  kMillisecond,
  kNone
};

enum class CalendarUnit : int8_t { kYear, kMonth, kWeek, kDay };

class DateTime {
 public:
  // A FHIR date, dateTime or instant ("2025", "2025-03", "2025-03-04", "2025-03-04T10:00:00Z",
  // "2025-03-04T10:00:00.1234-05:00"). nullopt when the text is not one, or names no real day.
  static std::optional<DateTime> Parse(std::string_view text);
  // A CQL Date (no time, no zone) of the given fields; month/day 0 = not given.
  static DateTime MakeDate(int year, int month, int day);
  // A DateTime to the millisecond at the given offset (minutes east of UTC).
  static DateTime MakeDateTime(int year, int month, int day, int hour, int minute, int second,
                               int millisecond, int tz_minutes);
  static DateTime MinValue(bool date);
  static DateTime MaxValue(bool date);

  bool is_date() const { return date_; }
  // Number of fields given: 1 (year) .. 7 (millisecond); 3 for a full Date.
  int fields() const { return n_; }
  int field(int i) const { return f_[static_cast<std::size_t>(i)]; }
  int year() const { return f_[0]; }
  int tz_minutes() const { return tz_; }

  // `date from X`: the Date of the calendar fields as written (no zone conversion).
  DateTime DateFrom() const;
  // A Date used where a DateTime is expected: the same fields, offset UTC.
  DateTime AsDateTime() const;
  // The same instant expressed at another offset, keeping this value's precision.
  DateTime AtOffset(int tz_minutes) const;
  // Calendar arithmetic (`+ 3 months`, `- 2 years`): the day is clamped to the month's end.
  // nullopt when the result leaves the DateTime range.
  std::optional<DateTime> Add(int amount, CalendarUnit unit) const;
  // The next/previous value at this value's precision (closing an open interval boundary).
  std::optional<DateTime> Successor() const;
  std::optional<DateTime> Predecessor() const;

  // ISO 8601 text at this value's precision.
  std::string ToString() const;

  // Whole days since 1970-01-01 of the calendar date (REQUIRES: fields() >= 3).
  int EpochDay() const;

 private:
  std::array<int16_t, 7> f_{1970, 1, 1, 0, 0, 0, 0};
  int8_t n_ = 1;
  bool date_ = false;
  int16_t tz_ = 0;
};

// Point comparisons, cql-execution 3.3.2 DateTime.before/after/sameOrBefore/sameOrAfter/sameAs.
Tri Before(const DateTime& a, const DateTime& b, Precision p = Precision::kNone);
Tri After(const DateTime& a, const DateTime& b, Precision p = Precision::kNone);
Tri SameOrBefore(const DateTime& a, const DateTime& b, Precision p = Precision::kNone);
Tri SameOrAfter(const DateTime& a, const DateTime& b, Precision p = Precision::kNone);
Tri SameAs(const DateTime& a, const DateTime& b, Precision p = Precision::kNone);

// Null-propagating forms for optional operands.
Tri Before(const std::optional<DateTime>& a, const std::optional<DateTime>& b,
           Precision p = Precision::kNone);
Tri SameOrBefore(const std::optional<DateTime>& a, const std::optional<DateTime>& b,
                 Precision p = Precision::kNone);
Tri SameOrAfter(const std::optional<DateTime>& a, const std::optional<DateTime>& b,
                Precision p = Precision::kNone);

// A closed-form interval end point: a value, or an uncertainty [lo, hi] (the end of an interval
// whose open boundary is null).
struct Bound {
  DateTime lo, hi;
  bool uncertain = false;
};

// Interval<Date> or Interval<DateTime>. A null boundary with a closed side is the type's minimum or
// maximum; with an open side it is unknown.
struct Interval {
  std::optional<DateTime> low, high;
  bool low_closed = true;
  bool high_closed = true;

  static Interval Closed(std::optional<DateTime> lo, std::optional<DateTime> hi) {
    return {std::move(lo), std::move(hi), true, true};
  }
  static Interval Point(const DateTime& d) { return {d, d, true, true}; }

  // `start of`, `end of`: nullopt for an open null boundary.
  std::optional<DateTime> Start() const;
  std::optional<DateTime> End() const;
};

// `point in interval` / `point during [precision of] interval` (ELM In).
Tri In(const std::optional<DateTime>& point, const std::optional<Interval>& ivl,
       Precision p = Precision::kNone);
// `a during [precision of] b` for intervals (ELM IncludedIn).
Tri IncludedIn(const std::optional<Interval>& a, const std::optional<Interval>& b,
               Precision p = Precision::kNone);
// `a overlaps [precision of] b` (ELM Overlaps).
Tri Overlaps(const std::optional<Interval>& a, const std::optional<Interval>& b,
             Precision p = Precision::kNone);
// `interval before point` (ELM Before with an interval and a point).
Tri IntervalBefore(const std::optional<Interval>& a, const std::optional<DateTime>& point,
                   Precision p = Precision::kNone);
// `a intersect b` (null unless they overlap).
std::optional<Interval> Intersect(const std::optional<Interval>& a,
                                  const std::optional<Interval>& b);
// `collapse intervals per day` for Interval<Date> (nulls ignored), then the CumulativeDuration of
// CumulativeMedicationDuration 4.1.000: the sum over the collapsed intervals of
// (difference in days between start and end) + 1. nullopt when an interval has no fixed ends.
std::optional<long> CumulativeDurationDays(std::vector<Interval> intervals);

// The completed years between two Dates (CQL CalculateAgeInYearsAt for Dates).
std::optional<int> AgeInYearsAt(const DateTime& birth_date, const DateTime& as_of);

}  // namespace bp::measures
