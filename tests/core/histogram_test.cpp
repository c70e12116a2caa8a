#include "core/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace perfgate {
namespace {

// Nearest-rank percentile of a sorted vector: the exact answer the histogram approximates.
int64_t exact_percentile(const std::vector<int64_t>& sorted, double percentile) {
  if (percentile <= 0) return sorted.front();
  const auto rank = static_cast<size_t>(std::ceil(percentile / 100.0 * static_cast<double>(sorted.size()) - 1e-9));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

// With 3 significant figures, a reported value is within 0.1% (one bucket width) of the exact one.
void expect_within_precision(int64_t reported, int64_t exact, int digits = 3) {
  const double tolerance = std::max(1.0, static_cast<double>(exact) * std::pow(10.0, -digits));
  EXPECT_LE(std::abs(static_cast<double>(reported - exact)), tolerance)
      << "reported " << reported << " exact " << exact;
}

std::vector<int64_t> random_values(const std::string& kind, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> v(n);
  if (kind == "uniform") {
    std::uniform_int_distribution<int64_t> d(0, 10'000'000);
    for (auto& x : v) x = d(rng);
  } else if (kind == "lognormal") {
    std::lognormal_distribution<double> d(8.0, 2.0);
    for (auto& x : v) x = std::min<int64_t>(static_cast<int64_t>(d(rng)), 3'000'000'000);
  } else {  // bimodal: fast answers and stalls, like a server that pauses
    std::normal_distribution<double> fast(1000, 100);
    std::normal_distribution<double> slow(500'000, 50'000);
    std::bernoulli_distribution stalled(0.2);
    for (auto& x : v) x = std::max<int64_t>(0, static_cast<int64_t>(stalled(rng) ? slow(rng) : fast(rng)));
  }
  return v;
}

class HistogramDistributions : public ::testing::TestWithParam<std::string> {};

TEST_P(HistogramDistributions, PercentilesMatchSortedVectorWithinPrecision) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto values = random_values(GetParam(), 20000, seed);
    Histogram h;
    for (const int64_t v : values) h.record(v);
    std::sort(values.begin(), values.end());
    for (const double p : {1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
      SCOPED_TRACE("p" + std::to_string(p));
      expect_within_precision(h.value_at_percentile(p), exact_percentile(values, p));
    }
    EXPECT_EQ(h.total_count(), static_cast<int64_t>(values.size()));
    EXPECT_EQ(h.min(), values.front());
    EXPECT_EQ(h.max(), values.back());
  }
}

TEST_P(HistogramDistributions, MeanAndStddevMatchExactWithinPrecision) {
  const auto values = random_values(GetParam(), 20000, 7);
  Histogram h;
  double sum = 0;
  for (const int64_t v : values) {
    h.record(v);
    sum += static_cast<double>(v);
  }
  const double mean = sum / static_cast<double>(values.size());
  double sq = 0;
  for (const int64_t v : values) sq += (static_cast<double>(v) - mean) * (static_cast<double>(v) - mean);
  const double stddev = std::sqrt(sq / static_cast<double>(values.size()));
  EXPECT_NEAR(h.mean(), mean, mean * 1e-3 + 1);
  EXPECT_NEAR(h.stddev(), stddev, stddev * 2e-3 + 1);
}

TEST_P(HistogramDistributions, MergeEqualsRecordingEverythingIntoOne) {
  const auto values = random_values(GetParam(), 30000, 11);
  Histogram all;
  Histogram parts[3];
  for (size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    parts[i % 3].record(values[i]);
  }
  Histogram merged;
  for (const auto& p : parts) merged.merge(p);
  EXPECT_EQ(merged.total_count(), all.total_count());
  EXPECT_EQ(merged.min(), all.min());
  EXPECT_EQ(merged.max(), all.max());
  for (size_t i = 0; i < all.counts_length(); ++i) ASSERT_EQ(merged.count_at_index(i), all.count_at_index(i)) << i;
}

INSTANTIATE_TEST_SUITE_P(Random, HistogramDistributions, ::testing::Values("uniform", "lognormal", "bimodal"));

TEST(Histogram, EmptyHistogramReportsZeros) {
  const Histogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.value_at_percentile(99), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_TRUE(h.percentile_distribution().empty());
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 0; v < 2048; ++v) h.record(v);
  for (int64_t v = 0; v < 2048; ++v) {
    EXPECT_EQ(h.lowest_equivalent_value(v), v);
    EXPECT_EQ(h.highest_equivalent_value(v), v);
  }
  EXPECT_EQ(h.value_at_percentile(50), 1023);
}

TEST(Histogram, ValuesAboveRangeAreCountedAndSaturateNotDropped) {
  Histogram h(HistogramConfig{1, 1'000'000, 3});
  h.record(500);
  h.record(5'000'000, 3);
  EXPECT_EQ(h.total_count(), 4);
  EXPECT_EQ(h.overflow_count(), 3);
  EXPECT_EQ(h.max(), 5'000'000);
  EXPECT_GE(h.value_at_percentile(99), 999'000);
}

TEST(Histogram, NegativeValuesAreCountedAsUnderflowAndNotRecorded) {
  Histogram h;
  h.record(-5, 2);
  h.record(10);
  EXPECT_EQ(h.underflow_count(), 2);
  EXPECT_EQ(h.total_count(), 1);
  EXPECT_EQ(h.min(), 10);
}

TEST(Histogram, RecordCorrectedAddsTheSamplesAClosedLoopMissed) {
  Histogram h;
  // One 1 s stall with a 100 ms expected interval: 1000, 900, ..., 100 -> 10 samples.
  h.record_corrected(1'000'000, 100'000);
  EXPECT_EQ(h.total_count(), 10);
  EXPECT_EQ(h.min(), 100'000);
  Histogram plain;
  plain.record_corrected(50'000, 100'000);
  EXPECT_EQ(plain.total_count(), 1);
}

TEST(Histogram, MergeAcrossDifferentConfigsKeepsCountsAndPrecision) {
  Histogram coarse(HistogramConfig{1, 10'000'000, 2});
  Histogram fine;
  std::vector<int64_t> values;
  for (int64_t v = 1; v < 1'000'000; v += 997) {
    coarse.record(v);
    values.push_back(v);
  }
  fine.merge(coarse);
  EXPECT_EQ(fine.total_count(), coarse.total_count());
  std::sort(values.begin(), values.end());
  expect_within_precision(fine.value_at_percentile(90), exact_percentile(values, 90), 2);
}

TEST(Histogram, ResetForgetsEverything) {
  Histogram h;
  h.record(42, 5);
  h.reset();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.max(), 0);
}

TEST(Histogram, PercentileDistributionIsMonotonicAndEndsAtMax) {
  Histogram h;
  for (const int64_t v : random_values("lognormal", 10000, 3)) h.record(v);
  const auto points = h.percentile_distribution(5);
  ASSERT_GT(points.size(), 20u);
  for (size_t i = 1; i < points.size(); ++i) {
    EXPECT_GE(points[i].percentile, points[i - 1].percentile);
    EXPECT_GE(points[i].value, points[i - 1].value);
  }
  EXPECT_EQ(points.back().percentile, 100.0);
  EXPECT_EQ(points.back().value, h.max());
}

TEST(Histogram, ValidateRejectsBadConfigs) {
  EXPECT_FALSE(Histogram::validate(HistogramConfig{0, 100, 3}).ok());
  EXPECT_FALSE(Histogram::validate(HistogramConfig{10, 15, 3}).ok());
  EXPECT_FALSE(Histogram::validate(HistogramConfig{1, 100, 6}).ok());
  EXPECT_TRUE(Histogram::validate(HistogramConfig{}).ok());
}

TEST(Histogram, DefaultConfigUsesTheDocumentedMemory) {
  const Histogram h;
  EXPECT_EQ(h.counts_length(), 23552u);
}

TEST(Histogram, LargerLowestValueKeepsRelativePrecision) {
  Histogram h(HistogramConfig{1000, 3'600'000'000'000, 3});
  std::vector<int64_t> values = random_values("lognormal", 5000, 9);
  for (auto& v : values) v *= 1000;
  for (const int64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());
  for (const double p : {50.0, 99.0}) expect_within_precision(h.value_at_percentile(p), exact_percentile(values, p));
}

}  // namespace
}  // namespace perfgate
