#include "pipeline/scenario_probes.h"

#include <set>
#include <utility>

#include "scenarios/template.h"

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

}  // namespace

std::vector<EndpointProbe> probes_for_scenario(const Scenario& scenario) {
  const auto values = first_values(scenario);
  std::vector<EndpointProbe> probes;
  for (const auto& endpoint : scenario.endpoints) {
    if (endpoint.steps.size() != 1) continue;
    const RequestTemplate& step = endpoint.steps.front();
    if (step.method != "GET" || step.stream || step.poll) continue;
    // The engine's own renderer, so a path probes exactly as the run requests it ("{{ region }}"
    // included); a name with no first value leaves a variable behind and the endpoint unprobed.
    VariableTable unresolved;
    const Template rendered = Template::compile(step.path, values, unresolved);
    if (!rendered.is_constant()) continue;
    const std::string path = rendered.text();
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
