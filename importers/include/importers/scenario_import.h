#pragma once
// Scenario import (docs/import.md): a browser recording (HAR 1.2) or an OpenAPI 3 description becomes
// a scenario file (docs/scenarios.md) that the user then edits. Both importers return the scenario's
// JSON text, already checked by the scenario parser, plus notes for the user about what was dropped
// or inferred. Errors are kInvalidInput naming the file and the entry index or the spec path
// ("rec.har: log.entries[4].request.url: ..."; "api.yaml:12:7: paths./users/{id}.get: ...").

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// What an importer produced: the scenario text and what it did that the user should know.
struct ImportedScenario {
  std::string json_text;           ///< a scenario file (ordered, indented JSON, ends with a newline)
  std::vector<std::string> notes;  ///< one line each: requests dropped, ids correlated, loops found
  size_t requests = 0;             ///< steps (HAR) or endpoints (OpenAPI) written
};

/// Options of `scenario import --har`.
struct HarImportOptions {
  std::string name;  ///< scenario name; empty: the HAR file's stem
  /// host or host:port of the application; empty: the host with the most non-static requests.
  /// Requests to other hosts are third-party and dropped.
  std::string host;
  int virtual_users = 1;                                         ///< closed model, > 0
  std::chrono::microseconds duration{std::chrono::seconds(60)};  ///< one steady stage, > 0
};

/// Reads a HAR file and turns the application's requests into one flow (closed model): static
/// assets and third-party hosts dropped, pauses of 100 ms or more kept as think times, ids that a
/// response issued and a later request reused turned into `extract` + `{{variable}}`, and runs of
/// the same GET whose responses changed into one polling step. Errors: kInvalidInput (the HAR does
/// not parse, an entry lacks a field, nothing importable); kIo is reported as kInvalidInput too.
Result<ImportedScenario> import_har(const std::string& path, const HarImportOptions& options);

/// Options of `scenario import --openapi`.
struct OpenApiImportOptions {
  std::string name;                       ///< scenario name; empty: info.title, else the file's stem
  std::vector<std::string> exclude_tags;  ///< operations with any of these tags are left out
  double rate = 5;                        ///< open model, arrivals per second over all endpoints, > 0
  std::chrono::microseconds duration{std::chrono::seconds(60)};  ///< one steady stage, > 0
};

/// Reads an OpenAPI 3.x description (JSON or YAML) and writes one endpoint per GET operation:
/// path and required query parameters filled from examples, defaults, enums or the schema,
/// categories from the first tag, expected statuses from the documented 2xx responses, an
/// `Authorization` or API-key header from `${secret:...}` for secured operations, `stream` for
/// text/event-stream responses. Errors: kInvalidInput naming the file, line and spec path.
Result<ImportedScenario> import_openapi(const std::string& path, const OpenApiImportOptions& options);

}  // namespace perfgate
