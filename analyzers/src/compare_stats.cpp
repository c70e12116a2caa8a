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

RankTestResult mann_whitney_greater(const std::vector<double>& baseline, const std::vector<double>& current) {
  RankTestResult r;
  const double n1 = static_cast<double>(baseline.size());
  const double n2 = static_cast<double>(current.size());
  if (baseline.empty() || current.empty()) return r;
  // Rank the pooled sample once; tied values share their mean rank, and the tie term shrinks the
  // variance (per-second percentiles from a bucketed histogram tie often).
  std::vector<std::pair<double, int>> pooled;
  pooled.reserve(baseline.size() + current.size());
  for (double v : baseline) pooled.emplace_back(v, 0);
  for (double v : current) pooled.emplace_back(v, 1);
  std::sort(pooled.begin(), pooled.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double rank_sum_current = 0;
  double tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
      if (pooled[k].second == 1) rank_sum_current += mean_rank;
    }
    i = j;
  }
  r.u = rank_sum_current - n2 * (n2 + 1) / 2.0;
  const double n = n1 + n2;
  const double mean_u = n1 * n2 / 2.0;
  const double var_u = n1 * n2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var_u <= 0) return r;
  r.z = (r.u - mean_u - 0.5) / std::sqrt(var_u);
  r.p_value = normal_upper_tail(r.z);
  return r;
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
