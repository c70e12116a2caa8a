#include "pipeline/scenario_probes.h"

#include <set>
#include <utility>

namespace perfgate {
namespace {

std::map<std::string, std::string> first_values(const Scenario& scenario) {
  std::map<std::string, std::string> values = scenario.variables;
  for (const auto& feeder : scenario.feeders) {
    if (feeder.rows.empty()) continue;
    for (size_t i = 0; i < feeder.columns.size() && i < feeder.rows.front().size(); ++i) {
      values.emplace(feeder.columns[i], feeder.rows.front()[i]);
    }
  }
  for (const auto& range : scenario.random) values.emplace(range.variable, std::to_string(range.min));
  return values;
}

// Replaces {{name}} with its value; false when a name has no value.
bool render(const std::string& text, const std::map<std::string, std::string>& values, std::string& out) {
  out.clear();
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    const auto it = values.find(text.substr(open + 2, close - open - 2));
    if (it == values.end()) return false;
    out += text.substr(pos, open - pos) + it->second;
    pos = close + 2;
  }
  out += text.substr(pos);
  return true;
}

}  // namespace

std::vector<EndpointProbe> probes_for_scenario(const Scenario& scenario) {
  const auto values = first_values(scenario);
  std::vector<EndpointProbe> probes;
  for (const auto& endpoint : scenario.endpoints) {
    if (endpoint.steps.size() != 1) continue;
    const RequestTemplate& step = endpoint.steps.front();
    if (step.method != "GET" || step.stream || step.poll) continue;
    std::string path;
    if (!render(step.path, values, path)) continue;
    const bool absolute = path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0;
    probes.push_back(EndpointProbe{endpoint.name, absolute ? path : scenario.base_url + path});
  }
  return probes;
}

void merge_findings(Findings& findings, const Findings& extra) {
  std::set<std::pair<int, std::string>> seen;
  for (const auto& f : findings.findings) seen.emplace(static_cast<int>(f.kind), f.query);
  for (const auto& f : extra.findings) {
    if (seen.emplace(static_cast<int>(f.kind), f.query).second) findings.findings.push_back(f);
  }
  for (const auto& note : extra.notes) findings.notes.push_back("run delta: " + note);
  findings.inconclusive = findings.inconclusive || extra.inconclusive;
}

}  // namespace perfgate
