#pragma once
// Markdown rendering of a gate report, for $GITHUB_STEP_SUMMARY and pull-request comments.

#include <string>

#include "core/gate_report.h"

namespace perfgate {

/// Renders `report` as a heading with the overall verdict, counts, and a table (verdict, check,
/// endpoint/phase, measured, limit, message) with failures first, then notes. Pipes and newlines in
/// values are escaped so the table stays intact. Pure; thread-safe.
std::string gate_report_to_markdown(const GateReport& report);

}  // namespace perfgate
