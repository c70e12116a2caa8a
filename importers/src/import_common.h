#pragma once
// Pieces both importers share: names, durations and the final check of the written scenario.

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "importers/scenario_import.h"

namespace perfgate::import_detail {

using Json = nlohmann::ordered_json;

/// "60s" for whole seconds, else "250ms" (rounded to the millisecond, at least 1 ms).
std::string duration_text(std::chrono::microseconds duration);

/// The file name without directories and extension ("rec/journey.har" -> "journey").
std::string file_stem(const std::string& path);

/// A name of letters, digits, '-' and '_' only, other runs becoming one '-' ("GET /a/{id}" -> "GET-a-id").
std::string slug(const std::string& text);

/// A valid {{variable}} name from a JSON key: [A-Za-z_][A-Za-z0-9_]*, lower case ("jobId" -> "jobid").
std::string variable_name(const std::string& key);

/// Percent-encodes a query or path value (RFC 3986 unreserved characters stay; {{ }} kept as is).
std::string url_encode(const std::string& value);

/// Serialises `scenario`, parses it with the scenario parser (as `source_name`), and returns the
/// text; a scenario the parser refuses is kInternal (an importer bug), with the parser's message.
Result<std::string> finish_scenario(const Json& scenario, const std::string& source_name);

}  // namespace perfgate::import_detail
