#pragma once
// The HTML report: one self-contained file (inline CSS and SVG charts, no scripts, fonts or network
// fetches) that opens in any browser, on a laptop or a tablet (docs/reports.md).

#include <string>

#include "reports/report_inputs.h"

namespace perfgate {

/// Renders the whole report as one HTML document (UTF-8). Deterministic for equal inputs. Every
/// string that came from the server or the user is HTML-escaped and secrets in command lines are
/// redacted, so a hostile endpoint name or query text stays inert text.
std::string render_html_report(const ReportInputs& inputs);

}  // namespace perfgate
