#pragma once
// Performance budgets (docs/budgets.md): what a run must stay under, per endpoint, endpoint pattern,
// category, phase or globally. Read from a JSON file (comments allowed) whose rules are short
// expressions such as "p95 < 1s", "error_rate <= 1%", "tally(x_cache, hit) >= 80%", "no n_plus_one".

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// Layout version of budgets files this perfgate reads.
inline constexpr int kBudgetsSchemaVersion = 1;

/// What a budget rule measures.
enum class BudgetMetric {
  kLatency,            ///< a percentile (or max/mean) of the latency histogram, us
  kNamedMetric,        ///< a percentile of EndpointStats::metrics[name] (stream/poll figures)
  kErrorRate,          ///< errors / completed requests, ratio
  kTimeoutShare,       ///< share of requests slower than `timeout_us` or ended in a timeout, ratio
  kThroughput,         ///< achieved completed requests per second (a floor)
  kTallyShare,         ///< share of `tally_value` among the values of tally `metric_name`, ratio
  kPeakRss,            ///< server peak RSS (Profile summary), bytes
  kRssSlope,           ///< server RSS growth, MB per hour, judged with its confidence interval
  kCpu,                ///< server mean CPU, percent of one core
  kCpuPerRequest,      ///< server CPU time per request, us
  kPgConnections,      ///< PostgreSQL peak connections: a count, or a share of max_connections
  kQueriesPerRequest,  ///< SQL statements per request (Findings::queries_per_request)
  kSlowQueryMean,      ///< worst mean execution time among the analyzer's slow-query findings, us
  kNoFindings,         ///< number of findings of kind `metric_name` (must be 0)
  kRecovery,           ///< time after the phase ends until per-second latency is back under the limit, us
  kRssGrowth,          ///< server RSS growth projected over `horizon_us` (a soak's leak verdict), bytes
  kCpuDrift,           ///< server CPU per request change projected over `horizon_us`, percent of its start
  kMaxSustainableRps,  ///< a limit search's highest rate within its SLO (run --find-limit), requests/s (a floor)
};

/// The comparison a rule makes: the first two are ceilings, the last two floors.
enum class BudgetOp { kLess, kLessEqual, kGreater, kGreaterEqual };

/// What a broken rule does to the build: fail it, or only warn.
enum class BudgetSeverity { kFail, kWarn };

/// One parsed rule. Limits are in the metric's canonical unit (see BudgetMetric).
struct BudgetRule {
  std::string text;  ///< as written, for messages
  BudgetMetric metric = BudgetMetric::kLatency;
  std::string label;        ///< stable short name for check ids: "p95", "tally.x_cache.hit", ...
  double percentile = 95;   ///< kLatency, kNamedMetric, kRecovery: 0..100 (100 = max)
  bool mean = false;        ///< kLatency: the mean instead of a percentile
  std::string metric_name;  ///< named metric key, tally name, or finding kind ("n_plus_one")
  std::string tally_value;  ///< kTallyShare: the value whose share is measured
  BudgetOp op = BudgetOp::kLessEqual;
  double limit = 0;
  bool limit_is_share = false;  ///< kPgConnections: the limit is a share of max_connections
  double timeout_us = 0;        ///< kTimeoutShare: the duration beyond which a request counts
  double within_us = 0;         ///< kRecovery: how long recovery may take
  double horizon_us = 0;        ///< kRssGrowth, kCpuDrift: the projection's span; 0: the run's measured duration
  double tolerance = 1.0;       ///< >= 1; ceilings on time figures fail only above limit * tolerance
  BudgetSeverity severity = BudgetSeverity::kFail;
};

/// Where a budget entry applies. Empty endpoint and category: the whole run (global).
struct BudgetScope {
  std::string endpoint;  ///< endpoint name or glob ('*' any run, '?' one character)
  std::string category;  ///< endpoint category: the name's prefix before the first '.'
  std::string phase;     ///< "" for the whole run (warm-up excluded)
};

/// One entry of a budgets file: a scope and its rules.
struct BudgetEntry {
  BudgetScope scope;
  std::vector<BudgetRule> rules;
  std::string origin;  ///< "FILE:LINE" of the entry, for messages
};

/// A whole budgets file.
struct BudgetSet {
  std::string source;  ///< file name it was read from
  std::vector<BudgetEntry> entries;
};

/// Parses one rule expression ("p95 < 1s", "timeout_share(15s) <= 0.1%", "recovery.p95 < 1s within
/// 30s", "no missing_index"). Errors are kInvalidInput whose message is "PROBLEM; FIX" (no position).
Result<BudgetRule> parse_budget_rule(std::string_view text);

/// Parses a budgets file's text; `source_name` names it in errors, which are kInvalidInput formatted
/// "FILE:LINE:COL: FIELD: PROBLEM; FIX".
Result<BudgetSet> budgets_from_json(const std::string& text, const std::string& source_name);

/// Reads and parses a budgets file; unreadable or invalid: kInvalidInput naming the file.
Result<BudgetSet> read_budgets(const std::string& path);

/// True when `name` matches `pattern` ('*' matches any run of characters, '?' one; else literal).
bool endpoint_matches(std::string_view pattern, std::string_view name);

/// The category of an endpoint: its name up to the first '.' ("reports.sales" -> "reports").
std::string endpoint_category(std::string_view name);

}  // namespace perfgate
