#pragma once
// Run history (docs/history.md): what is kept of each run, change points per scenario, endpoint and
// metric over a branch's runs, and the pooled baseline of the last good runs. Storage is elsewhere
// (history/); this is the computation over what a store returns.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/change_points.h"
#include "core/findings.h"
#include "core/history.h"
#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// The summary of `result` (identity from the result; commit/branch from its labels) with the query
/// counts of `findings` when given. Pure.
RunSummary summarize_run(const RunResult& result, const Findings* findings);

/// Whether a run may enter change points and pooled baselines: complete, not partial, and measured.
bool is_good_run(const RunSummary& run);

/// The metrics change points are searched in, in this order: "p95", "p99", "error_rate", "peak_rss",
/// "queries_per_request". Higher is worse for every one.
const std::vector<std::string>& history_metrics();

/// Parameters of find_history_changes; the defaults are documented in docs/history.md.
struct HistoryOptions {
  ChangePointOptions change_points;    ///< for latency, peak RSS and queries per request
  double error_rate_min_points = 0.5;  ///< an error-rate change must also move this many percentage points
  size_t max_runs = 500;               ///< only the latest this many good runs of each scenario are searched
};

/// Change points over `runs` (oldest first, one branch): runs are split by scenario hash and never
/// compared across; partial and failed runs are left out. Ordered by scenario, endpoint, metric, run.
std::vector<HistoryChange> find_history_changes(const std::vector<RunSummary>& runs,
                                                const HistoryOptions& options = {});

/// The baseline pooled from `runs` (the last good runs of a branch, each complete and of one
/// scenario): endpoints' histograms and counts merged exactly, per-second timelines laid end to end
/// (each run's intervals shifted after the previous run's), peak RSS the highest, context and load
/// shape from the newest run. kInvalidInput when `runs` is empty or mixes scenario hashes or target
/// rates (naming `source_name` and the runs).
Result<RunResult> pool_baseline_runs(const std::vector<RunResult>& runs, const std::string& source_name);

}  // namespace perfgate
