#pragma once
// The gate's decision (docs/budgets.md): one check per budget and per baseline comparison, each with
// a verdict, the measured value, the limit and where. Produced by analyzers/gate.h, rendered by reports;
// the model lives in core so that reports depend on core only.

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// pass, warn, fail, or inconclusive (too few samples, generator saturated, mismatched baseline):
/// inconclusive never passes silently and never fails a build by default.
enum class Verdict { kPass, kWarn, kFail, kInconclusive };

/// The verdict's JSON and display name: "pass", "warn", "fail", "inconclusive".
const char* verdict_name(Verdict verdict);
/// Parses a verdict name; nullopt for an unknown one.
std::optional<Verdict> verdict_from_name(const std::string& name);

/// Formats a check's measured value or limit for people by its unit: "us" as a duration, "bytes"
/// as a size, "ratio" as a percentage, "percent", "rps", "mb_per_hour" and "count" as numbers.
std::string format_check_value(double value, const std::string& unit);

struct CheckResult;

/// A baseline comparison's change with its confidence interval and the change that counts, for
/// people: "+14.5% [+11.2%, +17.9%], counts from +5.0%" (error rates in points); an unbounded side
/// reads "?"; "" for a check without an interval (budgets, memory).
std::string format_change_interval(const CheckResult& check);

/// One evaluated check.
struct CheckResult {
  std::string id;        ///< stable id: "budget:reports.sales:steady:p95", "baseline:reports.sales:latency"
  std::string kind;      ///< "budget" or "baseline"
  std::string endpoint;  ///< endpoint or pattern; "" for global checks
  std::string phase;     ///< "" for the whole run
  std::string metric;    ///< "p95", "error_rate", "peak_rss", "n_plus_one", "latency_shift", ...
  Verdict verdict = Verdict::kPass;
  double measured = 0;
  std::optional<double> limit;    ///< budget limit, or baseline value for comparisons
  std::string unit;               ///< "us", "ratio", "bytes", "count", ...
  double change = 0;              ///< relative change vs baseline (0.2 = +20%), comparisons only
  std::optional<double> p_value;  ///< comparisons only
  std::string message;            ///< "reports.sales p95 1.84s > 1.50s (1.5 x 1s budget)"
  std::optional<double> change_low =
      std::nullopt;  ///< comparisons: lower end of the change's confidence interval, as `change`
  std::optional<double> change_high =
      std::nullopt;  ///< comparisons: upper end; absent when the data cannot bound that side
  std::optional<double> threshold =
      std::nullopt;  ///< comparisons: the change that counts (fail above, pass below), as `change`
};

/// The whole decision.
struct GateReport {
  int schema_version = 1;
  Verdict overall = Verdict::kPass;  ///< fail if any check failed; warn/inconclusive otherwise as documented
  std::string result_path;
  std::string result_id;      ///< result_identity() of the judged run; "" in reports of older versions
  std::string baseline_path;  ///< "" when no baseline
  std::string budgets_path;   ///< "" when no budgets
  std::vector<CheckResult> checks;
  std::vector<std::string> notes;
};

/// Combines verdicts: fail if any failed, else inconclusive if any was, else warn if any, else pass.
Verdict combine_verdicts(const std::vector<CheckResult>& checks);

/// JSON I/O (atomic write); reading errors are kInvalidInput naming file, line and field.
std::string gate_report_to_json(const GateReport& report);
Result<GateReport> gate_report_from_json(const std::string& text, const std::string& source_name);
Status write_gate_report(const GateReport& report, const std::string& path);

}  // namespace perfgate
