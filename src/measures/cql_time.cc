#include "measures/cql_time.h"

#include <algorithm>
#include <cstdio>

namespace bp::measures {
namespace {

constexpr int kFieldsDateTime = 7;
constexpr int kFieldsDate = 3;
constexpr long long kMsPerMinute = 60'000;
constexpr long long kMsPerDay = 86'400'000;

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long long>(era) * 146097 + doe - 719468;
}

void CivilFromDays(long long z, int& y, int& m, int& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

enum class Cmp { kLess, kEqual, kGreater, kUnknown };

}  // namespace

Tri And(Tri a, Tri b) {
  if (a.has_value() && !*a) return false;
  if (b.has_value() && !*b) return false;
  if (!a.has_value() || !b.has_value()) return std::nullopt;
  return true;
}

Tri Or(Tri a, Tri b) {
  if (a.has_value() && *a) return true;
  if (b.has_value() && *b) return true;
  if (!a.has_value() || !b.has_value()) return std::nullopt;
  return false;
}

Tri Not(Tri a) {
  if (!a.has_value()) return std::nullopt;
  return !*a;
}

namespace {

int Digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Milliseconds since the epoch of the value's earliest instant, ignoring the zone.
long long LocalMs(const std::array<int16_t, 7>& f) {
  return DaysFromCivil(f[0], f[1], f[2]) * kMsPerDay + f[3] * 3'600'000LL + f[4] * kMsPerMinute +
         f[5] * 1000LL + f[6];
}

std::array<int16_t, 7> FieldsFromLocalMs(long long ms) {
  long long days = ms / kMsPerDay;
  long long rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  int y = 0, m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  std::array<int16_t, 7> f{};
  f[0] = static_cast<int16_t>(y);
  f[1] = static_cast<int16_t>(m);
  f[2] = static_cast<int16_t>(d);
  f[3] = static_cast<int16_t>(rem / 3'600'000);
  f[4] = static_cast<int16_t>(rem / kMsPerMinute % 60);
  f[5] = static_cast<int16_t>(rem / 1000 % 60);
  f[6] = static_cast<int16_t>(rem % 1000);
  return f;
}

// Walks the fields like cql-execution's DateTime comparisons do.
Cmp Compare(DateTime a, DateTime b, Precision p) {
  if (a.is_date() && !b.is_date()) a = a.AsDateTime();
  if (!a.is_date() && b.is_date()) b = b.AsDateTime();
  const bool finer_than_day = p == Precision::kNone || static_cast<int>(p) > 2;
  if (!a.is_date() && finer_than_day && a.tz_minutes() != b.tz_minutes())
    b = b.AtOffset(a.tz_minutes());
  const int max_fields = a.is_date() ? kFieldsDate : kFieldsDateTime;
  for (int i = 0; i < max_fields; ++i) {
    const bool ha = i < a.fields(), hb = i < b.fields();
    if (ha && hb) {
      if (a.field(i) < b.field(i)) return Cmp::kLess;
      if (a.field(i) > b.field(i)) return Cmp::kGreater;
    } else if (!ha && !hb) {
      return p == Precision::kNone ? Cmp::kEqual : Cmp::kUnknown;
    } else {
      return Cmp::kUnknown;
    }
    if (p != Precision::kNone && i == static_cast<int>(p)) break;
  }
  return Cmp::kEqual;
}

}  // namespace

std::optional<DateTime> DateTime::Parse(std::string_view s) {
  DateTime d;
  d.date_ = false;
  d.tz_ = 0;
  d.f_ = {0, 1, 1, 0, 0, 0, 0};
  const int y = Digits(s, 0, 4);
  if (y < 1) return std::nullopt;
  d.f_[0] = static_cast<int16_t>(y);
  d.n_ = 1;
  std::size_t pos = 4;
  if (pos == s.size()) return d;
  if (s[pos] != '-') return std::nullopt;
  const int mo = Digits(s, pos + 1, 2);
  if (mo < 1 || mo > 12) return std::nullopt;
  d.f_[1] = static_cast<int16_t>(mo);
  d.n_ = 2;
  pos += 3;
  if (pos == s.size()) return d;
  if (s[pos] != '-') return std::nullopt;
  const int day = Digits(s, pos + 1, 2);
  if (day < 1 || day > DaysInMonth(y, mo)) return std::nullopt;
  d.f_[2] = static_cast<int16_t>(day);
  d.n_ = 3;
  pos += 3;
  if (pos == s.size()) return d;
  if (s[pos] != 'T') return std::nullopt;
  const int h = Digits(s, pos + 1, 2);
  if (h < 0 || h > 23) return std::nullopt;
  d.f_[3] = static_cast<int16_t>(h);
  d.n_ = 4;
  pos += 3;
  if (pos < s.size() && s[pos] == ':') {
    const int mi = Digits(s, pos + 1, 2);
    if (mi < 0 || mi > 59) return std::nullopt;
    d.f_[4] = static_cast<int16_t>(mi);
    d.n_ = 5;
    pos += 3;
    if (pos < s.size() && s[pos] == ':') {
      const int sec = Digits(s, pos + 1, 2);
      if (sec < 0 || sec > 59) return std::nullopt;
      d.f_[5] = static_cast<int16_t>(sec);
      d.n_ = 6;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
        // The first three digits are the milliseconds (".5" is 500 ms, ".1234" 123 ms).
        int ms = 0;
        for (std::size_t i = 0; i < 3; ++i)
          ms = ms * 10 + (start + i < pos ? s[start + i] - '0' : 0);
        d.f_[6] = static_cast<int16_t>(ms);
        d.n_ = 7;
      }
    }
  }
  if (pos == s.size()) return d;  // no zone: UTC
  if (s[pos] == 'Z') {
    if (pos + 1 != s.size()) return std::nullopt;
    return d;
  }
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int oh = Digits(s, pos + 1, 2);
  if (oh < 0 || oh > 14) return std::nullopt;
  int om = 0;
  std::size_t end = pos + 3;
  if (end < s.size()) {
    if (s[end] == ':') ++end;
    om = Digits(s, end, 2);
    if (om < 0 || om > 59) return std::nullopt;
    end += 2;
  }
  if (end != s.size()) return std::nullopt;
  d.tz_ = static_cast<int16_t>((s[pos] == '-' ? -1 : 1) * (oh * 60 + om));
  return d;
}

DateTime DateTime::MakeDate(int year, int month, int day) {
  DateTime d;
  d.date_ = true;
  d.tz_ = 0;
  d.f_ = {static_cast<int16_t>(year),
          static_cast<int16_t>(month > 0 ? month : 1),
          static_cast<int16_t>(day > 0 ? day : 1),
          0,
          0,
          0,
          0};
  d.n_ = static_cast<int8_t>(month <= 0 ? 1 : day <= 0 ? 2 : 3);
  return d;
}

DateTime DateTime::MakeDateTime(int year, int month, int day, int hour, int minute, int second,
                                int millisecond, int tz_minutes) {
  DateTime d;
  d.date_ = false;
  d.tz_ = static_cast<int16_t>(tz_minutes);
  d.f_ = {static_cast<int16_t>(year),       static_cast<int16_t>(month),
          static_cast<int16_t>(day),        static_cast<int16_t>(hour),
          static_cast<int16_t>(minute),     static_cast<int16_t>(second),
          static_cast<int16_t>(millisecond)};
  d.n_ = kFieldsDateTime;
  return d;
}

DateTime DateTime::MinValue(bool date) {
  return date ? MakeDate(1, 1, 1) : MakeDateTime(1, 1, 1, 0, 0, 0, 0, 0);
}

DateTime DateTime::MaxValue(bool date) {
  return date ? MakeDate(9999, 12, 31) : MakeDateTime(9999, 12, 31, 23, 59, 59, 999, 0);
}

DateTime DateTime::DateFrom() const {
  return MakeDate(f_[0], n_ >= 2 ? f_[1] : 0, n_ >= 3 ? f_[2] : 0);
}

DateTime DateTime::AsDateTime() const {
  if (!date_) return *this;
  DateTime d = *this;
  d.date_ = false;
  d.tz_ = 0;
  return d;
}

DateTime DateTime::AtOffset(int tz_minutes) const {
  if (date_ || tz_minutes == tz_) return *this;
  DateTime d = *this;
  // Unknown fields take their floor (luxon's defaults), then the precision is reduced again.
  std::array<int16_t, 7> full{0, 1, 1, 0, 0, 0, 0};
  for (int i = 0; i < n_; ++i) full[static_cast<std::size_t>(i)] = f_[static_cast<std::size_t>(i)];
  const long long ms = LocalMs(full) + (tz_minutes - tz_) * kMsPerMinute;
  d.f_ = FieldsFromLocalMs(ms);
  d.tz_ = static_cast<int16_t>(tz_minutes);
  return d;
}

std::optional<DateTime> DateTime::Add(int amount, CalendarUnit unit) const {
  if (amount == 0) return *this;
  const int unit_field = unit == CalendarUnit::kYear ? 0 : unit == CalendarUnit::kMonth ? 1 : 2;
  std::array<int16_t, 7> full{0, 1, 1, 0, 0, 0, 0};
  for (int i = 0; i < n_; ++i) full[static_cast<std::size_t>(i)] = f_[static_cast<std::size_t>(i)];
  // Subtracting a unit finer than the value: start from the latest instant the value allows.
  if (unit_field >= n_ && amount < 0) {
    static constexpr int16_t kCeil[] = {0, 12, 31, 23, 59, 59, 999};
    for (int i = n_; i < kFieldsDateTime; ++i) {
      full[static_cast<std::size_t>(i)] =
          i == 2 ? static_cast<int16_t>(DaysInMonth(full[0], full[1])) : kCeil[i];
    }
  }
  if (unit == CalendarUnit::kYear || unit == CalendarUnit::kMonth) {
    const int months = unit == CalendarUnit::kYear ? amount * 12 : amount;
    const int total = full[0] * 12 + (full[1] - 1) + months;
    const int ny = total / 12;
    const int nm = total % 12 + 1;
    if (ny < 1 || ny > 9999) return std::nullopt;
    full[0] = static_cast<int16_t>(ny);
    full[1] = static_cast<int16_t>(nm);
    full[2] = static_cast<int16_t>(std::min<int>(full[2], DaysInMonth(ny, nm)));
  } else {
    const int days = unit == CalendarUnit::kWeek ? amount * 7 : amount;
    const long long ms = LocalMs(full) + days * kMsPerDay;
    full = FieldsFromLocalMs(ms);
    if (full[0] < 1 || full[0] > 9999) return std::nullopt;
  }
  DateTime d = *this;
  d.f_ = full;
  return d;
}

std::optional<DateTime> DateTime::Successor() const {
  if (n_ >= 3) {
    std::array<int16_t, 7> full{0, 1, 1, 0, 0, 0, 0};
    for (int i = 0; i < n_; ++i)
      full[static_cast<std::size_t>(i)] = f_[static_cast<std::size_t>(i)];
    static constexpr long long kStep[] = {0, 0, kMsPerDay, 3'600'000, 60'000, 1000, 1};
    DateTime d = *this;
    d.f_ = FieldsFromLocalMs(LocalMs(full) + kStep[n_ - 1]);
    if (d.f_[0] > 9999) return std::nullopt;
    return d;
  }
  return Add(1, n_ == 2 ? CalendarUnit::kMonth : CalendarUnit::kYear);
}

std::optional<DateTime> DateTime::Predecessor() const {
  if (n_ >= 3) {
    std::array<int16_t, 7> full{0, 1, 1, 0, 0, 0, 0};
    for (int i = 0; i < n_; ++i)
      full[static_cast<std::size_t>(i)] = f_[static_cast<std::size_t>(i)];
    static constexpr long long kStep[] = {0, 0, kMsPerDay, 3'600'000, 60'000, 1000, 1};
    DateTime d = *this;
    d.f_ = FieldsFromLocalMs(LocalMs(full) - kStep[n_ - 1]);
    if (d.f_[0] < 1) return std::nullopt;
    return d;
  }
  return Add(-1, n_ == 2 ? CalendarUnit::kMonth : CalendarUnit::kYear);
}

std::string DateTime::ToString() const {
  char buf[48];
  int len = std::snprintf(buf, sizeof buf, "%04d", f_[0]);
  static constexpr const char* kFmt[] = {"", "-%02d", "-%02d", "T%02d", ":%02d", ":%02d", ".%03d"};
  for (int i = 1; i < n_; ++i)
    len += std::snprintf(buf + len, sizeof buf - static_cast<std::size_t>(len), kFmt[i],
                         f_[static_cast<std::size_t>(i)]);
  if (!date_ && n_ > 3) {
    if (tz_ == 0) {
      len += std::snprintf(buf + len, sizeof buf - static_cast<std::size_t>(len), "Z");
    } else {
      const int a = tz_ < 0 ? -tz_ : tz_;
      len += std::snprintf(buf + len, sizeof buf - static_cast<std::size_t>(len), "%c%02d:%02d",
                           tz_ < 0 ? '-' : '+', a / 60, a % 60);
    }
  }
  return std::string(buf, static_cast<std::size_t>(len));
}

int DateTime::EpochDay() const { return static_cast<int>(DaysFromCivil(f_[0], f_[1], f_[2])); }

namespace {

// The answer of a point comparison for each outcome of Compare; null when unknown.
Tri Answer(Cmp c, bool if_less, bool if_equal, bool if_greater) {
  switch (c) {
    case Cmp::kLess:
      return if_less;
    case Cmp::kEqual:
      return if_equal;
    case Cmp::kGreater:
      return if_greater;
    case Cmp::kUnknown:
      break;
  }
  return std::nullopt;
}

}  // namespace

Tri Before(const DateTime& a, const DateTime& b, Precision p) {
  return Answer(Compare(a, b, p), true, false, false);
}

Tri After(const DateTime& a, const DateTime& b, Precision p) {
  return Answer(Compare(a, b, p), false, false, true);
}

Tri SameOrBefore(const DateTime& a, const DateTime& b, Precision p) {
  return Answer(Compare(a, b, p), true, true, false);
}

Tri SameOrAfter(const DateTime& a, const DateTime& b, Precision p) {
  return Answer(Compare(a, b, p), false, true, true);
}

Tri SameAs(const DateTime& a, const DateTime& b, Precision p) {
  return Answer(Compare(a, b, p), false, true, false);
}

Tri Before(const std::optional<DateTime>& a, const std::optional<DateTime>& b, Precision p) {
  if (!a || !b) return std::nullopt;
  return Before(*a, *b, p);
}

Tri SameOrBefore(const std::optional<DateTime>& a, const std::optional<DateTime>& b, Precision p) {
  if (!a || !b) return std::nullopt;
  return SameOrBefore(*a, *b, p);
}

Tri SameOrAfter(const std::optional<DateTime>& a, const std::optional<DateTime>& b, Precision p) {
  if (!a || !b) return std::nullopt;
  return SameOrAfter(*a, *b, p);
}

namespace {

bool PointIsDate(const Interval& i) {
  if (i.low) return i.low->is_date();
  if (i.high) return i.high->is_date();
  return false;
}

struct Closed {
  Bound low, high;
};

Bound Certain(const DateTime& d) { return {d, d, false}; }

// cql-execution Interval.toClosed().
Closed ToClosed(const Interval& i) {
  const bool date = PointIsDate(i);
  std::optional<DateTime> low, high;
  if (i.low_closed && !i.low) {
    low = DateTime::MinValue(date);
  } else if (!i.low_closed && i.low) {
    low = i.low->Successor();
  } else {
    low = i.low;
  }
  if (i.high_closed && !i.high) {
    high = DateTime::MaxValue(date);
  } else if (!i.high_closed && i.high) {
    high = i.high->Predecessor();
  } else {
    high = i.high;
  }
  Closed c;
  c.low = low ? Certain(*low)
              : Bound{DateTime::MinValue(date), high.value_or(DateTime::MaxValue(date)), true};
  c.high = high ? Certain(*high) : Bound{c.low.lo, DateTime::MaxValue(date), true};
  return c;
}

// Bound comparisons (cql-execution util/comparison with Uncertainty operands: an uncertain side
// ignores the precision, like the reference engine).
Tri BoundLess(const Bound& a, const Bound& b, Precision p) {
  if (!a.uncertain && !b.uncertain) return Before(a.lo, b.lo, p);
  if (IsTrue(Before(a.hi, b.lo))) return true;
  if (IsTrue(SameOrAfter(a.lo, b.hi))) return false;
  return std::nullopt;
}

Tri BoundGreater(const Bound& a, const Bound& b, Precision p) {
  if (!a.uncertain && !b.uncertain) return After(a.lo, b.lo, p);
  if (IsTrue(After(a.lo, b.hi))) return true;
  if (IsTrue(SameOrBefore(a.hi, b.lo))) return false;
  return std::nullopt;
}

Tri BoundLessOrEqual(const Bound& a, const Bound& b, Precision p) {
  if (!a.uncertain && !b.uncertain) return SameOrBefore(a.lo, b.lo, p);
  return Not(BoundGreater(a, b, p));
}

Tri BoundGreaterOrEqual(const Bound& a, const Bound& b, Precision p) {
  if (!a.uncertain && !b.uncertain) return SameOrAfter(a.lo, b.lo, p);
  return Not(BoundLess(a, b, p));
}

bool IsUnknownInterval(const Interval& i) {
  return !i.low && !i.low_closed && !i.high && !i.high_closed;
}
bool IsBoundless(const Interval& i) { return !i.low && i.low_closed && !i.high && i.high_closed; }

}  // namespace

std::optional<DateTime> Interval::Start() const {
  if (!low) {
    if (low_closed) return DateTime::MinValue(PointIsDate(*this));
    return std::nullopt;
  }
  if (low_closed) return low;
  return low->Successor();
}

std::optional<DateTime> Interval::End() const {
  if (!high) {
    if (high_closed) return DateTime::MaxValue(PointIsDate(*this));
    return std::nullopt;
  }
  if (high_closed) return high;
  return high->Predecessor();
}

Tri In(const std::optional<DateTime>& point, const std::optional<Interval>& ivl, Precision p) {
  if (!ivl) return false;
  if (!point) return std::nullopt;
  const Interval& i = *ivl;
  if (i.low_closed && i.low && IsTrue(SameAs(*i.low, *point))) return true;
  if (i.high_closed && i.high && IsTrue(SameAs(*i.high, *point))) return true;
  Tri lo, hi;
  if (i.low_closed && !i.low) {
    lo = true;
  } else if (!i.low) {
    lo = std::nullopt;
  } else {
    lo = i.low_closed ? SameOrBefore(*i.low, *point, p) : Before(*i.low, *point, p);
  }
  if (i.high_closed && !i.high) {
    hi = true;
  } else if (!i.high) {
    hi = std::nullopt;
  } else {
    hi = i.high_closed ? SameOrAfter(*i.high, *point, p) : After(*i.high, *point, p);
  }
  return And(lo, hi);
}

Tri IncludedIn(const std::optional<Interval>& a, const std::optional<Interval>& b, Precision p) {
  if (!a || !b) return std::nullopt;
  const Closed container = ToClosed(*b);
  const Closed contained = ToClosed(*a);
  return And(BoundLessOrEqual(container.low, contained.low, p),
             BoundGreaterOrEqual(container.high, contained.high, p));
}

Tri Overlaps(const std::optional<Interval>& a, const std::optional<Interval>& b, Precision p) {
  if (!a || !b || IsUnknownInterval(*a) || IsUnknownInterval(*b)) return std::nullopt;
  if (IsBoundless(*a) || IsBoundless(*b)) return true;
  const Closed x = ToClosed(*a);
  const Closed y = ToClosed(*b);
  return And(BoundLessOrEqual(x.low, y.high, p), BoundGreaterOrEqual(x.high, y.low, p));
}

Tri IntervalBefore(const std::optional<Interval>& a, const std::optional<DateTime>& point,
                   Precision p) {
  if (!a || !point) return std::nullopt;
  return BoundLess(ToClosed(*a).high, Certain(*point), p);
}

std::optional<Interval> Intersect(const std::optional<Interval>& a,
                                  const std::optional<Interval>& b) {
  if (!a || !b) return std::nullopt;
  if (!IsTrue(Overlaps(a, b))) return std::nullopt;
  const Closed x = ToClosed(*a);
  const Closed y = ToClosed(*b);
  Interval r;
  const auto more_precise = [](const Bound& u, const Bound& v) {
    return !u.uncertain && !v.uncertain && u.lo.fields() > v.lo.fields();
  };
  if (IsTrue(BoundGreaterOrEqual(x.low, y.low, Precision::kNone))) {
    r.low = a->low, r.low_closed = a->low_closed;
  } else if (IsTrue(BoundLessOrEqual(x.low, y.low, Precision::kNone)) ||
             more_precise(y.low, x.low)) {
    r.low = b->low, r.low_closed = b->low_closed;
  } else {
    r.low = a->low, r.low_closed = a->low_closed;
  }
  if (IsTrue(BoundLessOrEqual(x.high, y.high, Precision::kNone))) {
    r.high = a->high, r.high_closed = a->high_closed;
  } else if (IsTrue(BoundGreaterOrEqual(x.high, y.high, Precision::kNone)) ||
             more_precise(y.high, x.high)) {
    r.high = b->high, r.high_closed = b->high_closed;
  } else {
    r.high = a->high, r.high_closed = a->high_closed;
  }
  return r;
}

std::optional<long> CumulativeDurationDays(std::vector<Interval> intervals) {
  // collapse ... per day (cql-execution collapseIntervals with a 1-day width), on raw bounds.
  std::vector<Interval> v;
  for (auto& i : intervals) {
    if (!i.low || !i.high || i.low->fields() < 3 || i.high->fields() < 3) return std::nullopt;
    v.push_back(i);
  }
  if (v.empty()) return std::nullopt;  // Sum of an empty list is null
  std::stable_sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
    if (a.low->EpochDay() != b.low->EpochDay()) return a.low->EpochDay() < b.low->EpochDay();
    return a.high->EpochDay() < b.high->EpochDay();
  });
  std::vector<Interval> out;
  Interval cur = v.front();
  for (std::size_t k = 1; k < v.size(); ++k) {
    const Interval& b = v[k];
    if (cur.high->EpochDay() >= b.low->EpochDay()) {
      if (b.high->EpochDay() > cur.high->EpochDay()) cur.high = b.high;
    } else if (b.low->EpochDay() - cur.high->EpochDay() <= 1) {
      cur.high = b.high;
    } else {
      out.push_back(cur);
      cur = b;
    }
  }
  out.push_back(cur);
  long sum = 0;
  for (const auto& i : out) sum += (i.high->EpochDay() - i.low->EpochDay()) + 1;
  return sum;
}

std::optional<int> AgeInYearsAt(const DateTime& birth_date, const DateTime& as_of) {
  if (birth_date.fields() < 3 || as_of.fields() < 3) return std::nullopt;
  int years = as_of.year() - birth_date.year();
  if (as_of.field(1) < birth_date.field(1) ||
      (as_of.field(1) == birth_date.field(1) && as_of.field(2) < birth_date.field(2)))
    --years;
  return years;
}

}  // namespace bp::measures
