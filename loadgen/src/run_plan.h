#pragma once
// A scenario compiled for the engine: schedules, phases, requests ready to prepare, connection bounds.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "loadgen/engine.h"
#include "loadgen/schedule.h"
#include "loadgen/transport.h"

namespace perfgate {

/// One HTTP request of an endpoint, ready for Transport::prepare.
struct PlannedStep {
  std::string name;
  RequestSpec spec;
  std::vector<int> expected_statuses;  ///< empty: any 2xx/3xx succeeds
};

/// One entry of the request mix: a plain request (one step) or a flow of steps run in order.
struct PlannedEndpoint {
  std::string name;
  double weight = 1;
  std::chrono::nanoseconds think_time{0};  ///< closed model pause after each iteration
  std::vector<PlannedStep> steps;
  size_t first_slot = 0;  ///< statistics slot of the endpoint; a flow's steps follow it
  [[nodiscard]] bool is_flow() const { return steps.size() > 1; }
};

/// A line of the results: an endpoint ("request"), a flow ("flow") or one of its steps ("step").
struct StatSlot {
  std::string name;
  std::string kind;
  size_t endpoint = 0;
};

/// Everything the workers and the coordinator need, derived once before the run.
struct RunPlan {
  LoadModel model = LoadModel::kOpen;
  TargetUrl target;
  std::optional<ArrivalSchedule> arrivals;  ///< open model
  std::optional<VuSchedule> users;          ///< closed model
  std::vector<PhasePlan> phases;
  std::vector<PlannedEndpoint> endpoints;
  std::vector<StatSlot> slots;  ///< endpoints, flows and steps, in result order
  std::chrono::nanoseconds duration{0};
  int threads = 1;
  int connections_per_worker = 1;
  int total_connections = 1;
};

/// Compiles `scenario`; kInvalidInput for anything the engine cannot run yet (polling, streams,
/// extraction, checks, per-iteration variables) with the endpoint named.
Result<RunPlan> make_run_plan(const Scenario& scenario, const EngineOptions& options);

/// The outcome a complete response stands for, given the endpoint's expected statuses.
Outcome outcome_for_status(int status, const std::vector<int>& expected_statuses);

}  // namespace perfgate
