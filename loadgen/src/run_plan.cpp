#include "run_plan.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace perfgate {
namespace {

// Replaces {{name}} with scenario constants; anything left is a per-iteration variable (feeders,
// random ranges, extractions), which needs the flow runner.
Result<std::string> substitute(const std::string& text, const Scenario& scenario, const std::string& where) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    std::string name = text.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    const auto it = scenario.variables.find(name);
    if (it == scenario.variables.end()) {
      return invalid_input(where + ": variable {{" + name +
                           "}} is per-iteration (feeder, random or extraction); not supported by the engine yet");
    }
    out += text.substr(pos, open - pos);
    out += it->second;
    pos = close + 2;
  }
  out += text.substr(pos);
  return out;
}

Result<PlannedStep> plan_step(const RequestTemplate& r, const Scenario& scenario, const TargetUrl& target,
                              const std::string& where) {
  PlannedStep step;
  step.expected_statuses = r.expected_statuses;
  step.spec.method = r.method;
  auto path = substitute(r.path, scenario, where + ".path");
  if (!path) return path.error();
  if (path->rfind("http://", 0) == 0 || path->rfind("https://", 0) == 0) {
    return invalid_input(where + ".path: absolute URLs are not supported yet; use a path under base_url");
  }
  step.spec.path = target.path_prefix + (path->empty() || path->front() != '/' ? "/" : "") + *path;
  for (const auto& headers : {scenario.headers, r.headers}) {
    for (const auto& [name, value] : headers) {
      auto v = substitute(value, scenario, where + ".headers." + name);
      if (!v) return v.error();
      step.spec.headers.emplace_back(name, *v);
    }
  }
  auto body = substitute(r.body, scenario, where + ".body");
  if (!body) return body.error();
  step.spec.body = *body;
  if (r.timeout.count() <= 0) return invalid_input(where + ".timeout: must be > 0");
  step.spec.timeout = r.timeout;
  return step;
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

  for (size_t i = 0; i < scenario.endpoints.size(); ++i) {
    const Endpoint& e = scenario.endpoints[i];
    const std::string where = "endpoints[" + std::to_string(i) + "] (" + e.name + ")";
    if (e.steps.empty()) return invalid_input(where + ": has no request");
    PlannedEndpoint p;
    p.name = e.name;
    p.weight = e.weight;
    p.think_time = e.steps.back().think_time.count() > 0 ? e.steps.back().think_time : scenario.shape.think_time;
    for (size_t k = 0; k < e.steps.size(); ++k) {
      const RequestTemplate& r = e.steps[k];
      const std::string step_where = e.steps.size() > 1 ? where + ".steps[" + std::to_string(k) + "]" : where;
      if (r.poll || r.stream) return invalid_input(step_where + ": polling and streamed steps are not supported yet");
      if (!r.extract.empty() || !r.checks.empty() || !r.tallies.empty()) {
        return invalid_input(step_where + ": extract, checks and tallies are not supported yet");
      }
      auto step = plan_step(r, scenario, plan.target, step_where);
      if (!step) return step.error();
      step->name = r.name.empty() ? "step" + std::to_string(k + 1) : r.name;
      p.steps.push_back(std::move(*step));
    }
    p.first_slot = plan.slots.size();
    if (p.is_flow()) {
      plan.slots.push_back(StatSlot{p.name, "flow", i});
      for (const auto& step : p.steps) plan.slots.push_back(StatSlot{p.name + "/" + step.name, "step", i});
    } else {
      plan.slots.push_back(StatSlot{p.name, "request", i});
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
    plan.duration = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(plan.arrivals->rate().duration_s() * 1e9)));
    // Default bound: one second's worth of arrivals at the peak rate, so a server that stalls for
    // under a second never makes requests queue for a connection.
    int connections = options.max_connections > 0 ? options.max_connections : scenario.shape.max_connections;
    if (connections <= 0) connections = std::clamp(static_cast<int>(std::ceil(plan.arrivals->rate().peak())), 16, 1024);
    plan.total_connections = connections;
  } else {
    auto users = VuSchedule::create(scenario.shape.start_target, scenario.shape.stages);
    if (!users) return users.error().with_context("load");
    plan.users = std::move(*users);
    plan.duration = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(plan.users->curve().duration_s() * 1e9)));
    if (plan.users->peak() < 1) return invalid_input("load: the closed model needs at least 1 virtual user");
    // Each virtual user holds at most one request, so it needs exactly one connection.
    plan.total_connections = static_cast<int>(plan.users->peak());
    plan.threads = std::min<int>(plan.threads, plan.total_connections);
  }
  plan.threads = std::max(1, std::min(plan.threads, plan.total_connections));
  plan.connections_per_worker = (plan.total_connections + plan.threads - 1) / plan.threads;
  return plan;
}

}  // namespace perfgate
