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
#include "analyzers/findings.h"
#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// One endpoint's summary figures of one run. Latencies in microseconds; NaN when not measured.
struct EndpointSummary {
  std::string name;
  int64_t requests = 0;
  double p50_us = 0, p95_us = 0, p99_us = 0;
  double error_rate_percent = 0;             ///< errors / requests * 100
  std::optional<double> queries_per_request; ///< from the run's findings, when it had them
};

/// What identifies a run in a history and the figures change points are found in.
struct RunSummary {
  int64_t id = 0;                 ///< the store's sequence number (1, 2, ...); 0 before it is stored
  std::string scenario_name;
  std::string scenario_hash;      ///< runs are compared only with runs of the same hash
  std::string commit;             ///< --commit, else the result's labels.git_sha
  std::string branch;             ///< --branch, else labels.branch
  std::string label;              ///< labels.label (run --label)
  std::string status;             ///< "complete", "partial" or "failed"
  std::string start_time;         ///< the run's ISO-8601 UTC start
  std::string recorded_at;        ///< when it was added to the history, ISO-8601 UTC
  std::optional<double> peak_rss_bytes;  ///< of the watched processes, when profiled
  std::vector<EndpointSummary> endpoints;  ///< kinds "request" and "flow" (steps are left out)
};

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
  ChangePointOptions change_points;     ///< for latency, peak RSS and queries per request
  double error_rate_min_points = 0.5;   ///< an error-rate change must also move this many percentage points
  size_t max_runs = 500;                ///< only the latest this many good runs of each scenario are searched
};

/// One change point of one metric of one endpoint ("" for peak_rss, a whole-run figure).
struct HistoryChange {
  std::string scenario_name;
  std::string scenario_hash;
  std::string endpoint;
  std::string metric;              ///< one of history_metrics()
  ChangePoint change;              ///< change.index indexes the runs of this scenario, oldest first
  int64_t first_run_id = 0;        ///< the first run at the new level
  std::string first_commit;        ///< its commit ("" when not recorded)
  std::string first_label;         ///< its label, else its start time
  std::string first_start_time;
  [[nodiscard]] bool regression() const { return change.relative_change > 0; }
};

/// Change points over `runs` (oldest first, one branch): runs are split by scenario hash and never
/// compared across; partial and failed runs are left out. Ordered by scenario, endpoint, metric, run.
std::vector<HistoryChange> find_history_changes(const std::vector<RunSummary>& runs, const HistoryOptions& options = {});

/// The baseline pooled from `runs` (the last good runs of a branch, each complete and of one
/// scenario): endpoints' histograms and counts merged exactly, per-second timelines laid end to end
/// (each run's intervals shifted after the previous run's), peak RSS the highest, context and load
/// shape from the newest run. kInvalidInput when `runs` is empty or mixes scenario hashes or target
/// rates (naming `source_name` and the runs).
Result<RunResult> pool_baseline_runs(const std::vector<RunResult>& runs, const std::string& source_name);

}  // namespace perfgate
