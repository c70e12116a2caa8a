// PLACEHOLDER for scenarios/src/parser.cpp and scenario.cpp, owned by the scenarios module: only
// what the loadgen branch needs to link. Scenario files are refused; quick mode, scaling and target
// override work minimally. Delete this file when the real parser is merged.
#include <cmath>

#include "core/run_context.h"
#include "scenarios/parser.h"

namespace perfgate {

std::chrono::microseconds Scenario::duration() const {
  std::chrono::microseconds total{0};
  for (const auto& stage : shape.stages) total += stage.duration;
  return total;
}

Result<Scenario> parse_scenario(const std::string&, const std::string& source_name) {
  return invalid_input(source_name + ": scenario files not supported yet (parser stub); use quick mode (--url)");
}

Result<Scenario> load_scenario_file(const std::string& path_or_name) { return parse_scenario("", path_or_name); }

std::string bundled_scenarios_dir() { return "scenarios/bundled"; }

Result<Scenario> scenario_from_quick(const QuickOptions& options) {
  const auto scheme_end = options.url.find("://");
  if (scheme_end == std::string::npos) return invalid_input("--url: must be an absolute http(s) URL (got " + options.url + ")");
  const auto path_start = options.url.find('/', scheme_end + 3);
  Scenario s;
  s.name = "quick";
  s.base_url = path_start == std::string::npos ? options.url : options.url.substr(0, path_start);
  Endpoint e;
  e.name = "quick";
  e.category = "quick";
  RequestTemplate step;
  step.name = "quick";
  step.method = options.method;
  step.path = path_start == std::string::npos ? "/" : options.url.substr(path_start);
  step.body = options.body;
  step.timeout = options.timeout;
  for (const auto& h : options.headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos) return invalid_input("-H: expected 'Name: value' (got " + h + ")");
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    step.headers.emplace_back(h.substr(0, colon), value);
  }
  e.steps.push_back(step);
  s.endpoints.push_back(e);
  if (options.rate && options.vus) return invalid_input("--rate and --vus: choose one");
  s.shape.model = options.vus ? LoadModel::kClosed : LoadModel::kOpen;
  const double target = options.vus ? *options.vus : options.rate.value_or(10);
  if (target <= 0) return invalid_input(options.vus ? "--vus: must be > 0" : "--rate: must be > 0");
  s.shape.start_target = target;
  s.shape.stages.push_back(Stage{options.duration, target, ""});
  s.shape.max_connections = options.connections;
  s.hash = sha256_hex(options.url + options.method + std::to_string(target));
  return s;
}

Status apply_scaling(Scenario& scenario, double time_scale, double rate_scale) {
  if (!(time_scale > 0)) return invalid_input("--time-scale: must be > 0");
  if (!(rate_scale > 0)) return invalid_input("--rate-scale: must be > 0");
  scenario.shape.start_target *= rate_scale;
  for (auto& stage : scenario.shape.stages) {
    stage.duration = std::chrono::microseconds(std::llround(static_cast<double>(stage.duration.count()) * time_scale));
    stage.target *= rate_scale;
  }
  return {};
}

Status override_target(Scenario& scenario, const std::string& base_url) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0) {
    return invalid_input("--target: must be http(s)://host[:port] (got " + base_url + ")");
  }
  scenario.base_url = base_url;
  return {};
}

}  // namespace perfgate
