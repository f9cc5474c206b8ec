// Calendar dates (proleptic Gregorian, no time of day, no zone): the unit of every clinical
// time window. Windows count back from the assessment date ("as_of").
#pragma once

#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bp {

class Date {
 public:
  constexpr Date() = default;
  // REQUIRES: a valid calendar date (use Parse or IsValid for untrusted input).
  static Date FromYmd(int y, int m, int d);
  static Date FromDays(int days_since_epoch);
  // Strict YYYY-MM-DD; nullopt for anything else, including 2026-13-01 and 2026-02-30.
  static std::optional<Date> Parse(std::string_view s);
  static bool IsValid(int y, int m, int d);
  // Today in UTC (the CLI's default as_of).
  static Date TodayUtc();

  int year() const { return y_; }
  int month() const { return m_; }
  int day() const { return d_; }
  // Days since 1970-01-01.
  int days() const;
  std::string ToString() const;
  // Writes ToString()'s characters into out (at least kBufferSize bytes, not null-terminated);
  // returns their number.
  static constexpr std::size_t kBufferSize = 48;
  std::size_t WriteTo(char* out) const;

  // Same day N calendar months later (N may be negative); the day is clamped to the month's
  // end (2026-03-31 - 1 month = 2026-02-28).
  Date AddMonths(int n) const;
  Date AddDays(int n) const { return FromDays(days() + n); }

  friend constexpr bool operator==(const Date&, const Date&) = default;
  friend constexpr auto operator<=>(const Date& a, const Date& b) {
    if (auto c = a.y_ <=> b.y_; c != 0) return c;
    if (auto c = a.m_ <=> b.m_; c != 0) return c;
    return a.d_ <=> b.d_;
  }

 private:
  int y_ = 1970, m_ = 1, d_ = 1;
};

// Completed years from `from` to `to` (age on a date).
int CompletedYears(Date from, Date to);
// Days from a to b (b - a).
inline int DaysBetween(Date a, Date b) { return b.days() - a.days(); }
// True when `event` lies within the last `months` calendar months of `ref`, bound included
// (catalogue §0.3.3): event >= ref - months and event <= ref.
inline bool WithinMonths(Date event, Date ref, int months) {
  return event >= ref.AddMonths(-months) && event <= ref;
}

}  // namespace bp
