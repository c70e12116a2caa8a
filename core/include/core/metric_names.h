#pragma once
// The names of the extra per-endpoint metrics a run records (RunResult's EndpointStats::metrics,
// docs/scenarios.md): the one list that the engine emits, the budget language accepts, and the
// docs and reports name. A metric that is not here cannot be produced by any run.

#include <span>
#include <string_view>

namespace perfgate {

/// Requests a polling step sent, the last one included (unit "count").
inline constexpr const char* kMetricPolls = "polls";
/// Step due -> the response in which the polling condition held, successes only (unit "us").
inline constexpr const char* kMetricPollTime = "poll_time_us";
/// Step due -> first byte of a streamed response (unit "us").
inline constexpr const char* kMetricTimeToFirstByte = "time_to_first_byte_us";
/// Step due -> first complete event of a stream (unit "us").
inline constexpr const char* kMetricTimeToFirstEvent = "time_to_first_event_us";
/// Events received per stream (unit "count").
inline constexpr const char* kMetricEvents = "events";
/// Events per second between a stream's first and last event (unit "events_per_s").
inline constexpr const char* kMetricEventRate = "event_rate";
/// The largest gap between two consecutive events of one stream, streams with 2+ events (unit
/// "us"): a stream the generator or the server starved shows here even when its event count is right.
inline constexpr const char* kMetricMaxEventGap = "max_event_gap_us";
/// The last progress value a stream reported (unit "percent").
inline constexpr const char* kMetricProgress = "progress";
/// Step due -> end of a stream that was not cancelled (unit "us").
inline constexpr const char* kMetricCompletion = "completion_us";

/// One metric the engine can emit, with the names a budget may use for it.
struct EndpointMetricName {
  std::string_view name;         ///< the key in the result ("poll_time_us")
  std::string_view unit;         ///< "us", "count", "events_per_s", "percent"
  std::string_view budget_name;  ///< the budget shorthand ("poll_time" in "poll_time.p95 < 30s")
};

/// Every metric the engine can emit, in documentation order.
std::span<const EndpointMetricName> endpoint_metric_names();

/// The metric a budget names, by its result key ("poll_time_us"), its budget shorthand
/// ("poll_time") or the shorthand's older spelling ("poll_completion"); nullptr when no run can emit it.
const EndpointMetricName* find_endpoint_metric(std::string_view name);

}  // namespace perfgate
