#pragma once
// JSON of run summaries, shared by the directory and PostgreSQL stores (private to history/).

#include <nlohmann/json.hpp>
#include <string>

#include "analyzers/history.h"
#include "core/result.h"

namespace perfgate::history_detail {

/// The summary's fields as a JSON object (identity, peak_rss_bytes, endpoints).
nlohmann::json summary_json(const RunSummary& s);
/// Reads what summary_json wrote; kInvalidInput "SOURCE: FIELD: problem" on a missing or mistyped field.
Result<RunSummary> summary_from_json(const nlohmann::json& j, const std::string& source);

}  // namespace perfgate::history_detail
