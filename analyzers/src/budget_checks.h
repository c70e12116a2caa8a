#pragma once
// Private to the budget evaluator: what one rule is evaluated against, and the shared verdict logic.

#include <optional>
#include <string>
#include <vector>

#include "analyzers/budget.h"
#include "core/findings.h"
#include "core/gate_report.h"
#include "core/run_result.h"

namespace perfgate::budget_detail {

/// One thing a rule is evaluated on: an endpoint (or the whole run) within the run or one phase.
struct Target {
  std::string endpoint;                                       ///< "" for the whole run
  std::string pattern;                                        ///< the entry's selector, for findings matching
  const PhaseInfo* phase = nullptr;                           ///< nullptr for the whole run
  const EndpointStats* stats = nullptr;                       ///< nullptr when the endpoint is absent
  const std::vector<IntervalStats>* timeline = nullptr;       ///< per-second figures (overall)
  double duration_s = 0;                                      ///< the measured window's length
  const ProfileSummary* profile = nullptr;                    ///< nullptr without profiling
  const Findings* findings = nullptr;                         ///< nullptr without --findings
  const std::vector<EndpointStats>* run_endpoints = nullptr;  ///< every endpoint of the run, for findings attribution
  bool generator_saturated = false;
  const LimitSearch* search = nullptr;  ///< a limit search's outcome (run --find-limit), or nullptr
};

/// A measurement, or the reason there is none (then the check is inconclusive).
struct Measure {
  std::optional<double> value;
  std::string unit;
  std::string reason;  ///< why there is no value
  std::string detail;  ///< extra words for the message ("3 confirmed findings: ...")
};

/// Measures the endpoint-level metrics (latency, named metrics, errors, timeouts, rps, tallies).
Measure measure_endpoint_metric(const BudgetRule& rule, const Target& target);
/// Measures the server, database and findings metrics.
Measure measure_resource_metric(const BudgetRule& rule, const Target& target);
/// Evaluates a "no KIND" rule: likely or confirmed findings fail, possible ones warn.
CheckResult evaluate_findings_rule(const BudgetRule& rule, const Target& target);
/// Evaluates a recovery rule: value is the recovery time in us; verdict decided inside.
CheckResult evaluate_recovery(const BudgetRule& rule, const Target& target);
/// Evaluates a memory slope rule against the slope's confidence interval.
CheckResult evaluate_rss_slope(const BudgetRule& rule, const Target& target);
/// Evaluates a soak's leak rule: fails ("leak") only when the slope's interval excludes zero and the
/// growth projected over the rule's span exceeds the limit.
CheckResult evaluate_rss_growth(const BudgetRule& rule, const Target& target);
/// Evaluates a soak's CPU drift rule: fails ("drift") only when the CPU-per-request slope's interval
/// excludes zero and the change projected over the rule's span, as a percent of the starting CPU per
/// request, exceeds the limit.
CheckResult evaluate_cpu_drift(const BudgetRule& rule, const Target& target);

/// The check skeleton for a rule on a target: id, kind, endpoint, phase, metric, unit.
CheckResult make_check(const BudgetRule& rule, const Target& target);
/// "reports.sales [steady]" or "whole run [steady]".
std::string where(const Target& target);
/// The limit written for people: "1s", "1s (x1.5: 1.50s)".
std::string limit_text(const BudgetRule& rule, const std::string& unit);
/// "<", "<=", ">", ">=".
const char* op_text(BudgetOp op);

}  // namespace perfgate::budget_detail
