#pragma once
// A scenario compiled for the engine: schedules, phases, requests ready to prepare, connection bounds.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "flow_plan.h"
#include "loadgen/engine.h"
#include "loadgen/schedule.h"
#include "loadgen/transport.h"

namespace perfgate {

/// One HTTP request of an endpoint, ready for Transport::prepare.
struct PlannedStep {
  std::string name;
  RequestSpec spec;
  std::vector<int> expected_statuses;        ///< empty: any 2xx/3xx succeeds
  std::chrono::nanoseconds think_after{0};   ///< closed model: pause after this step
  std::shared_ptr<const FlowStepPlan> flow;  ///< null: a plain step (prepared once, response counted only)
};

/// One entry of the request mix: a plain request (one step) or a flow of steps run in order.
struct PlannedEndpoint {
  std::string name;
  double weight = 1;
  std::chrono::nanoseconds think_time{0};  ///< closed model pause after each iteration
  std::vector<PlannedStep> steps;
  size_t first_slot = 0;  ///< statistics slot of the endpoint; a flow's steps follow it
  bool dynamic = false;   ///< some step renders variables or reads its response: iterations carry state
  [[nodiscard]] bool is_flow() const { return steps.size() > 1; }
  /// The statistics slot of step `k`: its own line in a flow, the endpoint's for a single request.
  [[nodiscard]] size_t step_slot(size_t k) const { return is_flow() ? first_slot + 1 + k : first_slot; }
};

/// A line of the results: an endpoint, a flow or one of its steps.
struct StatSlot {
  std::string name;
  EndpointKind kind = EndpointKind::kRequest;
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
  FlowVariables variables;     ///< per-iteration variables of dynamic endpoints
  int64_t max_iterations = 0;  ///< closed model: iterations over all workers (0: no limit)
  Segment segment;             ///< the slice of the schedule this process offers (1/1: all of it)
  /// Open model: the global arrival indices of worker `id` are first_arrival(id) + k * arrival_stride().
  [[nodiscard]] int64_t first_arrival(int id) const {
    return segment.index - 1 + static_cast<int64_t>(segment.count) * id;
  }
  [[nodiscard]] int64_t arrival_stride() const { return static_cast<int64_t>(segment.count) * threads; }
};

/// Compiles `scenario`; kInvalidInput (naming the endpoint and step) for absolute URLs, a bad
/// timeout or regex, or a variable no source defines.
Result<RunPlan> make_run_plan(const Scenario& scenario, const EngineOptions& options);

/// The outcome a complete response stands for, given the endpoint's expected statuses.
Outcome outcome_for_status(int status, const std::vector<int>& expected_statuses);

}  // namespace perfgate
