#include "common/date.h"

#include <gtest/gtest.h>

#include <string>

namespace bp {
namespace {

std::string Written(Date d) {
  char buf[Date::kBufferSize];
  return std::string(buf, d.WriteTo(buf));
}

TEST(Date, WritesIsoDatesAndParsesThemBack) {
  EXPECT_EQ(Date::FromYmd(2026, 11, 23).ToString(), "2026-11-23");
  EXPECT_EQ(Date::FromYmd(2026, 1, 5).ToString(), "2026-01-05");
  EXPECT_EQ(Date::FromYmd(5, 12, 31).ToString(), "0005-12-31");
  EXPECT_EQ(Date::FromYmd(9999, 12, 31).ToString(), "9999-12-31");
  EXPECT_EQ(Date::FromYmd(10000, 1, 1).ToString(), "10000-01-01");  // past the hand-written path
  // Every day of a leap year and of a common year round-trips, and WriteTo writes the same.
  for (Date d = Date::FromYmd(2023, 1, 1); d < Date::FromYmd(2025, 1, 1); d = d.AddDays(1)) {
    const std::string s = d.ToString();
    EXPECT_EQ(Written(d), s);
    const auto back = Date::Parse(s);
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, d) << s;
  }
}

}  // namespace
}  // namespace bp
