// A limit search over a RunSession (docs/run.md "Finding the limit").
#include "pipeline/limit_search_run.h"

#include <cstdio>

namespace perfgate {

Scenario limit_step_scenario(const Scenario& scenario, double rate, const LimitSearchPlan& plan) {
  Scenario step = scenario;
  // Each step starts at its rate (no ramp from zero): the warm-up absorbs the transient and is
  // excluded, so the judged part is the service's steady state at that rate.
  step.shape.start_target = rate;
  step.shape.stages.clear();
  if (plan.warm_up.count() > 0) step.shape.stages.push_back(Stage{plan.warm_up, rate, "warm-up"});
  char name[48];
  std::snprintf(name, sizeof name, rate < 100 ? "step %.1f/s" : "step %.0f/s", rate);
  step.shape.stages.push_back(Stage{plan.hold, rate, name});
  return step;
}

Result<RunResult> run_limit_search(RunSession& session, const Scenario& scenario, const BudgetSet& slo,
                                   const std::string& slo_text, const LimitSearchPlan& plan,
                                   const EngineOptions& engine, RunObserver* progress, StopSignal& stop) {
  const StepRunner runner = [&](double rate) -> Result<RunResult> {
    return session.run_step(limit_step_scenario(scenario, rate, plan), engine, progress, stop);
  };
  Result<RunResult> result = find_limit(slo, slo_text, plan, runner);
  session.stop_server();
  return result;
}

}  // namespace perfgate
