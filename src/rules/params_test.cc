#include "rules/params.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace bp {
namespace {

std::string PrintfG(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

TEST(Threshold, DescribeWritesTheComparatorTheValueAndTheUnit) {
  EXPECT_EQ((Threshold{35, Comparator::kLt}).Describe("mL/min"), "< 35 mL/min");
  EXPECT_EQ((Threshold{-2.5, Comparator::kLe}).Describe("1"), "\xE2\x89\xA4 -2.5");
  EXPECT_EQ((Threshold{20, Comparator::kGe}).Describe("%"), "\xE2\x89\xA5 20 %");
  EXPECT_EQ((Threshold{0.05, Comparator::kGt}).Describe(""), "> 0.05");
  EXPECT_EQ((Threshold{7.5, Comparator::kEq}).Describe("mg/day"), "= 7.5 mg/day");
  EXPECT_EQ((Threshold{3, Comparator::kNone}).Describe("months"), "3 months");
}

TEST(Threshold, KeptTextIsTheFormattedValue) {
  for (double v : {35.0, -2.5, 0.05, 7.5, 1e-7, 123456789.0, -0.0}) {
    Threshold t{v, Comparator::kLe};
    const std::string formatted = t.Describe("mL/min");
    t.KeepText();
    EXPECT_EQ(t.Describe("mL/min"), formatted) << v;
  }
}

// The value is written exactly as printf's "%g" would, whichever path is taken.
TEST(Threshold, ValueMatchesPrintfG) {
  std::vector<double> values = {0,      -0.0,    1,      -1,   2.5,   -2.5,    0.05,    0.1,
                                0.125,  0.001,   0.0001, 1e-5, 999.5, 999.999, 1000,    12345,
                                123456, 1234567, 1e6,    1e15, -3.25, 1.0 / 3, 2.0 / 3, 0.3};
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> whole(-200000, 200000);
  std::uniform_int_distribution<int> dec(0, 4);
  std::uniform_real_distribution<double> any(-1e4, 1e4);
  for (int i = 0; i < 20000; ++i) {
    static constexpr double kScale[] = {1, 10, 100, 1000, 10000};
    values.push_back(whole(rng) / kScale[dec(rng)]);
    values.push_back(any(rng));
  }
  for (double v : values) {
    const Threshold t{v, Comparator::kNone};
    char buf[Threshold::kValueBuffer];
    ASSERT_EQ(std::string(buf, t.WriteValue(buf)), PrintfG(v)) << v;
  }
}

}  // namespace
}  // namespace bp
