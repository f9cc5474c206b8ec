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

Date D(int y, int m, int d) { return Date::FromYmd(y, m, d); }

TEST(DateAddMonths, SameDayInTheTargetMonth) {
  EXPECT_EQ(D(2026, 3, 15).AddMonths(1), D(2026, 4, 15));
  EXPECT_EQ(D(2026, 3, 15).AddMonths(-1), D(2026, 2, 15));
  EXPECT_EQ(D(2026, 3, 15).AddMonths(0), D(2026, 3, 15));
  // Across year ends, both ways, and by many years.
  EXPECT_EQ(D(2026, 11, 10).AddMonths(3), D(2027, 2, 10));
  EXPECT_EQ(D(2026, 2, 10).AddMonths(-3), D(2025, 11, 10));
  EXPECT_EQ(D(2026, 1, 1).AddMonths(-1), D(2025, 12, 1));
  EXPECT_EQ(D(2026, 12, 1).AddMonths(1), D(2027, 1, 1));
  EXPECT_EQ(D(2026, 6, 30).AddMonths(-120), D(2016, 6, 30));
  EXPECT_EQ(D(2026, 6, 30).AddMonths(24), D(2028, 6, 30));
}

TEST(DateAddMonths, ClampsToTheEndOfAShorterMonth) {
  EXPECT_EQ(D(2026, 3, 31).AddMonths(-1), D(2026, 2, 28));
  EXPECT_EQ(D(2026, 1, 31).AddMonths(1), D(2026, 2, 28));
  EXPECT_EQ(D(2026, 1, 31).AddMonths(3), D(2026, 4, 30));
  EXPECT_EQ(D(2026, 5, 31).AddMonths(-1), D(2026, 4, 30));
  EXPECT_EQ(D(2026, 8, 31).AddMonths(1), D(2026, 9, 30));
  // The clamp does not carry: the 30th of April plus one month is the 30th of May.
  EXPECT_EQ(D(2026, 4, 30).AddMonths(1), D(2026, 5, 30));
  EXPECT_EQ(D(2026, 1, 30).AddMonths(1), D(2026, 2, 28));
}

TEST(DateAddMonths, LeapYears) {
  EXPECT_EQ(D(2024, 1, 31).AddMonths(1), D(2024, 2, 29));  // leap year
  EXPECT_EQ(D(2024, 3, 31).AddMonths(-1), D(2024, 2, 29));
  EXPECT_EQ(D(2024, 2, 29).AddMonths(12), D(2025, 2, 28));  // to a common year
  EXPECT_EQ(D(2024, 2, 29).AddMonths(-12), D(2023, 2, 28));
  EXPECT_EQ(D(2024, 2, 29).AddMonths(48), D(2028, 2, 29));  // leap to leap
  EXPECT_EQ(D(2000, 1, 31).AddMonths(1), D(2000, 2, 29));   // divisible by 400: leap
  EXPECT_EQ(D(1900, 1, 31).AddMonths(1), D(1900, 2, 28));   // divisible by 100 only: common
  EXPECT_EQ(D(2100, 3, 31).AddMonths(-1), D(2100, 2, 28));
}

TEST(DateAddMonths, ResultsAreValidDatesAndRoundTripWhereTheDayFits) {
  for (Date d = D(2023, 1, 1); d < D(2025, 1, 1); d = d.AddDays(1)) {
    for (int n : {-25, -13, -12, -6, -1, 1, 6, 12, 13, 25}) {
      const Date r = d.AddMonths(n);
      ASSERT_TRUE(Date::IsValid(r.year(), r.month(), r.day())) << d.ToString() << " " << n;
      const int months = (r.year() - d.year()) * 12 + (r.month() - d.month());
      EXPECT_EQ(months, n) << d.ToString() << " " << n;
      EXPECT_LE(r.day(), d.day()) << d.ToString() << " " << n;
      if (d.day() <= 28) {
        EXPECT_EQ(r.AddMonths(-n), d) << d.ToString() << " " << n;
      }
    }
  }
}

TEST(DateAddMonths, StopsAtTheFirstRepresentableDate) {
  EXPECT_EQ(D(1, 3, 15).AddMonths(-2), D(1, 1, 15));
  EXPECT_EQ(D(1, 3, 15).AddMonths(-3), D(1, 1, 1));
  EXPECT_EQ(D(1, 1, 1).AddMonths(-1000), D(1, 1, 1));
}

TEST(WithinMonths, BothBoundsIncluded) {
  const Date ref = D(2026, 6, 15);
  EXPECT_TRUE(WithinMonths(D(2026, 6, 15), ref, 12));   // the reference day itself
  EXPECT_TRUE(WithinMonths(D(2025, 6, 15), ref, 12));   // exactly 12 months before
  EXPECT_FALSE(WithinMonths(D(2025, 6, 14), ref, 12));  // one day more
  EXPECT_TRUE(WithinMonths(D(2025, 6, 16), ref, 12));
  EXPECT_FALSE(WithinMonths(D(2026, 6, 16), ref, 12));  // after the reference: not within
  EXPECT_TRUE(WithinMonths(D(2026, 6, 15), ref, 0));
  EXPECT_FALSE(WithinMonths(D(2026, 6, 14), ref, 0));
}

TEST(WithinMonths, EndOfMonthAndLeapDayReferences) {
  // 3 months before 31 May is 28 February (clamped): 28 Feb is in, 27 Feb is not.
  EXPECT_TRUE(WithinMonths(D(2026, 2, 28), D(2026, 5, 31), 3));
  EXPECT_FALSE(WithinMonths(D(2026, 2, 27), D(2026, 5, 31), 3));
  // In a leap year the bound is 29 February.
  EXPECT_TRUE(WithinMonths(D(2024, 2, 29), D(2024, 5, 31), 3));
  EXPECT_FALSE(WithinMonths(D(2024, 2, 28), D(2024, 5, 31), 3));
  // From a leap day, 12 months back is 28 February of the year before.
  EXPECT_TRUE(WithinMonths(D(2023, 2, 28), D(2024, 2, 29), 12));
  EXPECT_FALSE(WithinMonths(D(2023, 2, 27), D(2024, 2, 29), 12));
  // 24 months back from 29 February is 28 February two years before (not 1 March).
  EXPECT_TRUE(WithinMonths(D(2022, 2, 28), D(2024, 2, 29), 24));
  EXPECT_FALSE(WithinMonths(D(2022, 2, 27), D(2024, 2, 29), 24));
}

TEST(CompletedYears, BirthdaysOnBothSides) {
  EXPECT_EQ(CompletedYears(D(1950, 6, 15), D(2026, 6, 14)), 75);
  EXPECT_EQ(CompletedYears(D(1950, 6, 15), D(2026, 6, 15)), 76);
  EXPECT_EQ(CompletedYears(D(1950, 6, 15), D(2026, 6, 16)), 76);
  EXPECT_EQ(CompletedYears(D(1950, 6, 15), D(2026, 5, 31)), 75);
  // Born on a leap day: the birthday in a common year falls after 28 February.
  EXPECT_EQ(CompletedYears(D(1952, 2, 29), D(2026, 2, 28)), 73);
  EXPECT_EQ(CompletedYears(D(1952, 2, 29), D(2026, 3, 1)), 74);
  EXPECT_EQ(CompletedYears(D(1952, 2, 29), D(2028, 2, 29)), 76);
}

TEST(Date, ParseRejectsWhatIsNotAStrictCalendarDate) {
  EXPECT_TRUE(Date::Parse("2024-02-29").has_value());
  EXPECT_FALSE(Date::Parse("2026-02-29").has_value());
  EXPECT_FALSE(Date::Parse("2026-02-30").has_value());
  EXPECT_FALSE(Date::Parse("2026-13-01").has_value());
  EXPECT_FALSE(Date::Parse("2026-00-10").has_value());
  EXPECT_FALSE(Date::Parse("2026-04-31").has_value());
  EXPECT_FALSE(Date::Parse("0000-01-01").has_value());
  EXPECT_FALSE(Date::Parse("2026-1-01").has_value());
  EXPECT_FALSE(Date::Parse("2026/01/01").has_value());
  EXPECT_FALSE(Date::Parse("2026-01-01T00:00").has_value());
  EXPECT_FALSE(Date::Parse("").has_value());
}

TEST(Date, DaysAndDaysBetween) {
  EXPECT_EQ(D(1970, 1, 1).days(), 0);
  EXPECT_EQ(Date::FromDays(0), D(1970, 1, 1));
  EXPECT_EQ(DaysBetween(D(2024, 2, 28), D(2024, 3, 1)), 2);
  EXPECT_EQ(DaysBetween(D(2026, 2, 28), D(2026, 3, 1)), 1);
  EXPECT_EQ(DaysBetween(D(2026, 3, 1), D(2026, 2, 28)), -1);
  EXPECT_EQ(DaysBetween(D(2025, 1, 1), D(2026, 1, 1)), 365);
  EXPECT_EQ(DaysBetween(D(2024, 1, 1), D(2025, 1, 1)), 366);
}

}  // namespace
}  // namespace bp
