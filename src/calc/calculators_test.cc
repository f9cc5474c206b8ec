#include "calc/calculators.h"

#include <gtest/gtest.h>

#include <cmath>

namespace bp::calc {
namespace {

// The calculators take every coefficient from the caller. These tests pass the published
// equations' constants (the shipped values live in knowledge/ and `knowledge check` checks them
// there) and compare against results worked by hand from the published formulas.
constexpr CockcroftGaultCoefficients kCg{140, 72, 0.85};
constexpr BodyWeightCoefficients kWeights{50, 45.5, 2.3, 60, 2.54, 0.4};
constexpr CkdEpiCoefficients kCkdEpi{142, 0.7, 0.9, -0.241, -0.302, -1.200, 0.9938, 1.012};

TEST(CockcroftGault, MatchesTheFormulaForMenAndWomen) {
  // (140 - 80) * 60 / (72 * 1.0) = 50; a woman's is 0.85 of that.
  EXPECT_NEAR(CockcroftGaultMlMin(80, 60, 1.0, false, kCg), 50.0, 1e-9);
  EXPECT_NEAR(CockcroftGaultMlMin(80, 60, 1.0, true, kCg), 42.5, 1e-9);
  // Higher creatinine, lower clearance; older, lower clearance.
  EXPECT_LT(CockcroftGaultMlMin(80, 60, 1.2, false, kCg), 50.0);
  EXPECT_GT(CockcroftGaultMlMin(79, 60, 1.0, false, kCg), 50.0);
  EXPECT_LT(CockcroftGaultMlMin(81, 60, 1.0, false, kCg), 50.0);
}

TEST(CockcroftGault, UsesTheCoefficientsItIsGiven) {
  CockcroftGaultCoefficients other = kCg;
  other.female_factor = 1.0;
  EXPECT_NEAR(CockcroftGaultMlMin(80, 60, 1.0, true, other), 50.0, 1e-9);
  other.age_constant = 150;
  EXPECT_NEAR(CockcroftGaultMlMin(80, 72, 1.0, false, other), 70.0, 1e-9);
}

TEST(BodyWeight, DevineIdealAndAdjusted) {
  // 5 ft 10 in = 177.8 cm: man 50 + 2.3 * 10 = 73 kg; woman 45.5 + 23 = 68.5 kg.
  EXPECT_NEAR(IdealBodyWeightKg(177.8, false, kWeights), 73.0, 1e-9);
  EXPECT_NEAR(IdealBodyWeightKg(177.8, true, kWeights), 68.5, 1e-9);
  // Exactly 5 ft: the base weight; shorter: below it.
  EXPECT_NEAR(IdealBodyWeightKg(152.4, false, kWeights), 50.0, 1e-9);
  EXPECT_LT(IdealBodyWeightKg(150.0, false, kWeights), 50.0);
  // Adjusted = ideal + 0.4 * (actual - ideal), on both sides of the ideal weight.
  EXPECT_NEAR(AdjustedBodyWeightKg(103, 73, kWeights), 85.0, 1e-9);
  EXPECT_NEAR(AdjustedBodyWeightKg(63, 73, kWeights), 69.0, 1e-9);
  EXPECT_NEAR(AdjustedBodyWeightKg(73, 73, kWeights), 73.0, 1e-9);
}

TEST(CkdEpi2021, BothBranchesOfTheCreatinineRatio) {
  // At the knee (SCr = kappa) both power terms are 1: eGFR = 142 * 0.9938^age (* 1.012 female).
  EXPECT_NEAR(CkdEpi2021(0.9, 60, false, kCkdEpi), 142 * std::pow(0.9938, 60), 1e-9);
  EXPECT_NEAR(CkdEpi2021(0.7, 60, true, kCkdEpi), 142 * std::pow(0.9938, 60) * 1.012, 1e-9);
  // Below the knee the alpha exponent applies; above it the -1.200 exponent.
  EXPECT_NEAR(CkdEpi2021(0.45, 60, false, kCkdEpi),
              142 * std::pow(0.5, -0.302) * std::pow(0.9938, 60), 1e-9);
  EXPECT_NEAR(CkdEpi2021(1.8, 60, false, kCkdEpi),
              142 * std::pow(2.0, -1.200) * std::pow(0.9938, 60), 1e-9);
  EXPECT_NEAR(CkdEpi2021(1.4, 60, true, kCkdEpi),
              142 * std::pow(2.0, -1.200) * std::pow(0.9938, 60) * 1.012, 1e-9);
  // A worked value: man, 70 years, SCr 1.0 mg/dL -> 81 mL/min/1.73 m2 (as NKF's calculator gives).
  EXPECT_NEAR(CkdEpi2021(1.0, 70, false, kCkdEpi), 81.0, 0.05);
  // Monotone: more creatinine, lower eGFR, either side of the knee.
  EXPECT_GT(CkdEpi2021(0.89, 60, false, kCkdEpi), CkdEpi2021(0.9, 60, false, kCkdEpi));
  EXPECT_LT(CkdEpi2021(0.91, 60, false, kCkdEpi), CkdEpi2021(0.9, 60, false, kCkdEpi));
}

TEST(CorrectedCalcium, RaisesForLowAlbuminAndLowersForHigh) {
  EXPECT_NEAR(CorrectedCalciumMgDl(8.0, 3.0, 0.8, 4.0), 8.8, 1e-9);
  EXPECT_NEAR(CorrectedCalciumMgDl(8.0, 4.0, 0.8, 4.0), 8.0, 1e-9);
  EXPECT_NEAR(CorrectedCalciumMgDl(8.0, 5.0, 0.8, 4.0), 7.2, 1e-9);
}

TEST(Bmi, KilogramsPerSquareMetre) {
  EXPECT_NEAR(BmiKgM2(80, 200), 20.0, 1e-9);
  EXPECT_NEAR(BmiKgM2(45, 150), 20.0, 1e-9);
}

TEST(GlucocorticoidBand, EachLimitOnBothSides) {
  const GcBandLimits inclusive{2.5, 7.5, true};
  EXPECT_EQ(GlucocorticoidBand(0, inclusive), GcBand::kLow);
  EXPECT_EQ(GlucocorticoidBand(2.49, inclusive), GcBand::kLow);
  EXPECT_EQ(GlucocorticoidBand(2.5, inclusive), GcBand::kMedium);
  EXPECT_EQ(GlucocorticoidBand(7.49, inclusive), GcBand::kMedium);
  EXPECT_EQ(GlucocorticoidBand(7.5, inclusive), GcBand::kHigh);
  EXPECT_EQ(GlucocorticoidBand(7.51, inclusive), GcBand::kHigh);
  const GcBandLimits exclusive{2.5, 7.5, false};
  EXPECT_EQ(GlucocorticoidBand(2.49, exclusive), GcBand::kLow);
  EXPECT_EQ(GlucocorticoidBand(2.5, exclusive), GcBand::kMedium);
  EXPECT_EQ(GlucocorticoidBand(7.5, exclusive), GcBand::kMedium);
  EXPECT_EQ(GlucocorticoidBand(7.51, exclusive), GcBand::kHigh);
}

}  // namespace
}  // namespace bp::calc
