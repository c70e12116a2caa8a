#include "run_plan.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace perfgate {
namespace {

bool is_absolute(const std::string& path) { return path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0; }

// Constants are folded into the templates; a step whose strings keep a per-iteration variable, or
// that reads its response, gets a FlowStepPlan and is rendered and captured per iteration.
Result<PlannedStep> plan_step(const RequestTemplate& r, const Scenario& scenario, RunPlan& plan,
                              const std::string& where) {
  PlannedStep step;
  step.expected_statuses = r.expected_statuses;
  step.spec.method = r.method;
  if (is_absolute(r.path))
    return invalid_input(where + ".path: absolute URLs are not supported yet; use a path under base_url");
  if (r.timeout.count() <= 0) return invalid_input(where + ".timeout: must be > 0");
  step.spec.timeout = r.timeout;
  step.think_after = r.think_time;
  VariableTable& vars = plan.variables.table;
  auto flow = std::make_shared<FlowStepPlan>();
  const std::string prefix = plan.target.path_prefix + (r.path.empty() || r.path.front() != '/' ? "/" : "");
  flow->path = Template::compile(prefix + r.path, scenario.variables, vars);
  flow->templated = !flow->path.is_constant();
  for (const auto& headers : {scenario.headers, r.headers}) {
    for (const auto& [name, value] : headers) {
      flow->headers.emplace_back(name, Template::compile(value, scenario.variables, vars));
      flow->templated = flow->templated || !flow->headers.back().second.is_constant();
    }
  }
  flow->body = Template::compile(r.body, scenario.variables, vars);
  flow->templated = flow->templated || !flow->body.is_constant();
  step.spec.path = flow->path.text();
  for (const auto& [name, t] : flow->headers) step.spec.headers.emplace_back(name, t.text());
  step.spec.body = flow->body.text();
  auto rules = ResponseRules::compile(r, vars, where);
  if (!rules) return rules.error();
  flow->rules = std::move(*rules);
  flow->poll = r.poll;
  flow->stream = r.stream;
  if (r.poll && r.stream) return invalid_input(where + ": a step cannot both poll and stream");
  if (!r.run_if_defined.empty()) flow->run_if_defined = vars.intern(r.run_if_defined);
  if (flow->templated || flow->rules.reads_response() || flow->poll || flow->stream || !r.run_if_defined.empty()) {
    step.flow = std::move(flow);
  }
  return step;
}

Status plan_variables(const Scenario& scenario, RunPlan& plan) {
  FlowVariables& v = plan.variables;
  for (const CsvFeeder& f : scenario.feeders) {
    FlowVariables::Feeder feeder;
    for (const auto& column : f.columns) feeder.columns.push_back(v.table.intern(column));
    feeder.rows = f.rows;
    feeder.random_order = f.random_order;
    v.feeders.push_back(std::move(feeder));
  }
  for (const RandomRange& r : scenario.random) {
    if (r.min > r.max) return invalid_input("random." + r.variable + ": min must be <= max");
    v.ranges.push_back(FlowVariables::Range{v.table.intern(r.variable), r.min, r.max});
  }
  return {};
}

}  // namespace

Outcome outcome_for_status(int status, const std::vector<int>& expected_statuses) {
  if (expected_statuses.empty()) {
    if (status >= 200 && status < 400) return Outcome::kOk;
  } else if (std::find(expected_statuses.begin(), expected_statuses.end(), status) != expected_statuses.end()) {
    return Outcome::kOk;
  }
  return status >= 400 && status < 500 ? Outcome::kStatus4xx : Outcome::kStatus5xx;
}

Result<RunPlan> make_run_plan(const Scenario& scenario, const EngineOptions& options) {
  RunPlan plan;
  plan.model = scenario.shape.model;
  auto target = TargetUrl::parse(scenario.base_url);
  if (!target) return target.error();
  plan.target = *target;
  if (scenario.endpoints.empty()) return invalid_input("endpoints: at least one endpoint is needed");
  if (options.interval < std::chrono::milliseconds(10)) return invalid_input("interval: must be >= 10 ms");
  if (auto st = plan_variables(scenario, plan); !st) return st.error();
  plan.segment = options.segment.value_or(Segment{});
  plan.max_iterations = plan.segment.share_of(scenario.shape.max_iterations);
  if (scenario.shape.max_iterations > 0 && plan.max_iterations == 0) {
    return invalid_input("segment " + plan.segment.to_string() + ": load.max_iterations is " +
                         std::to_string(scenario.shape.max_iterations) +
                         ", so this segment gets no iteration; split into at most " +
                         std::to_string(scenario.shape.max_iterations) + " segments");
  }

  for (size_t i = 0; i < scenario.endpoints.size(); ++i) {
    const Endpoint& e = scenario.endpoints[i];
    const std::string where = "endpoints[" + std::to_string(i) + "] (" + e.name + ")";
    if (e.steps.empty()) return invalid_input(where + ": has no request");
    PlannedEndpoint p;
    p.name = e.name;
    p.weight = e.weight;
    // The iteration ends with the last step's own pause and then the shape's (docs/scenarios.md).
    p.think_time = e.steps.back().think_time + scenario.shape.think_time;
    for (size_t k = 0; k < e.steps.size(); ++k) {
      const RequestTemplate& r = e.steps[k];
      const std::string step_where = e.steps.size() > 1 ? where + ".steps[" + std::to_string(k) + "]" : where;
      auto step = plan_step(r, scenario, plan, step_where);
      if (!step) return step.error();
      step->name = r.name.empty() ? "step" + std::to_string(k + 1) : r.name;
      p.dynamic = p.dynamic || step->flow != nullptr || (k + 1 < e.steps.size() && r.think_time.count() > 0);
      p.steps.push_back(std::move(*step));
    }
    p.first_slot = plan.slots.size();
    if (p.is_flow()) {
      plan.slots.push_back(StatSlot{p.name, EndpointKind::kFlow, i});
      for (const auto& step : p.steps) plan.slots.push_back(StatSlot{p.name + "/" + step.name, EndpointKind::kStep, i});
    } else {
      plan.slots.push_back(StatSlot{p.name, EndpointKind::kRequest, i});
    }
    plan.endpoints.push_back(std::move(p));
  }
  double weight_sum = 0;
  for (const auto& p : plan.endpoints) weight_sum += std::max(0.0, p.weight);
  if (!(weight_sum > 0)) return invalid_input("endpoints: weights must sum to > 0");

  plan.phases = plan_phases(scenario.shape);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  plan.threads = options.threads > 0 ? options.threads : static_cast<int>(cores);
  if (plan.model == LoadModel::kOpen) {
    auto arrivals = ArrivalSchedule::create(scenario.shape.start_target, scenario.shape.stages);
    if (!arrivals) return arrivals.error().with_context("load");
    plan.arrivals = std::move(*arrivals);
    plan.duration =
        std::chrono::nanoseconds(static_cast<int64_t>(std::llround(plan.arrivals->rate().duration_s() * 1e9)));
    // Default bound: one second's worth of arrivals at the peak rate, so a server that stalls for
    // under a second never makes requests queue for a connection.
    int connections = options.max_connections > 0 ? options.max_connections : scenario.shape.max_connections;
    const double segment_peak = plan.arrivals->rate().peak() / plan.segment.count;
    if (connections <= 0) connections = std::clamp(static_cast<int>(std::ceil(segment_peak)), 16, 1024);
    plan.total_connections = connections;
  } else {
    auto users = VuSchedule::create(scenario.shape.start_target, scenario.shape.stages);
    if (!users) return users.error().with_context("load");
    plan.users = std::move(*users);
    plan.duration =
        std::chrono::nanoseconds(static_cast<int64_t>(std::llround(plan.users->curve().duration_s() * 1e9)));
    if (plan.users->peak() < 1) return invalid_input("load: the closed model needs at least 1 virtual user");
    // Each virtual user holds at most one request, so it needs exactly one connection.
    plan.total_connections = static_cast<int>(plan.segment.share_of(plan.users->peak()));
    if (plan.total_connections < 1) {
      return invalid_input("segment " + plan.segment.to_string() + ": the scenario peaks at " +
                           std::to_string(plan.users->peak()) +
                           " virtual users, so this segment gets none; split into at most " +
                           std::to_string(plan.users->peak()) + " segments");
    }
    plan.threads = std::min<int>(plan.threads, plan.total_connections);
  }
  plan.threads = std::max(1, std::min(plan.threads, plan.total_connections));
  plan.connections_per_worker = (plan.total_connections + plan.threads - 1) / plan.threads;
  return plan;
}

}  // namespace perfgate
