#include "common/decimal.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace bp {
namespace {

std::string Reference(double v, int decimals) {
  char buf[kFixedBufferSize];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  return std::string(buf, r.ptr);
}

TEST(Decimal, Examples) {
  EXPECT_EQ(FormatFixed(41.8, 1), "41.8");
  EXPECT_EQ(FormatFixed(41.75, 1), Reference(41.75, 1));  // a tie in decimal, not in binary
  EXPECT_EQ(FormatFixed(9.2249, 2), "9.22");
  EXPECT_EQ(FormatFixed(-2.6, 1), "-2.6");
  EXPECT_EQ(FormatFixed(0.05, 2), "0.05");
  EXPECT_EQ(FormatFixed(0.004, 2), "0.00");
  EXPECT_EQ(FormatFixed(-0.04, 1), "-0.0");
  EXPECT_EQ(FormatFixed(-0.0, 1), "-0.0");
  EXPECT_EQ(FormatFixed(0.0, 0), "0");
  EXPECT_EQ(FormatFixed(35, 0), "35");
  EXPECT_EQ(FormatFixed(2.5, 0), "2");  // exact tie: to_chars rounds half to even
  EXPECT_EQ(FormatFixed(3.5, 0), "4");
  EXPECT_EQ(FormatFixed(0.125, 2), "0.12");
  EXPECT_EQ(FormatFixed(1e12, 1), "1000000000000.0");  // beyond the fast path
  EXPECT_EQ(FormatFixed(1.23456, 5), "1.23456");
  EXPECT_EQ(FormatFixed(std::numeric_limits<double>::infinity(), 1), "inf");
  EXPECT_EQ(FormatFixed(std::nan(""), 1), "nan");
}

// The fast path must agree with to_chars everywhere: random values of every magnitude the
// engine formats, values one ulp either side of decimal ties, and every precision it uses.
TEST(Decimal, AgreesWithToChars) {
  std::mt19937_64 rng(20261123);
  std::uniform_real_distribution<double> mag(-6, 9);
  std::uniform_int_distribution<int> dec(0, 3);
  for (int i = 0; i < 300000; ++i) {
    const int d = dec(rng);
    double v = std::pow(10.0, mag(rng));
    if (i % 2) v = -v;
    ASSERT_EQ(FormatFixed(v, d), Reference(v, d)) << v << " " << d;
  }
  for (int d = 0; d <= 3; ++d) {
    for (int k = -20000; k <= 20000; ++k) {
      const double tie = (k + 0.5) / std::pow(10.0, d);
      for (double v : {tie, std::nextafter(tie, 0.0), std::nextafter(tie, 1e300),
                       std::nextafter(tie, -1e300)}) {
        ASSERT_EQ(FormatFixed(v, d), Reference(v, d)) << v << " " << d;
      }
    }
  }
}

// The fast path alone writes what WriteFixed writes, or nothing, and takes the values the
// engine formats (one to three decimals, ordinary magnitudes) without falling back.
TEST(Decimal, FastPathAloneAgreesOrDeclines) {
  std::mt19937_64 rng(20261124);
  std::uniform_real_distribution<double> mag(-6, 10);
  std::uniform_int_distribution<int> dec(-1, 5);
  int taken = 0;
  for (int i = 0; i < 200000; ++i) {
    const int d = dec(rng);
    double v = std::pow(10.0, mag(rng));
    if (i % 2) v = -v;
    char fast[kFixedFastSize + 8];
    std::memset(fast, '#', sizeof fast);
    const std::size_t n = WriteFixedFast(fast, v, d);
    ASSERT_LE(n, kFixedFastSize);
    for (std::size_t j = n; j < sizeof fast; ++j) ASSERT_EQ(fast[j], '#') << v << " " << d;
    if (n == 0) continue;
    ++taken;
    ASSERT_EQ(std::string(fast, n), Reference(v, d)) << v << " " << d;
  }
  EXPECT_GT(taken, 50000);
  char buf[kFixedFastSize];
  EXPECT_EQ(std::string(buf, WriteFixedFast(buf, 41.8, 1)), "41.8");
  EXPECT_EQ(std::string(buf, WriteFixedFast(buf, -999999999.4, 3)), "-999999999.400");
  EXPECT_EQ(WriteFixedFast(buf, 1e9, 1), 0u);
  EXPECT_EQ(WriteFixedFast(buf, 2.5, 0), 0u);    // a tie: to_chars decides
  EXPECT_EQ(WriteFixedFast(buf, -0.04, 1), 0u);  // "-0.0"
  EXPECT_EQ(WriteFixedFast(buf, 1.5, 4), 0u);
}

}  // namespace
}  // namespace bp
