#include <gtest/gtest.h>

#include <random>

#include "analyzers/compare_stats.h"

namespace perfgate {
namespace {

TEST(MannWhitney, ComputesUAndTheNormalApproximationOfAKnownCase) {
  auto r = mann_whitney_greater({1, 2, 3}, {4, 5, 6});
  EXPECT_DOUBLE_EQ(r.u, 9);
  // mean 4.5, variance 3*3/12*7 = 5.25, continuity-corrected z = 4/sqrt(5.25)
  EXPECT_NEAR(r.z, 4.0 / std::sqrt(5.25), 1e-12);
  EXPECT_NEAR(r.p_value, 0.0404278, 1e-6);
  EXPECT_GT(mann_whitney_greater({4, 5, 6}, {1, 2, 3}).p_value, 0.95) << "one-sided: faster is not a regression";
}

TEST(MannWhitney, CountsTiesAsHalvesAndShrinksTheVariance) {
  auto r = mann_whitney_greater({1, 2, 2}, {2, 3, 3});
  // pairs current>baseline: 2>1, 3>1 x2, 3>2 x4 = 7, ties 2=2 x2 -> +1 => U = 8
  EXPECT_DOUBLE_EQ(r.u, 8);
  auto all_equal = mann_whitney_greater({5, 5, 5}, {5, 5, 5});
  EXPECT_DOUBLE_EQ(all_equal.p_value, 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_greater({}, {1}).p_value, 1.0);
}

TEST(MannWhitney, IsNearlyUniformUnderTheNullHypothesis) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(0, 0.5);
  int below_5pct = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> a(30), b(30);
    for (auto& v : a) v = dist(rng);
    for (auto& v : b) v = dist(rng);
    below_5pct += mann_whitney_greater(a, b).p_value < 0.05;
  }
  EXPECT_NEAR(static_cast<double>(below_5pct) / trials, 0.05, 0.015);
}

TEST(MannWhitneySerial, EqualsThePlainTestWhenNeighboursAreUncorrelated) {
  // Alternating series have negative lag-1 correlation, which is clamped to 0.
  const std::vector<double> a = {1, 5, 2, 6, 3, 7, 4, 8, 1, 5, 2, 6};
  const std::vector<double> b = {3, 9, 4, 10, 5, 11, 6, 12, 3, 9, 4, 10};
  const auto plain = mann_whitney_greater(a, b);
  const auto serial = mann_whitney_greater_serial(a, b);
  EXPECT_DOUBLE_EQ(serial.serial_correlation, 0);
  EXPECT_DOUBLE_EQ(serial.p_value, plain.p_value);
  EXPECT_DOUBLE_EQ(serial.u, plain.u);
}

TEST(MannWhitneySerial, WidensThePValueOfSeriesThatMoveInStretches) {
  // Two quiet and noisy stretches, as a shared machine gives them: same values, different order.
  const std::vector<double> a = {8.1, 8.1, 8.2, 8.1, 8.2, 8.1, 8.2, 8.1, 8.2, 8.9, 9.0, 9.1};
  const std::vector<double> b = {8.2, 8.3, 8.9, 9.2, 9.4, 9.3, 9.0, 8.8, 8.2, 8.3, 8.2, 8.3};
  const auto plain = mann_whitney_greater(a, b);
  const auto serial = mann_whitney_greater_serial(a, b);
  EXPECT_GT(serial.serial_correlation, 0.3);
  EXPECT_DOUBLE_EQ(serial.u, plain.u);
  EXPECT_GT(serial.p_value, 2 * plain.p_value);
}

// Under the null hypothesis with AR(1) noise (rho 0.6) in both series of 15, the plain test rejects
// far more often than its level; the corrected one stays near it.
TEST(MannWhitneySerial, KeepsItsLevelOnAutocorrelatedSeriesWhereThePlainTestDoesNot) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0, 1);
  auto series = [&] {
    std::vector<double> v(15);
    double x = noise(rng);
    for (auto& value : v) {
      x = 0.6 * x + 0.8 * noise(rng);
      value = x;
    }
    return v;
  };
  int plain_rejects = 0, serial_rejects = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    const auto a = series();
    const auto b = series();
    plain_rejects += mann_whitney_greater(a, b).p_value < 0.05;
    serial_rejects += mann_whitney_greater_serial(a, b).p_value < 0.05;
  }
  RecordProperty("plain_rejections", plain_rejects);
  RecordProperty("serial_rejections", serial_rejects);
  EXPECT_GT(static_cast<double>(plain_rejects) / trials, 0.09) << "the problem being corrected";
  EXPECT_LT(static_cast<double>(serial_rejects) / trials, 0.075) << "plain " << plain_rejects << " of " << trials;
}

TEST(TwoProportion, MatchesTheHandComputedZTest) {
  // pooled 0.02, se = sqrt(0.02 * 0.98 * 2/1000) = 0.0062610, z = 3.1944
  EXPECT_NEAR(two_proportion_greater_p(10, 1000, 30, 1000), normal_upper_tail(0.02 / std::sqrt(0.0000392)), 1e-12);
  EXPECT_LT(two_proportion_greater_p(10, 1000, 30, 1000), 0.001);
  EXPECT_GT(two_proportion_greater_p(30, 1000, 10, 1000), 0.99);
  EXPECT_DOUBLE_EQ(two_proportion_greater_p(0, 1000, 0, 1000), 1.0);
  EXPECT_DOUBLE_EQ(two_proportion_greater_p(0, 0, 5, 10), 1.0);
}

TEST(Median, HandlesOddEvenAndEmpty) {
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median_of({}), 0);
}

}  // namespace
}  // namespace perfgate
