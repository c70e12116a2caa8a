#pragma once
// Baseline comparison (docs/budgets.md, "Baseline comparison"): is the current run a regression of
// the baseline? Per endpoint (and per phase), latency is compared on the per-second timelines as
// independent samples with a rank test, error rates with a two-proportion test, memory by threshold.
// A regression needs BOTH a clear test (p < alpha) AND an effect larger than the minimum, so an A/A
// pair on a noisy machine passes.

#include <string>
#include <vector>

#include "core/gate_report.h"
#include "core/run_result.h"

namespace perfgate {

/// Parameters of the comparison; the defaults are documented in docs/budgets.md.
struct CompareOptions {
  double alpha = 0.01;                             ///< one-sided significance level per check, (0, 0.5)
  double min_effect = 0.05;                        ///< smallest relative slowdown that counts (0.05 = +5%)
  double min_effect_abs_us = 1000;                 ///< and smallest absolute slowdown, us (tiny latencies)
  int min_intervals = 10;                          ///< per-second samples needed in each run, else inconclusive
  double error_rate_floor = 0.005;                 ///< smallest error-rate increase that counts (0.005 = 0.5 points)
  double memory_min_effect = 0.20;                 ///< peak RSS growth that fails (warns from half of it)
  double memory_floor_bytes = 32.0 * 1024 * 1024;  ///< and smallest absolute growth
  double target_rate_tolerance = 0.05;             ///< relative difference of target rates still comparable
  double max_late_share = 0.025;  ///< a run flagged saturated still compares when at most this share of its
                                  ///< requests left late and it achieved its target rate (within tolerance)
};

/// What compare_runs found: the checks and remarks that are not checks (new endpoints, ...).
struct Comparison {
  std::vector<CheckResult> checks;
  std::vector<std::string> notes;
};

/// Compares `current` against `baseline`. Runs from different scenarios (hash), load models or target
/// rates, or with a saturated generator in either (beyond `max_late_share` late requests, or short
/// of its target rate), yield inconclusive checks saying why; slighter lateness is a note. Two
/// saturated runs still compare as bounds, where only "no worse" (pass) stands and fails and warnings
/// become inconclusive: a baseline whose every connection waited for the server (generator cause
/// "connections"), and a candidate that achieved its planned rate but sent late for want of CPU
/// (cause "cpu" or "scheduler"). Endpoints
/// missing from the current run are inconclusive. Pure function; thread-safe for distinct inputs.
Comparison compare_runs(const RunResult& baseline, const RunResult& current, const CompareOptions& options);

/// Compares one per-second latency figure of one endpoint (and phase): `baseline_us` and `current_us`
/// are the per-interval values in us. The check's metric is `figure` + "_shift" ("p95_shift"); its
/// measured/limit are the current/baseline medians, change the relative difference of the medians.
CheckResult compare_latency_samples(const std::string& endpoint, const std::string& phase, const std::string& figure,
                                    const std::vector<double>& baseline_us, const std::vector<double>& current_us,
                                    const CompareOptions& options);

/// The per-second values of one figure ("p50", "p90", "p95", "p99", "max") from `timeline`, keeping
/// intervals with requests inside [start_ms, end_ms) and outside every excluded (warm-up) phase, in
/// time order, leaving out slivers with under a quarter of the median request count of those intervals.
std::vector<double> interval_samples(const std::vector<IntervalStats>& timeline, const std::vector<PhaseInfo>& phases,
                                     const std::string& figure, int64_t start_ms, int64_t end_ms);

}  // namespace perfgate
