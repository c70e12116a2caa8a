// Rank and proportion tests for baseline comparison.
#include "analyzers/compare_stats.h"

#include <algorithm>
#include <cmath>
#include <random>
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

// Mid-ranks of one series among its own values (ties share their mean rank).
std::vector<double> own_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && values[order[j]] == values[order[i]]) ++j;
    for (size_t k = i; k < j; ++k) ranks[order[k]] = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    i = j;
  }
  return ranks;
}

// Lag-1 autocorrelation of the ranks of each series, each series ranked among its own values and
// centred on its own mean, so a shift between the series can never be read as correlation; the two
// estimates are averaged by length. Ranks rather than values so one extreme second cannot dominate.
// In a short series the estimate is biased low, by about (1 + 3 rho) / n (Kendall's approximation
// for AR(1)); inverting that keeps a short series of independent samples near 0 instead of negative
// and a correlated one near its rho. Clamped to [0, 0.8]: negative correlation would make the test
// bolder, and beyond 0.8 a 10-sample series holds barely one independent value.
double serial_rank_correlation(const std::vector<double>& baseline, const std::vector<double>& current) {
  double sum = 0;
  double weight = 0;
  for (const auto* series : {&baseline, &current}) {
    if (series->size() < 4) continue;
    const double n = static_cast<double>(series->size());
    const double rho = lag1_autocorrelation(own_ranks(*series));
    sum += n * std::clamp((n * rho + 1.0) / (n - 3.0), -1.0, 1.0);
    weight += n;
  }
  return weight > 0 ? std::clamp(sum / weight, 0.0, 0.8) : 0.0;
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
  double rank_sum_current = 0;
  double tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    const double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    for (size_t k = i; k < j; ++k) {
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
    r.serial_correlation = serial_rank_correlation(baseline, current);
    var_u *= (1 + r.serial_correlation) / (1 - r.serial_correlation);
  }
  if (var_u <= 0) return r;
  r.z = (r.u - mean_u - 0.5) / std::sqrt(var_u);
  r.p_value = normal_upper_tail(r.z);
  return r;
}

constexpr size_t kMaxHodgesLehmannPairs = 2500;

// Hodges-Lehmann shift of current over baseline: the median of all pairwise differences (both vectors
// already on the log scale). Beyond kMaxHodgesLehmannPairs pairs the difference of the medians, which
// estimates the same shift for a level change and costs O(n) instead of O(n1 n2) per resample.
double hodges_lehmann(const std::vector<double>& baseline, const std::vector<double>& current,
                      std::vector<double>& scratch) {
  if (baseline.size() * current.size() > kMaxHodgesLehmannPairs) return median_of(current) - median_of(baseline);
  scratch.clear();
  for (double c : current) {
    for (double b : baseline) scratch.push_back(c - b);
  }
  return median_of(scratch);
}

// One circular block bootstrap resample of `x` into `out`: blocks of `block` consecutive values
// starting anywhere, wrapping at the end, until the resample is as long as the series (Politis and
// Romano 1992). Whole blocks keep the dependence between neighbouring seconds inside each block.
void circular_block_resample(const std::vector<double>& x, int block, std::mt19937_64& rng, std::vector<double>& out) {
  out.clear();
  std::uniform_int_distribution<size_t> start(0, x.size() - 1);
  while (out.size() < x.size()) {
    const size_t s = start(rng);
    for (int k = 0; k < block && out.size() < x.size(); ++k) out.push_back(x[(s + static_cast<size_t>(k)) % x.size()]);
  }
}

// Student-t quantile by the Cornish-Fisher expansion in 1/nu (within ~3% from nu = 3 at the levels used).
double student_t_quantile(double p, double nu) {
  const double z = normal_quantile(p);
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu * nu) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu * nu * nu);
}

// The bootstrap interval of `statistic(baseline*, current*)` around `estimate`. The percentile
// interval of a bootstrap is too narrow when a series holds only a few blocks (a 12-second run with
// 3-second blocks has four): each side is widened by t(b - 1) / z at the same level, b the number of
// whole blocks in the shorter series, as a t interval widens a z interval (the idea of Hesterberg's
// expanded percentile interval). Fewer than 2 blocks cannot bound anything.
template <typename Series, typename Statistic>
ChangeInterval bootstrap_interval(const Series& baseline, const Series& current, double estimate, double alpha,
                                  int resamples, Statistic statistic) {
  ChangeInterval out;
  out.estimate = estimate;
  if (baseline.size() < 2 || current.size() < 2) return out;
  const int block = std::max(bootstrap_block_length(baseline.size()), bootstrap_block_length(current.size()));
  out.block_length = block;
  const size_t blocks = std::min(baseline.size(), current.size()) / static_cast<size_t>(block);
  if (blocks < 2) return out;
  // A fixed seed: the gate must give the same verdict for the same files.
  std::mt19937_64 rng(0x9e3779b97f4a7c15ULL ^ (baseline.size() * 1000003ULL + current.size()));
  Series b_star, c_star;
  std::vector<double> draws;
  draws.reserve(static_cast<size_t>(resamples));
  for (int i = 0; i < resamples; ++i) {
    circular_block_resample(baseline, block, rng, b_star);
    circular_block_resample(current, block, rng, c_star);
    draws.push_back(statistic(b_star, c_star));
  }
  std::sort(draws.begin(), draws.end());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(draws.size() - 1);
    const auto lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, draws.size() - 1);
    return draws[lo] + (pos - static_cast<double>(lo)) * (draws[hi] - draws[lo]);
  };
  const double widen = student_t_quantile(1 - alpha, static_cast<double>(blocks - 1)) / normal_quantile(1 - alpha);
  out.low = estimate - widen * std::max(0.0, estimate - quantile(alpha));
  out.high = estimate + widen * std::max(0.0, quantile(1 - alpha) - estimate);
  return out;
}

}  // namespace

double normal_quantile(double p) {
  // Bisection on the upper tail: 100 halvings of [-40, 40] are exact to double precision.
  double lo = -40, hi = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    if (1.0 - normal_upper_tail(mid) < p)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

int bootstrap_block_length(std::size_t n) {
  const int by_rate = static_cast<int>(std::lround(std::cbrt(static_cast<double>(n))));
  return static_cast<int>(std::min<size_t>(n, static_cast<size_t>(std::max(3, by_rate))));
}

double lag1_autocorrelation(const std::vector<double>& series) {
  if (series.size() < 3) return 0;
  double mean = 0;
  for (double v : series) mean += v;
  mean /= static_cast<double>(series.size());
  double num = 0, den = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    den += (series[i] - mean) * (series[i] - mean);
    if (i + 1 < series.size()) num += (series[i] - mean) * (series[i + 1] - mean);
  }
  return den > 0 ? num / den : 0;
}

ChangeInterval relative_shift_interval(const std::vector<double>& baseline, const std::vector<double>& current,
                                       double alpha, int resamples) {
  // Logarithms: a slowdown multiplies latency, and a relative change must not depend on which run is
  // the baseline's scale.
  auto logs = [](const std::vector<double>& v) {
    std::vector<double> out;
    out.reserve(v.size());
    for (double x : v) out.push_back(std::log(std::max(1.0, x)));
    return out;
  };
  const std::vector<double> lb = logs(baseline), lc = logs(current);
  std::vector<double> scratch;
  if (lb.empty() || lc.empty()) return ChangeInterval{};
  const double estimate = hodges_lehmann(lb, lc, scratch);
  ChangeInterval r = bootstrap_interval(
      lb, lc, estimate, alpha, std::max(100, resamples),
      [&](const std::vector<double>& b, const std::vector<double>& c) { return hodges_lehmann(b, c, scratch); });
  // An unbounded side stays unbounded (expm1(-inf) would read as a bounded -100%).
  r.estimate = std::expm1(r.estimate);
  if (std::isfinite(r.low)) r.low = std::expm1(r.low);
  if (std::isfinite(r.high)) r.high = std::expm1(r.high);
  return r;
}

ChangeInterval rate_difference_interval(const std::vector<std::pair<int64_t, int64_t>>& baseline,
                                        const std::vector<std::pair<int64_t, int64_t>>& current, double alpha,
                                        int resamples) {
  // Each interval as its index into its own series, so a resample keeps every second's events and
  // requests together.
  auto indices = [](const std::vector<std::pair<int64_t, int64_t>>& v) {
    std::vector<double> out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i].second > 0) out.push_back(static_cast<double>(i));
    }
    return out;
  };
  const std::vector<double> ib = indices(baseline), ic = indices(current);
  auto rate = [](const std::vector<std::pair<int64_t, int64_t>>& v, const std::vector<double>& idx) {
    double events = 0, n = 0;
    for (double i : idx) {
      events += static_cast<double>(v[static_cast<size_t>(i)].first);
      n += static_cast<double>(v[static_cast<size_t>(i)].second);
    }
    return n > 0 ? events / n : 0.0;
  };
  if (ib.empty() || ic.empty()) return ChangeInterval{};
  const double estimate = rate(current, ic) - rate(baseline, ib);
  return bootstrap_interval(
      ib, ic, estimate, alpha, std::max(100, resamples),
      [&](const std::vector<double>& b, const std::vector<double>& c) { return rate(current, c) - rate(baseline, b); });
}

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
  const double se =
      std::sqrt(pooled * (1 - pooled) * (1.0 / static_cast<double>(base_n) + 1.0 / static_cast<double>(cur_n)));
  if (se <= 0) return 1;
  return normal_upper_tail((p2 - p1) / se);
}

}  // namespace perfgate
