#include "common/date.h"

#include <chrono>
#include <cstdio>

namespace bp {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
int DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2) {
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[m - 1];
}

}  // namespace

bool Date::IsValid(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

Date Date::FromYmd(int y, int m, int d) {
  Date r;
  r.y_ = y;
  r.m_ = m;
  r.d_ = d;
  return r;
}

Date Date::FromDays(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return FromYmd(y + (m <= 2), static_cast<int>(m), static_cast<int>(d));
}

std::optional<Date> Date::Parse(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t n, int& out) {
    out = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, m, d;
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
  if (!IsValid(y, m, d)) return std::nullopt;
  return FromYmd(y, m, d);
}

Date Date::TodayUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  return FromDays(static_cast<int>(days));
}

int Date::days() const {
  return DaysFromCivil(y_, static_cast<unsigned>(m_), static_cast<unsigned>(d_));
}

std::size_t Date::WriteTo(char* out) const {
  // The engine writes dates into many statements: format "%04d-%02d-%02d" by hand for the
  // years a record can hold, and through snprintf otherwise.
  if (y_ >= 0 && y_ <= 9999 && m_ >= 1 && m_ <= 12 && d_ >= 1 && d_ <= 31) {
    out[0] = static_cast<char>('0' + y_ / 1000);
    out[1] = static_cast<char>('0' + y_ / 100 % 10);
    out[2] = static_cast<char>('0' + y_ / 10 % 10);
    out[3] = static_cast<char>('0' + y_ % 10);
    out[4] = '-';
    out[5] = static_cast<char>('0' + m_ / 10);
    out[6] = static_cast<char>('0' + m_ % 10);
    out[7] = '-';
    out[8] = static_cast<char>('0' + d_ / 10);
    out[9] = static_cast<char>('0' + d_ % 10);
    return 10;
  }
  const int n = std::snprintf(out, kBufferSize, "%04d-%02d-%02d", y_, m_, d_);
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

std::string Date::ToString() const {
  char buf[kBufferSize];
  return std::string(buf, WriteTo(buf));
}

Date Date::AddMonths(int n) const {
  int total = y_ * 12 + (m_ - 1) + n;
  int y = total / 12;
  int m = total % 12 + 1;
  int d = d_;
  if (y < 1) return FromYmd(1, 1, 1);
  if (d > DaysInMonth(y, m)) d = DaysInMonth(y, m);
  return FromYmd(y, m, d);
}

int CompletedYears(Date from, Date to) {
  int years = to.year() - from.year();
  if (to.month() < from.month() || (to.month() == from.month() && to.day() < from.day())) --years;
  return years;
}

}  // namespace bp
