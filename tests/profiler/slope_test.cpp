#include "profiler/slope.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace perfgate {
namespace {

TEST(TheilSen, RecoversAnExactLineWithAZeroInterval) {
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(i);
    y.push_back(3.0 * i - 7.0);
  }
  const SlopeFit fit = theil_sen(x, y);
  EXPECT_DOUBLE_EQ(fit.slope, 3.0);
  EXPECT_DOUBLE_EQ(fit.intercept, -7.0);
  EXPECT_DOUBLE_EQ(fit.ci_half_width, 0.0);
  EXPECT_EQ(fit.points, 20u);
}

TEST(TheilSen, IgnoresOutliersExactly) {
  std::vector<double> x, y;
  for (int i = 0; i < 11; ++i) {
    x.push_back(i);
    y.push_back(2.0 * i + 1.0);
  }
  y[3] = 500;   // a spike
  y[8] = -400;  // a dip
  const SlopeFit fit = theil_sen(x, y);
  EXPECT_DOUBLE_EQ(fit.slope, 2.0);
  EXPECT_DOUBLE_EQ(fit.intercept, 1.0);
}

TEST(TheilSen, ReturnsNoFitForFewerThanThreePoints) {
  const std::vector<double> x{1, 2};
  const std::vector<double> y{1, 5};
  const SlopeFit fit = theil_sen(x, y);
  EXPECT_EQ(fit.points, 0u);
  EXPECT_EQ(fit.slope, 0.0);
}

TEST(TheilSen, ReturnsNoFitWhenAllXAreEqual) {
  const std::vector<double> x{4, 4, 4, 4};
  const std::vector<double> y{1, 2, 3, 4};
  EXPECT_EQ(theil_sen(x, y).points, 0u);
}

TEST(TheilSen, SubsamplesLongSeriesAndKeepsTheSlope) {
  std::vector<double> x, y;
  for (int i = 0; i < 5000; ++i) {
    x.push_back(i * 0.5);
    y.push_back(-1.5 * i * 0.5 + 10.0);
  }
  const SlopeFit fit = theil_sen(x, y, 100);
  EXPECT_EQ(fit.points, 100u);
  EXPECT_DOUBLE_EQ(fit.slope, -1.5);
}

TEST(TheilSen, IntervalCoversTheTrueSlopeOfNoisyDataAndShrinksWithMorePoints) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> noise(0.0, 5.0);
  auto fit_n = [&](int n) {
    std::vector<double> x, y;
    for (int i = 0; i < n; ++i) {
      x.push_back(i);
      y.push_back(0.8 * i + noise(rng));
    }
    return theil_sen(x, y, 1000);
  };
  const SlopeFit small = fit_n(30);
  const SlopeFit large = fit_n(300);
  EXPECT_GT(small.ci_half_width, 0.0);
  EXPECT_NEAR(small.slope, 0.8, small.ci_half_width * 1.5);
  EXPECT_NEAR(large.slope, 0.8, large.ci_half_width * 1.5);
  EXPECT_LT(large.ci_half_width, small.ci_half_width);
}

}  // namespace
}  // namespace perfgate
