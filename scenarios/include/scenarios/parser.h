#pragma once
// Reading scenarios: JSON files (comments and trailing commas allowed, ${ENV} substitution) and
// quick mode (wrk2/vegeta-style flags). Everything is validated before anything is sent; errors are
// kInvalidInput in the form "FILE:LINE:COL: FIELD: PROBLEM (got X); FIX".

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// Parses and validates scenario text; `source_name` names it in errors and resolves relative paths
/// (CSV feeders) against its directory.
Result<Scenario> parse_scenario(const std::string& text, const std::string& source_name);

/// Reads, parses and validates a scenario file. A name with a '/' is a path; a bare name ("peak") is a
/// regular file of that name when one exists, else the bundled scenario of that name (a directory
/// never shadows a bundled name). Errors: kInvalidInput naming the file, line and field; kIo.
Result<Scenario> load_scenario_file(const std::string& path_or_name);

/// Reads the bundled scenario `name` (with or without ".json"), whatever the working directory holds.
Result<Scenario> load_bundled_scenario(const std::string& name);

/// Directory of the bundled scenario files (PERFGATE_SCENARIOS_DIR env var, else the install/source dir).
std::string bundled_scenarios_dir();

/// Names (file stems, sorted) of the bundled scenarios; empty when the directory is missing.
std::vector<std::string> list_bundled_scenarios();

/// Quick mode: one endpoint, constant rate (open) or constant virtual users (closed).
struct QuickOptions {
  std::string url;             ///< absolute http(s) URL
  std::optional<double> rate;  ///< requests per second (open model)
  std::optional<int> vus;      ///< virtual users (closed model); exclusive with rate
  std::chrono::microseconds duration{std::chrono::seconds(10)};
  int connections = 0;  ///< 0: engine's choice
  std::chrono::microseconds timeout{std::chrono::seconds(10)};
  std::string method = "GET";
  std::vector<std::string> headers;  ///< "Name: value"
  std::string body;                  ///< literal body (the CLI resolves @file)
};

/// Builds a validated scenario from quick-mode options (errors name the flag, e.g. "--rate").
Result<Scenario> scenario_from_quick(const QuickOptions& options);

/// Scales a scenario for CI: every stage duration x `time_scale` (at least 1 ms), every rate/VU target
/// x `rate_scale` (both > 0; closed-model targets are rounded to whole users, at least 1 where the
/// original was > 0). Poll deadlines, timeouts and think times are per-request behaviour and are
/// not scaled. Recomputes the hash. Errors are kInvalidInput naming the flag.
Status apply_scaling(Scenario& scenario, double time_scale, double rate_scale);

/// Overrides the base URL (--target). Errors when the URL is not http(s)://host[:port].
Status override_target(Scenario& scenario, const std::string& base_url);

}  // namespace perfgate
