#include "scenario_reader.h"

#include <filesystem>

#include "checks.h"
#include "core/files.h"
#include "scenarios/csv_feeder.h"
#include "step_reader.h"

namespace perfgate::scenario_detail {
namespace {

void read_target(const ObjectReader& top, Scenario& scenario, StepContext& context) {
  if (!top.has("target")) {
    top.missing("target", "\"target\": {\"base_url\": \"http://127.0.0.1:8080\"}");
    return;
  }
  const Json* object = top.object_field("target");
  if (object == nullptr) return;
  ObjectReader r(*object, top.pointer_of("target"), top.problems());
  r.allow_only({"base_url", "headers", "timeout"});
  if (!r.has("base_url")) r.missing("base_url", "\"base_url\": \"http://127.0.0.1:8080\"");
  scenario.base_url = r.string("base_url").value_or("");
  if (r.has("base_url") && r.at("base_url").is_string()) {
    if (const std::string why = check_base_url(scenario.base_url); !why.empty()) r.problem("base_url", why);
  }
  if (!scenario.base_url.empty() && scenario.base_url.back() == '/') scenario.base_url.pop_back();
  scenario.headers = r.headers("headers");
  if (auto timeout = r.duration("timeout")) {
    if (timeout->count() <= 0) r.problem("timeout", "must be > 0 (got " + got(r.at("timeout")) + ")");
    context.default_timeout = *timeout;
  }
}

void read_load(const ObjectReader& top, LoadShape& shape) {
  if (!top.has("load")) {
    top.missing("load", "\"load\": {\"model\": \"open\", \"stages\": [{\"duration\": \"30s\", \"target_rps\": 10}]}");
    return;
  }
  const Json* object = top.object_field("load");
  if (object == nullptr) return;
  ObjectReader r(*object, top.pointer_of("load"), top.problems());
  r.allow_only({"model", "start_rps", "start_vus", "stages", "max_connections", "think_time", "iterations"});
  const std::string model = r.string("model").value_or("open");
  if (model == "closed")
    shape.model = LoadModel::kClosed;
  else if (model != "open")
    r.problem("model", "must be \"open\" (arrival rate) or \"closed\" (virtual users) (got \"" + model + "\")");
  const bool open = shape.model == LoadModel::kOpen;
  const char* target_key = open ? "target_rps" : "target_vus";
  const char* start_key = open ? "start_rps" : "start_vus";
  const char* wrong_start = open ? "start_vus" : "start_rps";
  if (r.has(wrong_start))
    r.problem(wrong_start, std::string("does not apply to the ") + model + " model; use \"" + start_key + "\"");
  shape.start_target = r.number(start_key).value_or(0);
  if (shape.start_target < 0) r.problem(start_key, "must be >= 0 (got " + got(r.at(start_key)) + ")");
  if (shape.start_target > (open ? kMaxTargetRps : kMaxVirtualUsers)) {
    r.problem(start_key, std::string("must be at most ") + (open ? "1000000 requests/s" : "100000 virtual users") +
                             " (got " + got(r.at(start_key)) + ")");
  }
  if (auto connections = r.integer("max_connections")) {
    if (*connections < 0 || *connections > 100000)
      r.problem("max_connections",
                "must be 0..100000 (got " + std::to_string(*connections) + "); 0 lets the engine choose");
    shape.max_connections = static_cast<int>(*connections);
  }
  if (open && r.has("think_time"))
    r.problem("think_time", "only applies to the closed model; remove it or set \"model\": \"closed\"");
  shape.think_time = r.duration("think_time").value_or(std::chrono::microseconds(0));
  if (open && r.has("iterations"))
    r.problem("iterations", "only applies to the closed model; the open model runs for the stages' duration");
  if (auto iterations = r.integer("iterations")) {
    if (*iterations <= 0) r.problem("iterations", "must be > 0 (got " + std::to_string(*iterations) + ")");
    shape.max_iterations = *iterations;
  }
  const Json* stages = r.array_field("stages");
  if (stages == nullptr) {
    if (!r.has("stages"))
      r.missing("stages", std::string("\"stages\": [{\"duration\": \"30s\", \"") + target_key + "\": 10}]");
    return;
  }
  if (stages->empty())
    r.problem("stages", std::string("must hold at least one stage (got []); e.g. [{\"duration\": \"30s\", \"") +
                            target_key + "\": 10}]");
  std::chrono::microseconds total_duration{0};
  for (size_t i = 0; i < stages->size(); ++i) {
    const std::string ptr = child(r.pointer_of("stages"), i);
    if (!expect_object((*stages)[i], ptr, r.problems())) continue;
    ObjectReader s((*stages)[i], ptr, r.problems());
    s.allow_only({"duration", "target_rps", "target_vus", "phase"});
    Stage stage;
    if (!s.has("duration")) s.missing("duration", "\"duration\": \"30s\"");
    stage.duration = s.duration("duration").value_or(std::chrono::microseconds(0));
    if (s.has("duration") && s.at("duration").is_string() && stage.duration.count() <= 0) {
      s.problem("duration", "must be > 0 (got " + got(s.at("duration")) + ")");
    }
    const char* wrong = open ? "target_vus" : "target_rps";
    if (s.has(wrong))
      s.problem(wrong, std::string("does not apply to the ") + model + " model; use \"" + target_key + "\"");
    if (!s.has(target_key) && !s.has(wrong)) s.missing(target_key, std::string("\"") + target_key + "\": 10");
    stage.target = s.number(target_key).value_or(0);
    if (stage.target < 0) s.problem(target_key, "must be >= 0 (got " + got(s.at(target_key)) + ")");
    if (const double bound = open ? kMaxTargetRps : kMaxVirtualUsers; stage.target > bound) {
      s.problem(target_key, std::string("must be at most ") + (open ? "1000000 requests/s" : "100000 virtual users") +
                                " (got " + got(s.at(target_key)) + "); split larger loads over several generators");
    }
    total_duration += stage.duration;
    if (!open && stage.target != static_cast<double>(static_cast<int64_t>(stage.target))) {
      s.problem(target_key, "must be a whole number of virtual users (got " + got(s.at(target_key)) + ")");
    }
    stage.phase = s.string("phase").value_or("");
    shape.stages.push_back(stage);
  }
  if (total_duration > kMaxLoadDuration) {
    r.problem("stages", "must last at most 168h in total (got " +
                            std::to_string(std::chrono::duration_cast<std::chrono::hours>(total_duration).count()) +
                            "h); run long soaks as several runs");
  }
}

// The "search" block. The SLO's rules are parsed by the search itself (analyzers/limit_search.h), which
// owns the budget language; here only the shape and ranges of the block are checked.
void read_search(const ObjectReader& top, Scenario& scenario) {
  if (!top.has("search")) return;
  const Json* object = top.object_field("search");
  if (object == nullptr) return;
  ObjectReader r(*object, top.pointer_of("search"), top.problems());
  r.allow_only({"slo", "start_rps", "max_rps", "growth", "precision", "warm_up", "hold", "budget"});
  SearchSpec spec;
  if (!r.has("slo")) r.missing("slo", "\"slo\": \"p95 < 1s, error_rate < 1%\"");
  spec.slo = r.string("slo").value_or("");
  spec.start_rps = r.number("start_rps");
  if (spec.start_rps && !(*spec.start_rps > 0 && *spec.start_rps <= kMaxTargetRps)) {
    r.problem("start_rps", "must be > 0 and at most 1000000 (got " + got(r.at("start_rps")) + ")");
  }
  spec.max_rps = r.number("max_rps");
  if (spec.max_rps && !(*spec.max_rps > 0 && *spec.max_rps <= kMaxTargetRps)) {
    r.problem("max_rps", "must be > 0 and at most 1000000 (got " + got(r.at("max_rps")) + ")");
  }
  spec.growth = r.number("growth");
  if (spec.growth && !(*spec.growth > 1)) r.problem("growth", "must be > 1, e.g. 2 (got " + got(r.at("growth")) + ")");
  spec.precision = r.number("precision");
  if (spec.precision && !(*spec.precision > 0 && *spec.precision < 1)) {
    r.problem("precision", "must be a share in (0, 1), e.g. 0.05 for 5% (got " + got(r.at("precision")) + ")");
  }
  spec.warm_up = r.duration("warm_up");
  spec.hold = r.duration("hold");
  if (spec.hold && spec.hold->count() <= 0) r.problem("hold", "must be > 0 (got " + got(r.at("hold")) + ")");
  spec.budget = r.duration("budget");
  if (spec.budget && spec.budget->count() <= 0) r.problem("budget", "must be > 0 (got " + got(r.at("budget")) + ")");
  scenario.search = std::move(spec);
}

void define(std::set<std::string>& defined, const std::string& name, const std::string& pointer, Problems& problems) {
  if (!defined.insert(name).second) problems.add(pointer, "variable \"" + name + "\" is defined twice; rename one");
}

void read_variables(const ObjectReader& top, Scenario& scenario, std::set<std::string>& defined) {
  const Json* object = top.object_field("variables");
  if (object == nullptr) return;
  for (const auto& [name, value] : object->items()) {
    const std::string ptr = child(top.pointer_of("variables"), name);
    if (const std::string why = check_variable_name(name); !why.empty()) top.problems().add(ptr, why);
    if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
      top.problems().add(ptr, "must be a string, number or boolean (got " + got(value) + ")");
      continue;
    }
    scenario.variables[name] = value.is_string() ? value.get<std::string>() : value.dump();
    define(defined, name, ptr, top.problems());
  }
}

void read_random(const ObjectReader& top, Scenario& scenario, std::set<std::string>& defined) {
  const Json* array = top.array_field("random");
  for (size_t i = 0; array != nullptr && i < array->size(); ++i) {
    const std::string ptr = child(top.pointer_of("random"), i);
    if (!expect_object((*array)[i], ptr, top.problems())) continue;
    ObjectReader r((*array)[i], ptr, top.problems());
    r.allow_only({"variable", "min", "max"});
    RandomRange range;
    range.variable = r.string("variable").value_or("");
    if (!r.has("variable"))
      r.missing("variable", "\"variable\": \"user_id\"");
    else if (const std::string why = check_variable_name(range.variable); !why.empty())
      r.problem("variable", why);
    else
      define(defined, range.variable, r.pointer_of("variable"), top.problems());
    if (!r.has("min")) r.missing("min", "\"min\": 1");
    if (!r.has("max")) r.missing("max", "\"max\": 100");
    range.min = r.integer("min").value_or(0);
    range.max = r.integer("max").value_or(range.min);
    if (range.min > range.max) {
      r.problem("max",
                "must be >= min (got min " + std::to_string(range.min) + ", max " + std::to_string(range.max) + ")");
    }
    scenario.random.push_back(range);
  }
}

// Returns false when a feeder could not be read (its columns, and so the variables it defines, are unknown).
bool read_feeders(const ObjectReader& top, const std::string& base_directory, Scenario& scenario,
                  std::set<std::string>& defined, std::vector<std::string>& feeder_errors) {
  const Json* array = top.array_field("feeders");
  bool all_read = true;
  for (size_t i = 0; array != nullptr && i < array->size(); ++i) {
    const std::string ptr = child(top.pointer_of("feeders"), i);
    if (!expect_object((*array)[i], ptr, top.problems())) continue;
    ObjectReader r((*array)[i], ptr, top.problems());
    r.allow_only({"file", "order"});
    const std::string order = r.string("order").value_or("sequential");
    if (order != "sequential" && order != "random")
      r.problem("order", "must be \"sequential\" or \"random\" (got \"" + order + "\")");
    if (!r.has("file")) {
      r.missing("file", "\"file\": \"users.csv\"");
      all_read = false;
      continue;
    }
    const auto file = r.string("file");
    if (!file) {
      all_read = false;
      continue;
    }
    std::filesystem::path path(*file);
    if (path.is_relative() && !base_directory.empty()) path = std::filesystem::path(base_directory) / path;
    auto text = read_file(path.string());
    if (!text) {
      all_read = false;
      r.problem("file",
                "cannot read CSV feeder " + path.string() + " (relative paths start at the scenario's directory)");
      continue;
    }
    auto feeder = parse_csv_feeder(*text, path.string());
    if (!feeder) {
      feeder_errors.push_back(feeder.error().message);
      all_read = false;
      continue;
    }
    feeder->random_order = order == "random";
    for (const std::string& column : feeder->columns) {
      if (const std::string why = check_variable_name(column); !why.empty())
        r.problem("file", "column " + why);
      else
        define(defined, column, r.pointer_of("file"), top.problems());
    }
    scenario.feeders.push_back(std::move(*feeder));
  }
  return all_read;
}

}  // namespace

Scenario read_scenario(const Json& document, const std::string& base_directory, Problems& problems,
                       std::vector<std::string>& feeder_errors) {
  Scenario scenario;
  if (!expect_object(document, "", problems)) return scenario;
  const ObjectReader top(document, "", problems);
  top.allow_only(
      {"$schema", "name", "description", "target", "load", "endpoints", "variables", "feeders", "random", "search"});
  if (!top.has("name")) top.missing("name", "\"name\": \"peak\"");
  scenario.name = top.string("name").value_or("");
  scenario.description = top.string("description").value_or("");
  StepContext context;
  read_target(top, scenario, context);
  read_load(top, scenario.shape);
  read_search(top, scenario);
  context.model = scenario.shape.model;
  read_variables(top, scenario, context.defined);
  read_random(top, scenario, context.defined);
  context.feeder_failed = !read_feeders(top, base_directory, scenario, context.defined, feeder_errors);
  for (const auto& [name, value] : scenario.headers) {
    check_step_templates(value, child(std::string("/target/headers"), name), "target header '" + name + "'",
                         context.defined, context, problems);
  }
  if (!top.has("endpoints"))
    top.missing("endpoints", "\"endpoints\": [{\"name\": \"health\", \"request\": {\"path\": \"/health\"}}]");
  if (const Json* endpoints = top.array_field("endpoints")) {
    scenario.endpoints = read_endpoints(*endpoints, top.pointer_of("endpoints"), context, problems);
  }
  return scenario;
}

}  // namespace perfgate::scenario_detail
