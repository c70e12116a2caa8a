#pragma once
// The statistics behind baseline comparison (docs/budgets.md, "Baseline comparison"): rank tests on
// per-second samples and a two-proportion test on error counts. Pure functions, thread-safe.

#include <cstdint>
#include <vector>

namespace perfgate {

/// Outcome of a one-sided Mann-Whitney U test that `current` tends to be larger than `baseline`.
struct RankTestResult {
  double u = 0;        ///< U statistic of `current` (pairs where current > baseline, ties count 1/2)
  double z = 0;        ///< normal approximation with tie and continuity correction
  double p_value = 1;  ///< P(U at least this large | same distribution); 1 when either sample is empty
  double serial_correlation = 0;  ///< mann_whitney_greater_serial: the lag-1 rank correlation used, [0, 0.8]
};

/// One-sided Mann-Whitney U test via the normal approximation (accurate from ~8 samples a side).
/// Samples are independent per-interval figures (e.g. each second's p95 in us); order is irrelevant.
RankTestResult mann_whitney_greater(const std::vector<double>& baseline, const std::vector<double>& current);

/// The same test for two time series whose neighbouring values may be correlated (per-second figures:
/// a noisy stretch of a shared machine lasts several seconds). Both vectors are in time order. The
/// lag-1 autocorrelation of the ranks within each series (pooled, bias-adjusted, clamped to [0, 0.8])
/// inflates the variance of U by (1 + rho) / (1 - rho), the effective-sample-size correction; at
/// rho = 0 the result equals mann_whitney_greater's.
RankTestResult mann_whitney_greater_serial(const std::vector<double>& baseline, const std::vector<double>& current);

/// One-sided pooled two-proportion z-test that the current rate (cur_events / cur_n) exceeds the
/// baseline's. Returns the p-value; 1 when either n is 0 or both rates are 0.
double two_proportion_greater_p(int64_t base_events, int64_t base_n, int64_t cur_events, int64_t cur_n);

/// The median of `values` (mean of the middle two for even sizes); 0 for an empty vector.
double median_of(std::vector<double> values);

/// Upper tail of the standard normal distribution, P(Z > z).
double normal_upper_tail(double z);

}  // namespace perfgate
