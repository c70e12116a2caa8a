// Rank and proportion tests for baseline comparison.
#include "analyzers/compare_stats.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace perfgate {

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2.0;
}

namespace {

// Lag-1 autocorrelation of the mid-ranks within each series, pooled over both series (each about its
// own mean, so a shift between the series is not mistaken for correlation). Ranks rather than values
// so one extreme second cannot dominate. In a short series the estimate is biased low, by about
// (1 + 3 rho) / n (Kendall's approximation for AR(1)); inverting that keeps a short series of
// independent samples near 0 instead of negative and a correlated one near its rho. Clamped to [0, 0.8]: negative correlation would make the test bolder, and
// beyond 0.8 a 10-sample series holds barely one independent value, which min_intervals guards.
double serial_rank_correlation(const std::vector<double>& ranks, size_t n_baseline) {
  double num = 0;
  double den = 0;
  auto add_series = [&](size_t from, size_t to) {
    if (to - from < 3) return;
    double mean = 0;
    for (size_t i = from; i < to; ++i) mean += ranks[i];
    mean /= static_cast<double>(to - from);
    for (size_t i = from; i < to; ++i) {
      den += (ranks[i] - mean) * (ranks[i] - mean);
      if (i + 1 < to) num += (ranks[i] - mean) * (ranks[i + 1] - mean);
    }
  };
  add_series(0, n_baseline);
  add_series(n_baseline, ranks.size());
  if (den <= 0) return 0;
  const double n = std::max(4.0, static_cast<double>(ranks.size()) / 2.0);
  return std::clamp((n * (num / den) + 1.0) / (n - 3.0), 0.0, 0.8);
}

enum class SerialCorrection { kNone, kLagOne };

RankTestResult rank_test(const std::vector<double>& baseline, const std::vector<double>& current,
                         SerialCorrection correction) {
  RankTestResult r;
  const double n1 = static_cast<double>(baseline.size());
  const double n2 = static_cast<double>(current.size());
  if (baseline.empty() || current.empty()) return r;
  // Rank the pooled sample once; tied values share their mean rank, and the tie term shrinks the
  // variance (per-second percentiles from a bucketed histogram tie often).
  std::vector<std::pair<double, size_t>> pooled;
  pooled.reserve(baseline.size() + current.size());
  for (size_t i = 0; i < baseline.size(); ++i) pooled.emplace_back(baseline[i], i);
  for (size_t i = 0; i < current.size(); ++i) pooled.emplace_back(current[i], baseline.size() + i);
  std::sort(pooled.begin(), pooled.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // ranks[k]: mid-rank of sample k, baseline samples first, each series in its given (time) order.
  std::vector<double> ranks(pooled.size());
  double rank_sum_current = 0;
  double tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
      ranks[pooled[k].second] = mean_rank;
      if (pooled[k].second >= baseline.size()) rank_sum_current += mean_rank;
    }
    i = j;
  }
  r.u = rank_sum_current - n2 * (n2 + 1) / 2.0;
  const double n = n1 + n2;
  const double mean_u = n1 * n2 / 2.0;
  double var_u = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (correction == SerialCorrection::kLagOne) {
    // With AR(1)-like correlation rho inside each series, a series of n values carries about
    // n (1 - rho) / (1 + rho) independent ones, so the variance of a rank sum grows by the inverse.
    r.serial_correlation = serial_rank_correlation(ranks, baseline.size());
    var_u *= (1 + r.serial_correlation) / (1 - r.serial_correlation);
  }
  if (var_u <= 0) return r;
  r.z = (r.u - mean_u - 0.5) / std::sqrt(var_u);
  r.p_value = normal_upper_tail(r.z);
  return r;
}

}  // namespace

RankTestResult mann_whitney_greater(const std::vector<double>& baseline, const std::vector<double>& current) {
  return rank_test(baseline, current, SerialCorrection::kNone);
}

RankTestResult mann_whitney_greater_serial(const std::vector<double>& baseline, const std::vector<double>& current) {
  return rank_test(baseline, current, SerialCorrection::kLagOne);
}

double two_proportion_greater_p(int64_t base_events, int64_t base_n, int64_t cur_events, int64_t cur_n) {
  if (base_n <= 0 || cur_n <= 0) return 1;
  const double p1 = static_cast<double>(base_events) / static_cast<double>(base_n);
  const double p2 = static_cast<double>(cur_events) / static_cast<double>(cur_n);
  const double pooled = static_cast<double>(base_events + cur_events) / static_cast<double>(base_n + cur_n);
  const double se = std::sqrt(pooled * (1 - pooled) * (1.0 / static_cast<double>(base_n) + 1.0 / static_cast<double>(cur_n)));
  if (se <= 0) return 1;
  return normal_upper_tail((p2 - p1) / se);
}

}  // namespace perfgate
