#pragma once
// The statistics behind baseline comparison (docs/budgets.md, "Baseline comparison"): confidence
// intervals of the change between two time series of per-second figures (a circular block bootstrap,
// so neighbouring seconds are not taken for independent), rank tests and a two-proportion test.
// Pure functions, thread-safe; the bootstrap is seeded, so equal inputs give equal intervals.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace perfgate {

/// Outcome of a one-sided Mann-Whitney U test that `current` tends to be larger than `baseline`.
struct RankTestResult {
  double u = 0;                   ///< U statistic of `current` (pairs where current > baseline, ties count 1/2)
  double z = 0;                   ///< normal approximation with tie and continuity correction
  double p_value = 1;             ///< P(U at least this large | same distribution); 1 when either sample is empty
  double serial_correlation = 0;  ///< mann_whitney_greater_serial: the lag-1 rank correlation used, [0, 0.8]
};

/// One-sided Mann-Whitney U test via the normal approximation (accurate from ~8 samples a side).
/// Samples are independent per-interval figures (e.g. each second's p95 in us); order is irrelevant.
RankTestResult mann_whitney_greater(const std::vector<double>& baseline, const std::vector<double>& current);

/// The same test for two time series whose neighbouring values may be correlated (per-second figures:
/// a noisy stretch of a shared machine lasts several seconds). Both vectors are in time order. The
/// lag-1 autocorrelation of the ranks within each series (each series ranked and centred on its own,
/// the two estimates averaged by length, bias-adjusted, clamped to [0, 0.8])
/// inflates the variance of U by (1 + rho) / (1 - rho), the effective-sample-size correction; at
/// rho = 0 the result equals mann_whitney_greater's.
RankTestResult mann_whitney_greater_serial(const std::vector<double>& baseline, const std::vector<double>& current);

/// A change between two runs with its confidence interval.
struct ChangeInterval {
  double estimate = 0;  ///< point estimate of the change (relative or absolute, as the function says)
  double low = -std::numeric_limits<double>::infinity();  ///< lower bound; -inf when the data cannot bound it
  double high = std::numeric_limits<double>::infinity();  ///< upper bound; +inf when the data cannot bound it
  int block_length = 0;  ///< values per resampled block (seconds, for per-second series); 0 when not bootstrapped
};

/// Consecutive values per block for a circular block bootstrap of a series of `n` values: at least 3
/// (a noisy stretch of a shared machine lasts a few seconds) and n^(1/3) beyond, at most n.
int bootstrap_block_length(std::size_t n);

/// Lag-1 autocorrelation of one time-ordered series about its own mean, in [-1, 1]; 0 under 3 values
/// or for a constant series. Two series are never pooled, so a level shift between them is not read
/// as correlation.
double lag1_autocorrelation(const std::vector<double>& series);

/// Relative shift of the typical value of `current` against `baseline` (0.10 = +10%): the
/// Hodges-Lehmann shift of the logarithms (median of all pairwise differences; the difference of the
/// medians beyond 2,500 pairs), with a two-sided (1 - 2 `alpha`) interval from a circular block
/// bootstrap of each series, widened for few blocks (Student-t over normal quantile). Both vectors are
/// in time order, values > 0 (smaller ones count as 1). Unbounded (infinite low/high) when either
/// series has under 2 values. `alpha` in (0, 0.5); `resamples` >= 100.
ChangeInterval relative_shift_interval(const std::vector<double>& baseline, const std::vector<double>& current,
                                       double alpha, int resamples = 2000);

/// Absolute difference of two event rates sum(events) / sum(n), current minus baseline (0.01 = one
/// point more), from per-interval (events, n) counts in time order, with the same bootstrap interval.
/// Unbounded when either series has under 2 intervals with n > 0.
ChangeInterval rate_difference_interval(const std::vector<std::pair<int64_t, int64_t>>& baseline,
                                        const std::vector<std::pair<int64_t, int64_t>>& current, double alpha,
                                        int resamples = 2000);

/// Quantile of the standard normal distribution for probability `p` in (0, 1).
double normal_quantile(double p);

/// One-sided pooled two-proportion z-test that the current rate (cur_events / cur_n) exceeds the
/// baseline's. Returns the p-value; 1 when either n is 0 or both rates are 0.
double two_proportion_greater_p(int64_t base_events, int64_t base_n, int64_t cur_events, int64_t cur_n);

/// The median of `values` (mean of the middle two for even sizes); 0 for an empty vector.
double median_of(std::vector<double> values);

/// Upper tail of the standard normal distribution, P(Z > z).
double normal_upper_tail(double z);

}  // namespace perfgate
