#pragma once
// What changed against the baseline, for the HTML and Markdown reports. The gate's baseline checks
// are the authority; only without a gate report are p50/p95/p99 compared directly.

#include <optional>
#include <string>
#include <vector>

#include "reports/report_inputs.h"

namespace perfgate::reports_detail {

/// One compared figure.
struct Change {
  std::string endpoint;
  std::string metric;   ///< "p95", "error_rate", ...
  std::string unit;     ///< unit of the values ("us", "ratio", ...)
  double baseline = 0;  ///< the baseline's value (NaN when the gate did not record it)
  double current = 0;
  double change = 0;               ///< relative: 0.25 = 25% higher than the baseline
  std::optional<Verdict> verdict;  ///< the gate's verdict; nullopt for directly computed changes
  std::string message;
  std::string interval;  ///< the gate's "change [low, high], counts from T" (format_change_interval); "" without one
};

/// Changes sorted largest regression first (highest relative increase), improvements last. Empty
/// when there is neither a gate report with baseline checks nor a baseline result.
std::vector<Change> collect_changes(const ReportInputs& inputs);

/// The gate's budget checks for `endpoint` (exact name), in the gate's order.
std::vector<const CheckResult*> budget_checks_for(const GateReport* gate, const std::string& endpoint);

/// The worst verdict among `checks` (fail > warn > inconclusive > pass); nullopt when empty.
std::optional<Verdict> worst_verdict(const std::vector<const CheckResult*>& checks);

/// Error rate of an endpoint in 0..1 (0 with no requests).
double error_rate(const EndpointStats& endpoint);

}  // namespace perfgate::reports_detail
