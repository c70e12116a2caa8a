#pragma once
// A limit search (analyzers/limit_search.h) run on a RunSession: every step is the scenario with its
// stages replaced by a warm-up and a hold at the step's rate, on the same servers and profiler.

#include <string>

#include "analyzers/budget.h"
#include "analyzers/limit_search.h"
#include "core/result.h"
#include "core/run_result.h"
#include "loadgen/engine.h"
#include "pipeline/run_session.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// The scenario of one step: `scenario` (open model) holding `rate` requests/s, an excluded
/// "warm-up" stage of plan.warm_up (none when 0) and a judged stage of plan.hold named after the rate.
Scenario limit_step_scenario(const Scenario& scenario, double rate, const LimitSearchPlan& plan);

/// Runs the search with `session` (run_step per step; the spawned server is stopped at the end).
/// A stop request ends it during the current step (verdict "interrupted"). Errors: those of the
/// session's steps.
Result<RunResult> run_limit_search(RunSession& session, const Scenario& scenario, const BudgetSet& slo,
                                   const std::string& slo_text, const LimitSearchPlan& plan,
                                   const EngineOptions& engine, RunObserver* progress, StopSignal& stop);

}  // namespace perfgate
