#pragma once
// A fix proved in numbers: the same workload before and after a change (`perfgate demo`), per
// endpoint p95, p99 and queries per request, and the server's peak memory, each with its change.
// The table is what a team pastes into an incident write-up (docs/reports.md, "Before and after").

#include <string>
#include <vector>

#include "reports/report_inputs.h"

namespace perfgate {

/// One figure measured before and after.
struct BeforeAfterFigure {
  std::string endpoint;  ///< "" for a figure of the whole service (peak memory)
  std::string metric;    ///< "p95", "p99", "queries_per_request" or "peak_rss"
  std::string unit;      ///< "us", "count" or "bytes"
  double before = 0;     ///< NaN when that run did not measure it
  double after = 0;      ///< NaN when that run did not measure it

  /// Relative change, (after - before) / before: -0.96 is 96% lower; NaN when a side is missing or
  /// `before` is 0.
  [[nodiscard]] double change() const;
  /// How many times smaller the figure became, before / after (26 = 26x); NaN when a side is
  /// missing or not positive.
  [[nodiscard]] double factor() const;
};

/// The figures of `inputs.baseline` (before) against `inputs.result` (after): for each endpoint of
/// kind "request" in the after run (its order), p95 and p99 of the corrected latency (warm-up
/// excluded) and queries per request (from `inputs.baseline_findings` / `inputs.findings`, NaN where
/// not probed), then the peak RSS of the watched server processes. Empty without a baseline.
std::vector<BeforeAfterFigure> before_after_figures(const ReportInputs& inputs);

/// The figure of `endpoint` and `metric` in `figures`, or nullptr.
const BeforeAfterFigure* find_figure(const std::vector<BeforeAfterFigure>& figures, const std::string& endpoint,
                                     const std::string& metric);

/// The before/after tables as GitHub-flavoured Markdown (escaped), "" without a baseline.
std::string render_before_after_markdown(const ReportInputs& inputs);

/// "-96.2% (26x)": the change, with the factor when the figure became at least twice smaller.
std::string format_before_after_change(const BeforeAfterFigure& figure);

}  // namespace perfgate
