#pragma once
// The run-history models (docs/history.md): what a history keeps of each run and the change points
// found in it. Computed by analyzers (analyzers/history.h), stored by history/, drawn by reports (the trend takes them
// as input: reports compute nothing).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace perfgate {

/// One change: the series moved from `mean_before` to `mean_after` starting at value `index`.
struct ChangePoint {
  size_t index = 0;            ///< first value of the new level (an index into the series given)
  double mean_before = 0;      ///< mean of the segment before, up to the previous change point
  double mean_after = 0;       ///< mean of the segment after, up to the next change point
  double relative_change = 0;  ///< mean_after / mean_before - 1 (inf when mean_before is 0)
  double p_value = 1;          ///< Welch t-test between the two segments, two-sided
};

/// One endpoint's summary figures of one run. Latencies in microseconds; NaN when not measured.
struct EndpointSummary {
  std::string name;
  int64_t requests = 0;
  double p50_us = 0, p95_us = 0, p99_us = 0;
  double error_rate_percent = 0;              ///< errors / requests * 100
  std::optional<double> queries_per_request;  ///< from the run's findings, when it had them
};

/// What identifies a run in a history and the figures change points are found in.
struct RunSummary {
  int64_t id = 0;  ///< the store's sequence number (1, 2, ...); 0 before it is stored
  std::string scenario_name;
  std::string scenario_hash;               ///< the run's identity_hash(): runs compare only with the same one
  std::string commit;                      ///< --commit, else the result's labels.git_sha
  std::string branch;                      ///< --branch, else labels.branch
  std::string label;                       ///< labels.label (run --label)
  std::string status;                      ///< "complete", "partial" or "failed"
  std::string start_time;                  ///< the run's ISO-8601 UTC start
  std::string recorded_at;                 ///< when it was added to the history, ISO-8601 UTC
  std::optional<double> peak_rss_bytes;    ///< of the watched processes, when profiled
  std::vector<EndpointSummary> endpoints;  ///< kinds "request" and "flow" (steps are left out)
};

/// One change point of one metric of one endpoint ("" for peak_rss, a whole-run figure).
struct HistoryChange {
  std::string scenario_name;
  std::string scenario_hash;
  std::string endpoint;
  std::string metric;        ///< one of history_metrics()
  ChangePoint change;        ///< change.index indexes the runs of this scenario, oldest first
  int64_t first_run_id = 0;  ///< the first run at the new level
  std::string first_commit;  ///< its commit ("" when not recorded)
  std::string first_label;   ///< its label, else its start time
  std::string first_start_time;
  [[nodiscard]] bool regression() const { return change.relative_change > 0; }
};

}  // namespace perfgate
