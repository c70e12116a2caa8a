#include "analyzers/change_points.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace perfgate {
namespace {

// 60 runs around 100 with 5% Gaussian noise; from `step_at` on, `step` higher (0.20 = +20%).
std::vector<double> synthetic_history(unsigned seed, size_t step_at, double step) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.05);
  std::vector<double> v;
  for (size_t i = 0; i < 60; ++i) v.push_back(100.0 * (i >= step_at ? 1 + step : 1.0) * (1 + noise(rng)));
  return v;
}

TEST(WelchTTest, MatchesTheTextbookValueForTwoSmallSamples) {
  // t = 5 with 8 degrees of freedom: two-sided p = 0.001052 (tables).
  EXPECT_NEAR(welch_t_test_p_value({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), 0.001052, 2e-5);
  // t = 1 with 8 degrees of freedom: p = 0.3466.
  EXPECT_NEAR(welch_t_test_p_value({1, 2, 3, 4, 5}, {2, 3, 4, 5, 6}), 0.3466, 5e-4);
}

TEST(WelchTTest, ConstantSidesAreCertainlyEqualOrCertainlyDifferent) {
  EXPECT_EQ(welch_t_test_p_value({3, 3, 3}, {3, 3}), 1.0);
  EXPECT_EQ(welch_t_test_p_value({3, 3, 3}, {4, 4}), 0.0);
}

// The proof: over 100 seeds, a planted +20% step is found at its run +-1 in >= 95 and a flat
// history has no change point in >= 95 (the counts are recorded in the test's XML output).
TEST(ChangePoints, FindsAPlantedTwentyPercentStepAtItsRunInNinetyFiveOfAHundredSeeds) {
  int found = 0;
  for (unsigned seed = 1; seed <= 100; ++seed) {
    const size_t step_at = 15 + seed % 31;  // runs 15..45 of 60
    const auto points = find_change_points(synthetic_history(seed, step_at, 0.20));
    const bool right =
        points.size() == 1 && std::abs(static_cast<double>(points[0].index) - static_cast<double>(step_at)) <= 1.0;
    found += right;
    if (right && seed <= 10) {
      EXPECT_NEAR(points[0].relative_change, 0.20, 0.05) << "seed " << seed;
      EXPECT_LT(points[0].p_value, 0.001) << "seed " << seed;
    }
  }
  RecordProperty("steps_found_of_100", found);
  EXPECT_GE(found, 95);
}

TEST(ChangePoints, FindsNoneOnFlatNoisyHistoriesInNinetyFiveOfAHundredSeeds) {
  int flat = 0;
  for (unsigned seed = 1; seed <= 100; ++seed) flat += find_change_points(synthetic_history(seed, 1000, 0)).empty();
  RecordProperty("flat_without_change_of_100", flat);
  EXPECT_GE(flat, 95);
}

TEST(ChangePoints, AStepBelowTheMinimumMagnitudeIsNotAChange) {
  std::vector<double> v;
  v.reserve(40);
  for (int i = 0; i < 40; ++i) v.push_back(i < 20 ? 100.0 : 103.0);  // certain (no noise) but only +3%
  EXPECT_TRUE(find_change_points(v).empty());
  ChangePointOptions sensitive;
  sensitive.min_magnitude = 0.02;
  const auto points = find_change_points(v, sensitive);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].index, 20u);
}

TEST(ChangePoints, FindsAStepUpAndTheStepBackDown) {
  std::vector<double> v = synthetic_history(7, 1000, 0);
  for (size_t i = 20; i < 40; ++i) v[i] *= 1.3;
  const auto points = find_change_points(v);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_NEAR(static_cast<double>(points[0].index), 20, 1);
  EXPECT_NEAR(static_cast<double>(points[1].index), 40, 1);
  EXPECT_GT(points[0].relative_change, 0);
  EXPECT_LT(points[1].relative_change, 0);
}

TEST(ChangePoints, SkipsMissingValuesAndKeepsTheOriginalIndexes) {
  std::vector<double> v = synthetic_history(3, 30, 0.2);
  v[10] = std::numeric_limits<double>::quiet_NaN();
  v[30] = std::numeric_limits<double>::quiet_NaN();  // the first run of the new level is missing
  const auto points = find_change_points(v);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].index, 31u);
}

TEST(ChangePoints, TooFewRunsGiveNone) {
  EXPECT_TRUE(find_change_points({}).empty());
  EXPECT_TRUE(find_change_points({1, 1, 1, 2, 2}).empty());
}

TEST(ChangePoints, AnAbsoluteFloorIgnoresTinyRisesOfSmallValues) {
  std::vector<double> v;
  v.reserve(30);
  for (int i = 0; i < 30; ++i) v.push_back(i < 15 ? 0.0 : 0.1);  // errors 0% -> 0.1%: relative change is infinite
  ChangePointOptions errors;
  errors.min_absolute = 0.5;
  EXPECT_TRUE(find_change_points(v, errors).empty());
  EXPECT_EQ(find_change_points(v).size(), 1u);
}

}  // namespace
}  // namespace perfgate
