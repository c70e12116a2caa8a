#pragma once
// The per-interval latency histograms of a result as an HdrHistogram interval log (log format 1.3,
// docs/ecosystem.md): the file HdrHistogram's own tools read (HistogramLogProcessor,
// HistogramLogAnalyzer, hdr-histogram-js's HistogramLogReader).

#include <string>

#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// What to put in an interval log.
struct HdrLogOptions {
  /// "": the whole run's intervals untagged, then every endpoint's tagged `Tag=NAME`; a name: that
  /// endpoint's (kind "request" or "flow") alone, tagged.
  std::string endpoint;
};

/// Renders `result`'s interval histograms (microseconds; Interval_Max in milliseconds) with
/// `#[StartTime: ...]` and `#[BaseTime: ...]` at the run's wall-clock start and timestamps relative
/// to it. Errors (kInvalidInput): an endpoint that is not in the result (the message lists those
/// there are), a result whose intervals carry no histograms (written by an older perfgate), an
/// interval histogram that does not decode (naming its place in the result).
Result<std::string> render_hdr_log(const RunResult& result, const HdrLogOptions& options);

}  // namespace perfgate
