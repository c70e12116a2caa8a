#pragma once
// The Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY (docs/reports.md).

#include <string>

#include "reports/report_inputs.h"

namespace perfgate {

/// Renders the verdict, the per-endpoint table, the largest regressions and the findings with their
/// fixes as GitHub-flavoured Markdown. Deterministic; user strings are escaped so they cannot break
/// the tables or inject HTML.
std::string render_markdown_report(const ReportInputs& inputs);

}  // namespace perfgate
