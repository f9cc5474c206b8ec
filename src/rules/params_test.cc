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

// ProfileDiffs and ProfileReads: what Engine::Assess uses to skip a profile that would decide
// the same.
TEST(ProfileReads, TellWhichOtherProfilesDifferInTheParametersRead) {
  CompiledProfile a, b, c;
  a.za_crcl = b.za_crcl = c.za_crcl = {35, Comparator::kLt};
  c.za_crcl.cmp = Comparator::kLe;  // same number, other comparator
  a.risk_model = c.risk_model = RiskModel::kAace2020;
  b.risk_model = RiskModel::kEndocrineSociety;
  a.za_crcl.KeepText();  // the kept text is not part of the value
  const ProfileDiffs diffs({&b, &c});

  ProfileReads reads(diffs);
  EXPECT_EQ(reads.Differing(), 0U);  // nothing read: nothing can differ
  reads.Record(a, a.za_crcl);
  EXPECT_EQ(reads.Differing(), 0b10U);  // c
  reads.Record(a, a.za_crcl);
  EXPECT_EQ(reads.Differing(), 0b10U);
  reads.Record(a, a.risk_model);
  EXPECT_EQ(reads.Differing(), 0b11U);

  // What was learnt serves the next run: the same answers.
  ProfileReads next(diffs);
  next.Record(a, a.risk_model);
  EXPECT_EQ(next.Differing(), 0b01U);
  next.Record(a, a.za_crcl);
  EXPECT_EQ(next.Differing(), 0b11U);
}

// The engine compares the reads of stretches of steps (before Tier, Tier, after it) on their
// own: a parameter read before a stretch and again in it counts in that stretch.
TEST(ProfileReads, ASegmentCountsEveryParameterReadInIt) {
  CompiledProfile a, b;
  a.risk_model = RiskModel::kAace2020;
  b.risk_model = RiskModel::kEndocrineSociety;
  const ProfileDiffs diffs({&b});
  ProfileReads reads(diffs);
  reads.Record(a, a.risk_model);
  reads.Record(a, a.za_crcl);
  EXPECT_EQ(reads.Differing(0), 1U);
  reads.StartSegment();
  reads.Record(a, a.za_crcl);
  EXPECT_EQ(reads.Differing(1), 0U);
  reads.Record(a, a.risk_model);  // read before, and again in this segment
  EXPECT_EQ(reads.Differing(1), 1U);
  reads.StartSegment();
  reads.Record(a, a.za_crcl);
  EXPECT_EQ(reads.Differing(2), 0U);
  reads.StartSegment();  // the last segment goes on
  reads.Record(a, a.risk_model);
  EXPECT_EQ(reads.Differing(2), 1U);
  EXPECT_EQ(reads.Differing(), 1U);
}

TEST(ProfileReads, AReadOutsideTheProfileNeverCountsAsSame) {
  CompiledProfile a, b;
  const Threshold elsewhere{35, Comparator::kLt};
  const ProfileDiffs diffs({&b});
  ProfileReads reads(diffs);
  reads.Record(a, elsewhere);
  EXPECT_EQ(reads.Differing(0) & 1U, 1U);
}

// An engine is shared by threads: those that learn a parameter at once learn the same.
TEST(ProfileReads, ThreadsLearnTheSameAnswers) {
  CompiledProfile a, b, c;
  b.za_crcl = {30, Comparator::kLt};
  c.vh_frax_hip = {4, Comparator::kGe};
  const ProfileDiffs diffs({&b, &c});
  std::vector<std::uint32_t> got(8);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] {
      ProfileReads reads(diffs);
      reads.Record(a, a.vh_frax_hip);
      reads.Record(a, a.za_crcl);
      reads.Record(a, a.risk_model);
      got[t] = reads.Differing();
    });
  for (auto& th : threads) th.join();
  for (std::uint32_t g : got) EXPECT_EQ(g, 0b11U);
}

}  // namespace
}  // namespace bp
