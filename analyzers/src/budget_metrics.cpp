// Endpoint-level budget measurements: latency, stream and poll metrics, errors, timeouts, rps, tallies.
#include <algorithm>
#include <cctype>

#include "budget_checks.h"
#include "core/units.h"

namespace perfgate::budget_detail {
namespace {

Measure missing(std::string reason, std::string unit) {
  Measure m;
  m.reason = std::move(reason);
  m.unit = std::move(unit);
  return m;
}

Measure value(double v, std::string unit) {
  Measure m;
  m.value = v;
  m.unit = std::move(unit);
  return m;
}

double percentile_of(const Histogram& h, double percentile) {
  // The exact maximum is kept beside the buckets; p100 from the buckets would round it.
  if (percentile >= 100.0) return static_cast<double>(h.max());
  return static_cast<double>(h.value_at_percentile(percentile));
}

// Requests whose latency is certainly above `threshold_us`: whole buckets above it, so a request
// equivalent to the threshold (within histogram precision) is never counted as slower.
int64_t count_above(const Histogram& h, double threshold_us) {
  int64_t n = 0;
  h.for_each_bucket([&](const HistogramBucket& b) {
    if (static_cast<double>(b.lowest) > threshold_us) n += b.count;
  });
  return n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string known_names(const std::map<std::string, NamedMetric>& metrics) {
  std::string names;
  for (const auto& [name, m] : metrics) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "none" : names;
}

}  // namespace

Measure measure_endpoint_metric(const BudgetRule& rule, const Target& target) {
  const EndpointStats* e = target.stats;
  if (!e) return missing("the endpoint is not in the result", "");
  switch (rule.metric) {
    case BudgetMetric::kLatency:
      if (e->latency.empty()) return missing("no requests were measured", "us");
      return value(rule.mean ? e->latency.mean() : percentile_of(e->latency, rule.percentile), "us");
    case BudgetMetric::kNamedMetric: {
      auto it = e->metrics.find(rule.metric_name);
      if (it == e->metrics.end()) {
        return missing("no metric \"" + rule.metric_name + "\" (the endpoint has: " + known_names(e->metrics) + ")",
                       "us");
      }
      const std::string unit = it->second.unit.empty() ? "us" : it->second.unit;
      if (it->second.histogram.empty()) return missing("metric \"" + it->first + "\" has no samples", unit);
      return value(percentile_of(it->second.histogram, rule.percentile), unit);
    }
    case BudgetMetric::kErrorRate:
      if (e->requests <= 0) return missing("no requests were measured", "ratio");
      return value(static_cast<double>(e->errors.total) / static_cast<double>(e->requests), "ratio");
    case BudgetMetric::kTimeoutShare: {
      if (e->requests <= 0) return missing("no requests were measured", "ratio");
      int64_t timeouts = 0;
      if (auto it = e->errors.by_category.find("timeout"); it != e->errors.by_category.end()) timeouts = it->second;
      const int64_t slower = count_above(e->latency, rule.timeout_us);
      // Timed-out requests are usually also in the latency histogram at or beyond the timeout; taking
      // the larger count avoids counting them twice (a lower bound on the union).
      const int64_t n = std::max(slower, timeouts);
      Measure m = value(static_cast<double>(n) / static_cast<double>(e->requests), "ratio");
      m.detail = std::to_string(n) + " of " + std::to_string(e->requests) + " requests slower than " +
                 format_duration_us(rule.timeout_us) + " or timed out";
      return m;
    }
    case BudgetMetric::kThroughput:
      if (target.duration_s <= 0) return missing("the measured duration is 0", "rps");
      return value(static_cast<double>(e->requests) / target.duration_s, "rps");
    case BudgetMetric::kTallyShare: {
      auto it = e->tallies.find(rule.metric_name);
      if (it == e->tallies.end()) return missing("no tally \"" + rule.metric_name + "\" was recorded", "ratio");
      int64_t total = 0, hits = 0;
      for (const auto& [v, n] : it->second) {
        total += n;
        if (lower(v) == lower(rule.tally_value)) hits += n;
      }
      if (total <= 0) return missing("tally \"" + rule.metric_name + "\" is empty", "ratio");
      Measure m = value(static_cast<double>(hits) / static_cast<double>(total), "ratio");
      m.detail = std::to_string(hits) + " of " + std::to_string(total);
      return m;
    }
    default:
      return missing("not an endpoint metric", "");
  }
}

}  // namespace perfgate::budget_detail
