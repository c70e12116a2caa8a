#include "core/run_result.h"

#include <algorithm>
#include <array>

namespace perfgate {
namespace {
constexpr std::array<const char*, static_cast<size_t>(Outcome::kCount_)> kOutcomeNames = {
    "ok", "connect", "timeout", "read", "write", "status_4xx", "status_5xx", "parse", "check", "deadline"};
}  // namespace

const char* outcome_name(Outcome outcome) { return kOutcomeNames[static_cast<size_t>(outcome)]; }

std::optional<Outcome> outcome_from_name(const std::string& name) {
  for (size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (name == kOutcomeNames[i]) return static_cast<Outcome>(i);
  }
  return std::nullopt;
}

bool GeneratorHealth::busy() const {
  // Below this share of time blocked on I/O, the workers always had work queued: completions
  // waited to be read, so a full connection pool reflects the generator's pace, not the server's.
  constexpr double kBusyBelowIoWaitPercent = 10;
  return saturated && io_wait_percent >= 0 && io_wait_percent < kBusyBelowIoWaitPercent;
}

std::optional<double> GeneratorHealth::rss_per_stream_bytes() const {
  if (peak_open_streams <= 0 || rss_idle_bytes < 0 || rss_peak_bytes < 0) return std::nullopt;
  return static_cast<double>(std::max<int64_t>(0, rss_peak_bytes - rss_idle_bytes)) /
         static_cast<double>(peak_open_streams);
}

LatencySummary LatencySummary::of(const Histogram& h) {
  LatencySummary s;
  s.count = h.total_count();
  if (s.count == 0) return s;
  s.p50 = static_cast<double>(h.value_at_percentile(50));
  s.p90 = static_cast<double>(h.value_at_percentile(90));
  s.p95 = static_cast<double>(h.value_at_percentile(95));
  s.p99 = static_cast<double>(h.value_at_percentile(99));
  s.p999 = static_cast<double>(h.value_at_percentile(99.9));
  s.max = static_cast<double>(h.max());
  s.min = static_cast<double>(h.min());
  s.mean = h.mean();
  return s;
}

void ErrorCounts::add(Outcome outcome, int64_t n) {
  if (outcome == Outcome::kOk || n == 0) return;
  by_category[outcome_name(outcome)] += n;
  total += n;
}

void EndpointStats::merge(const EndpointStats& other) {
  requests += other.requests;
  for (const auto& [category, n] : other.errors.by_category) errors.by_category[category] += n;
  errors.total += other.errors.total;
  latency.merge(other.latency);
  service_time.merge(other.service_time);
  for (const auto& [metric_name, metric] : other.metrics) {
    auto [it, inserted] = metrics.try_emplace(metric_name, metric);
    if (!inserted) it->second.histogram.merge(metric.histogram);
  }
  for (const auto& [tally_name, tally] : other.tallies) {
    for (const auto& [value, n] : tally) tallies[tally_name][value] += n;
  }
  for (const auto& [code, n] : other.status_codes) status_codes[code] += n;
}

std::string_view endpoint_kind_name(EndpointKind kind) {
  switch (kind) {
    case EndpointKind::kFlow:
      return "flow";
    case EndpointKind::kStep:
      return "step";
    case EndpointKind::kRequest:
      break;
  }
  return "request";
}

std::optional<EndpointKind> endpoint_kind_from_name(std::string_view name) {
  for (const EndpointKind k : {EndpointKind::kRequest, EndpointKind::kFlow, EndpointKind::kStep}) {
    if (endpoint_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::kPartial:
      return "partial";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kComplete:
      break;
  }
  return "complete";
}

std::optional<RunStatus> run_status_from_name(std::string_view name) {
  for (const RunStatus s : {RunStatus::kComplete, RunStatus::kPartial, RunStatus::kFailed}) {
    if (run_status_name(s) == name) return s;
  }
  return std::nullopt;
}

RunStatus RunResult::shown_status() const {
  return partial && status == RunStatus::kComplete ? RunStatus::kPartial : status;
}

const EndpointStats* RunResult::find_endpoint(const std::string& name) const {
  for (const auto& e : endpoints) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

int64_t RunResult::total_requests() const {
  int64_t n = 0;
  for (const auto& e : endpoints) {
    if (e.kind != EndpointKind::kStep) n += e.requests;
  }
  return n;
}

int64_t RunResult::total_errors() const {
  int64_t n = 0;
  for (const auto& e : endpoints) {
    if (e.kind != EndpointKind::kStep) n += e.errors.total;
  }
  return n;
}

}  // namespace perfgate
