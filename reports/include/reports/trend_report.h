#pragma once
// The trend report: how each endpoint's latency, error rate and the peak memory moved over many runs.

#include <cstddef>
#include <string>
#include <vector>

#include "core/history.h"
#include "core/run_result.h"

namespace perfgate {

/// How a trend decides that a run regressed.
struct TrendOptions {
  size_t window = 5;        ///< K: a run is compared with the median of up to K previous runs, >= 1
  double threshold = 0.10;  ///< relative increase over that median that counts as a regression
  /// The increase must also exceed this, in the values' unit: keeps 0.1% -> 0.2% errors from counting.
  double min_absolute_increase = 0;
  /// Change points to draw and list (analyzers' find_history_changes over the same runs). A change's
  /// first_run_id is matched with a run's labels["history_id"], else with its 1-based position.
  std::vector<HistoryChange> changes;
};

/// Indexes of the values that are worse (higher) than the median of the up-to-`window` values before
/// them by more than `threshold` (relative) and `min_absolute_increase`. The first value is never a regression; NaN
/// values are skipped and never enter a median.
std::vector<size_t> find_trend_regressions(const std::vector<double>& values, const TrendOptions& options = {});

/// Renders one self-contained HTML page over `runs`, which must be ordered by start time (oldest
/// first): per endpoint p95/p99 and error rate, and peak memory, each run a point (named by its label,
/// commit or start time; partial and failed runs hollow), regressions marked, options.changes drawn.
/// Error rates additionally need a rise of half a percentage point to count as a regression.
/// An empty list renders a page that says so.
std::string render_trend_html(const std::vector<RunResult>& runs, const TrendOptions& options = {});

}  // namespace perfgate
