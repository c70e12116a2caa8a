#include "core/metric_names.h"

#include <iterator>

namespace perfgate {
namespace {

constexpr EndpointMetricName kNames[] = {
    {kMetricPolls, "count", "polls"},
    {kMetricPollTime, "us", "poll_time"},
    {kMetricTimeToFirstByte, "us", "time_to_first_byte"},
    {kMetricTimeToFirstEvent, "us", "time_to_first_event"},
    {kMetricEvents, "count", "events"},
    {kMetricEventRate, "events_per_s", "event_rate"},
    {kMetricMaxEventGap, "us", "max_event_gap"},
    {kMetricProgress, "percent", "progress"},
    {kMetricCompletion, "us", "completion"},
};

}  // namespace

std::span<const EndpointMetricName> endpoint_metric_names() { return kNames; }

const EndpointMetricName* find_endpoint_metric(std::string_view name) {
  // docs/budgets.md once documented "poll_completion" for the poll step's time; budgets written
  // from it keep working.
  if (name == "poll_completion") name = kMetricPollTime;
  for (const auto& m : kNames) {
    if (name == m.name || name == m.budget_name) return &m;
  }
  return nullptr;
}

}  // namespace perfgate
