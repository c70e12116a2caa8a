#pragma once
// Reading "endpoints": plain requests and flows of steps (extract, checks, poll, stream, tallies),
// including the check that every {{variable}} a step uses is defined before it runs.

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "reader.h"
#include "scenarios/scenario.h"

namespace perfgate::scenario_detail {

/// What steps inherit from the rest of the scenario.
struct StepContext {
  std::chrono::microseconds default_timeout{std::chrono::seconds(10)};
  LoadModel model = LoadModel::kOpen;
  std::set<std::string> defined;  ///< variables from "variables", "random" and feeder columns
  bool feeder_failed = false;     ///< a feeder could not be read: its columns are unknown, skip {{}} checks
};

/// Reads the "endpoints" array at `pointer`; every problem is reported, valid entries are returned.
std::vector<Endpoint> read_endpoints(const Json& endpoints, const std::string& pointer, const StepContext& context,
                                     Problems& problems);

/// Reports every {{name}} in `text` that is not in `defined`, naming `where` (e.g. "step 'poll'").
void check_templates(const std::string& text, const std::string& pointer, const std::string& where,
                     const std::set<std::string>& defined, Problems& problems);

/// Same, unless `context.feeder_failed`: then only unterminated placeholders are reported.
void check_step_templates(const std::string& text, const std::string& pointer, const std::string& where,
                          const std::set<std::string>& defined, const StepContext& context, Problems& problems);

}  // namespace perfgate::scenario_detail
