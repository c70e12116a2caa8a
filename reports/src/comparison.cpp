#include "comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace perfgate::reports_detail {
namespace {

int severity_rank(Verdict v) {
  switch (v) {
    case Verdict::kFail:
      return 3;
    case Verdict::kWarn:
      return 2;
    case Verdict::kInconclusive:
      return 1;
    case Verdict::kPass:
      return 0;
  }
  return 0;
}

double relative(double current, double base) {
  if (base > 0) return (current - base) / base;
  return current > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

}  // namespace

double error_rate(const EndpointStats& endpoint) {
  return endpoint.requests > 0 ? static_cast<double>(endpoint.errors.total) / static_cast<double>(endpoint.requests)
                               : 0.0;
}

std::vector<Change> collect_changes(const ReportInputs& inputs) {
  std::vector<Change> changes;
  bool gate_compared = false;
  if (inputs.gate != nullptr) {
    for (const auto& check : inputs.gate->checks) {
      if (check.kind != "baseline") continue;
      gate_compared = true;
      Change c;
      c.endpoint = check.endpoint;
      c.metric = check.metric;
      c.unit = check.unit;
      c.baseline = check.limit.value_or(std::numeric_limits<double>::quiet_NaN());
      c.current = check.measured;
      c.change = check.change;
      c.verdict = check.verdict;
      c.message = check.message;
      c.interval = format_change_interval(check);
      changes.push_back(std::move(c));
    }
  }
  if (!gate_compared && inputs.baseline != nullptr && inputs.result != nullptr) {
    for (const auto& endpoint : inputs.result->endpoints) {
      const EndpointStats* base = inputs.baseline->find_endpoint(endpoint.name);
      if (base == nullptr || endpoint.latency.empty() || base->latency.empty()) continue;
      const LatencySummary now = LatencySummary::of(endpoint.latency);
      const LatencySummary then = LatencySummary::of(base->latency);
      const std::pair<const char*, std::pair<double, double>> figures[] = {
          {"p50", {then.p50, now.p50}}, {"p95", {then.p95, now.p95}}, {"p99", {then.p99, now.p99}}};
      for (const auto& [metric, values] : figures) {
        changes.push_back(Change{endpoint.name, metric, "us", values.first, values.second,
                                 relative(values.second, values.first), std::nullopt, "", ""});
      }
      const double rate_then = error_rate(*base), rate_now = error_rate(endpoint);
      if (rate_then > 0 || rate_now > 0) {
        changes.push_back(Change{endpoint.name, "error_rate", "ratio", rate_then, rate_now,
                                 relative(rate_now, rate_then), std::nullopt, "", ""});
      }
    }
  }
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    const int ra = a.verdict ? severity_rank(*a.verdict) : 0, rb = b.verdict ? severity_rank(*b.verdict) : 0;
    if (ra != rb) return ra > rb;
    return a.change > b.change;
  });
  return changes;
}

std::vector<const CheckResult*> budget_checks_for(const GateReport* gate, const std::string& endpoint) {
  std::vector<const CheckResult*> out;
  if (gate == nullptr) return out;
  for (const auto& check : gate->checks) {
    if (check.kind == "budget" && check.endpoint == endpoint) out.push_back(&check);
  }
  return out;
}

std::optional<Verdict> worst_verdict(const std::vector<const CheckResult*>& checks) {
  std::optional<Verdict> worst;
  for (const auto* c : checks) {
    if (!worst || severity_rank(c->verdict) > severity_rank(*worst)) worst = c->verdict;
  }
  return worst;
}

}  // namespace perfgate::reports_detail
