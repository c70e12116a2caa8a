#include <algorithm>

#include "core/run_context.h"
#include "scenario_reader.h"

namespace perfgate::scenario_detail {
namespace {

int64_t us(std::chrono::microseconds d) { return d.count(); }

Json headers_json(const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::vector<std::string>& secrets) {
  Json out = Json::array();
  for (const auto& [name, value] : headers) {
    const bool secret = std::find(secrets.begin(), secrets.end(), value) != secrets.end();
    out.push_back({name, secret ? std::string("<secret>") : value});
  }
  return out;
}

Json conditions_json(const std::vector<Condition>& conditions) {
  Json out = Json::array();
  for (const Condition& c : conditions) out.push_back({static_cast<int>(c.kind), c.target, c.value});
  return out;
}

Json step_json(const RequestTemplate& s, const std::vector<std::string>& secrets) {
  Json j;
  j["name"] = s.name;
  j["method"] = s.method;
  j["path"] = s.path;
  j["headers"] = headers_json(s.headers, secrets);
  j["body"] = s.body;
  j["timeout_us"] = us(s.timeout);
  j["expected_statuses"] = s.expected_statuses;
  j["extract"] = Json::array();
  for (const Extraction& e : s.extract)
    j["extract"].push_back({e.variable, static_cast<int>(e.source), e.expression, e.optional});
  j["checks"] = conditions_json(s.checks);
  if (s.poll) j["poll"] = {us(s.poll->interval), us(s.poll->deadline), conditions_json(s.poll->until)};
  if (s.stream) {
    j["stream"] = {static_cast<int>(s.stream->format), s.stream->cancel_after_events.value_or(-1),
                   s.stream->cancel_after_time ? us(*s.stream->cancel_after_time) : -1, s.stream->progress_pointer};
  }
  j["tallies"] = Json::array();
  for (const TallySpec& t : s.tallies) j["tallies"].push_back({t.name, static_cast<int>(t.source), t.expression});
  j["think_time_us"] = us(s.think_time);
  j["run_if_defined"] = s.run_if_defined;
  return j;
}

}  // namespace

std::string canonical_form(const Scenario& scenario) {
  const std::vector<std::string>& secrets = scenario.secret_values;
  Json j;
  j["name"] = scenario.name;
  j["description"] = scenario.description;
  j["base_url"] = scenario.base_url;
  j["headers"] = headers_json(scenario.headers, secrets);
  j["endpoints"] = Json::array();
  for (const Endpoint& e : scenario.endpoints) {
    Json steps = Json::array();
    for (const RequestTemplate& s : e.steps) steps.push_back(step_json(s, secrets));
    j["endpoints"].push_back({{"name", e.name}, {"category", e.category}, {"weight", e.weight}, {"steps", steps}});
  }
  const LoadShape& shape = scenario.shape;
  Json stages = Json::array();
  for (const Stage& s : shape.stages) stages.push_back({us(s.duration), s.target, s.phase});
  j["load"] = {{"model", static_cast<int>(shape.model)},
               {"start", shape.start_target},
               {"stages", stages},
               {"max_connections", shape.max_connections},
               {"think_time_us", us(shape.think_time)},
               {"max_iterations", shape.max_iterations}};
  j["feeders"] = Json::array();
  for (const CsvFeeder& f : scenario.feeders) {
    // The path is left out on purpose: the same data read from another checkout is the same scenario.
    j["feeders"].push_back({{"columns", f.columns}, {"rows", f.rows}, {"random_order", f.random_order}});
  }
  j["random"] = Json::array();
  for (const RandomRange& r : scenario.random) j["random"].push_back({r.variable, r.min, r.max});
  j["variables"] = Json::object();
  for (const auto& [name, value] : scenario.variables) {
    const bool secret = std::find(secrets.begin(), secrets.end(), value) != secrets.end();
    j["variables"][name] = secret ? std::string("<secret>") : value;
  }
  return j.dump();
}

std::string workload_form(const Scenario& scenario) {
  // The base URL names where the load goes, not what it is; quick mode's description repeats the URL.
  Json j = Json::parse(canonical_form(scenario));
  j.erase("base_url");
  j.erase("description");
  return j.dump();
}

void stamp_hashes(Scenario& scenario) {
  scenario.hash = sha256_hex(canonical_form(scenario));
  scenario.workload_hash = sha256_hex(workload_form(scenario));
}

void collect_header_secrets(Scenario& scenario) {
  auto add = [&](const std::string& value) {
    if (value.empty()) return;
    auto& s = scenario.secret_values;
    if (std::find(s.begin(), s.end(), value) == s.end()) s.push_back(value);
  };
  auto scan = [&](const std::vector<std::pair<std::string, std::string>>& headers) {
    for (const auto& [name, value] : headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower != "authorization" && lower != "proxy-authorization" && lower != "cookie") continue;
      add(value);
      // "Bearer TOKEN": the token alone may appear elsewhere (an echoed header, a log line).
      if (const size_t space = value.find(' '); lower != "cookie" && space != std::string::npos)
        add(value.substr(space + 1));
    }
  };
  scan(scenario.headers);
  for (const Endpoint& e : scenario.endpoints) {
    for (const RequestTemplate& s : e.steps) scan(s.headers);
  }
}

}  // namespace perfgate::scenario_detail
