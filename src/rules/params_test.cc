#include "rules/params.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

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
  EXPECT_EQ((Threshold{20, Comparator::kGe}).Describe("%"), "\xE2\x89\xA5 20%");
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

// ProfileReads: what Engine::Assess uses to skip a profile that would decide the same.
TEST(ProfileReads, SameOnlyWhenEveryRecordedParameterIsEqual) {
  CompiledProfile a, b;
  a.za_crcl = {35, Comparator::kLt};
  b.za_crcl = {35, Comparator::kLt};
  a.risk_model = RiskModel::kAace2020;
  b.risk_model = RiskModel::kEndocrineSociety;
  a.za_crcl.KeepText();  // the kept text is not part of the value

  ProfileReads reads;
  EXPECT_TRUE(reads.SameIn(a, b));  // nothing read: nothing can differ
  reads.Record(a, a.za_crcl);
  reads.Record(a, a.za_crcl);  // recorded once
  EXPECT_EQ(reads.size(), 1u);
  EXPECT_TRUE(reads.SameIn(a, b));
  reads.Record(a, a.risk_model);
  EXPECT_FALSE(reads.SameIn(a, b));

  ProfileReads other;
  b.za_crcl.cmp = Comparator::kLe;  // same number, other comparator
  other.Record(a, a.za_crcl);
  EXPECT_FALSE(other.SameIn(a, b));
}

// The engine compares the reads of a stretch of steps (those after Tier) on their own: a
// parameter read before the stretch and again in it must be among the stretch's records.
TEST(ProfileReads, ASegmentRecordsEveryParameterReadInIt) {
  CompiledProfile a, b;
  a.risk_model = RiskModel::kAace2020;
  b.risk_model = RiskModel::kEndocrineSociety;
  ProfileReads reads;
  reads.Record(a, a.risk_model);
  reads.Record(a, a.za_crcl);
  const std::size_t start = reads.size();
  EXPECT_EQ(start, 2u);
  EXPECT_FALSE(reads.SameIn(a, b, 0, start));
  EXPECT_TRUE(reads.SameIn(a, b, start));  // nothing recorded since
  reads.Record(a, a.za_crcl);              // without a new segment: already recorded
  EXPECT_EQ(reads.size(), start);
  reads.StartSegment();
  reads.Record(a, a.za_crcl);
  reads.Record(a, a.risk_model);
  reads.Record(a, a.risk_model);  // once per segment
  EXPECT_EQ(reads.size(), start + 2);
  EXPECT_FALSE(reads.SameIn(a, b, start));
  EXPECT_TRUE(reads.SameIn(a, b, start, start + 1));  // za_crcl alone
  EXPECT_FALSE(reads.SameIn(a, b));                   // all of them
}

TEST(ProfileReads, AReadOutsideTheProfileNeverCountsAsSame) {
  CompiledProfile a, b;
  const Threshold elsewhere{35, Comparator::kLt};
  ProfileReads reads;
  reads.Record(a, elsewhere);
  EXPECT_FALSE(reads.SameIn(a, b));
}

}  // namespace
}  // namespace bp
