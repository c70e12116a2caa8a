#pragma once
// The search for the highest arrival rate a service sustains under an SLO (run --find-limit,
// docs/run.md "Finding the limit"): geometric steps up from a start rate, then bisection between the
// last good and the first bad step, each step judged by the budget rules of analyzers/budget.h.
// The loop is independent of how a step is run: the caller supplies a StepRunner.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "analyzers/budget.h"
#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// What the run being planned can measure besides the load's own figures.
struct SloMeasurability {
  bool server_profiled = false;   ///< a watched or spawned process: peak_rss, cpu, cpu_per_request, rss_slope
  bool postgres_sampled = false;  ///< --pg: pg_connections
};

/// Parses an SLO: budget rules separated by commas outside parentheses ("p95 < 1s, error_rate < 1%").
/// Rejects rules that cannot be judged per step: findings rules, recovery, and what `can` cannot
/// measure. Errors are kInvalidInput: "FLAG: column N: rule ...: PROBLEM; FIX" (`flag` names where the
/// text came from, e.g. "--find-limit" or "scenario.json: search.slo").
Result<BudgetSet> parse_slo(std::string_view text, const std::string& flag, const SloMeasurability& can);

/// How a search steps (docs/run.md). Rates are arrivals per second.
struct LimitSearchPlan {
  double start_rps = 10;    ///< first step, > 0
  double max_rps = 10'000;  ///< highest rate tried, >= start_rps
  double growth = 2;        ///< factor between steps before the first bad one, > 1
  double precision = 0.05;  ///< stop when (first bad - last good) <= precision x last good; (0, 1)
  std::chrono::microseconds warm_up{std::chrono::seconds(2)};  ///< start of every step, excluded, >= 0
  std::chrono::microseconds hold{std::chrono::seconds(10)};    ///< judged part of every step, > 0
  std::chrono::microseconds budget{std::chrono::minutes(10)};  ///< planned time of all steps together
};

/// Checks a plan's ranges; errors are kInvalidInput naming the field with `prefix` ("--find-limit-max").
Status validate_plan(const LimitSearchPlan& plan);

/// Runs one step: `offered_rps` held for warm-up + hold, the warm-up in an excluded phase. An error
/// ends the search and is returned by find_limit.
using StepRunner = std::function<Result<RunResult>(double offered_rps)>;

/// Judges one step's result against the SLO: "good", "bad" (a rule failed), "generator_limited" (the
/// generator was saturated by its own CPU or scheduling and could not send the rate, or was busy,
/// GeneratorHealth::busy, when a rule failed) or "inconclusive" (a rule could not be measured). Pure function.
LimitStep judge_step(const BudgetSet& slo, double offered_rps, const RunResult& step);

/// Runs the search. Returns the result of the highest good step (the first step's when none was
/// good) with `limit_search` filled in; the search never reports a rate it did not measure as good.
/// Errors: those of `run_step`.
Result<RunResult> find_limit(const BudgetSet& slo, const std::string& slo_text, const LimitSearchPlan& plan,
                             const StepRunner& run_step);

}  // namespace perfgate
