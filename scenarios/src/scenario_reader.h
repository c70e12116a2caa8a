#pragma once
// Reading a whole scenario document (already comment-free, env-substituted) into the model.

#include <string>

#include "reader.h"
#include "scenarios/scenario.h"

namespace perfgate::scenario_detail {

/// Reads `document` into a Scenario, reporting every problem into `problems`. CSV feeder paths are
/// resolved against `base_directory`; their own errors are appended to `feeder_errors` as text lines
/// (they point into the CSV file, not the scenario).
Scenario read_scenario(const Json& document, const std::string& base_directory, Problems& problems,
                       std::vector<std::string>& feeder_errors);

/// Adds the values of Authorization, Proxy-Authorization and Cookie headers (and the credential after
/// an auth scheme such as "Bearer ") to `scenario.secret_values`, without duplicates.
void collect_header_secrets(Scenario& scenario);

/// The canonical serialisation the hash is computed over: the model as sorted compact JSON, without
/// source_path, hash and secret values (replaced by "<secret>"), so that formatting, comments, field
/// order and rotating credentials do not change it.
std::string canonical_form(const Scenario& scenario);

/// The canonical form without what names the target (base URL, description): what the workload hash
/// is computed over, so the same load against another host or port compares.
std::string workload_form(const Scenario& scenario);

/// Sets `scenario.hash` and `scenario.workload_hash` from the canonical forms.
void stamp_hashes(Scenario& scenario);

}  // namespace perfgate::scenario_detail
