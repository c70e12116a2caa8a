#pragma once
// The bridge between a scenario and the query analyzer (perfgate analyze --probe, perfgate demo):
// which URLs to probe one at a time, and how to name what the probes found after the scenario's
// endpoints.

#include <map>
#include <string>
#include <vector>

#include "core/findings.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// A probe URL and the scenario endpoint it stands for.
struct EndpointProbe {
  std::string endpoint;  ///< scenario endpoint name ("reports.sales")
  std::string url;       ///< absolute URL with every {{variable}} rendered
};

/// One probe per single-step GET endpoint without a stream: variables take their first value
/// (first feeder row, random range minimum, constant). Endpoints whose path uses a variable that
/// cannot be rendered that way are skipped.
std::vector<EndpointProbe> probes_for_scenario(const Scenario& scenario);

/// Adds `extra`'s findings whose kind and query are not in `findings` yet (the run delta's view
/// next to the probes' per-endpoint view), and its notes.
void merge_findings(Findings& findings, const Findings& extra);

}  // namespace perfgate
