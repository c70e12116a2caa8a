#pragma once
// `perfgate run --find-limit`: the flags of a limit search and their merge with a scenario's "search"
// block (the search is analyzers/limit_search.h, run over a RunSession by pipeline/limit_search_run.h).
// Private to the CLI.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "analyzers/limit_search.h"
#include "core/run_result.h"
#include "scenarios/scenario.h"

namespace perfgate::cli {

/// The --find-limit flags as given (durations and shares still text).
struct FindLimitFlags {
  std::string slo;  ///< --find-limit "p95 < 1s, error_rate < 1%"
  std::optional<double> start_rps;
  std::optional<double> max_rps;
  std::optional<double> growth;
  std::string precision;  ///< "5%" or "0.05"
  std::string warm_up;
  std::string hold;
  std::string budget;
};

/// Adds --find-limit and its --find-limit-* settings to `cmd`.
void add_find_limit_flags(CLI::App* cmd, FindLimitFlags& flags);

/// A resolved search: the SLO (text and rules) and the plan.
struct SearchSetup {
  std::string slo_text;
  BudgetSet slo;
  LimitSearchPlan plan;
};

/// True when the flags or the scenario ask for a search.
bool search_requested(const FindLimitFlags& flags, const Scenario& scenario);

/// Merges flags over the scenario's "search" block over the defaults, parses the SLO and checks that
/// it can be measured and that the scenario can be searched (open model). Errors are kInvalidInput
/// naming the flag or "FILE: search.FIELD", with the column of a bad SLO rule.
Result<SearchSetup> resolve_search(const FindLimitFlags& flags, const Scenario& scenario, const SloMeasurability& can);

/// Prints the steps, the verdict and max_sustainable_rps.
void print_search_summary(std::FILE* out, const LimitSearch& search);

/// The exit code of a finished search: 0 found / above the maximum / time budget, 1 failing at the first
/// step, 3 generator-limited or inconclusive (the tool could not judge the service).
ExitCode search_exit_code(const LimitSearch& search);

}  // namespace perfgate::cli
