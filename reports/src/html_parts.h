#pragma once
// The sections of the HTML report, each appending escaped HTML to `out`. Private to the reports.

#include <string>

#include "reports/report_inputs.h"
#include "reports/svg_chart.h"

namespace perfgate::reports_detail {

/// The page's <style> contents: layout, tables, verdict colours, chart styling (responsive).
const char* report_css();

/// Verdict banner (gate result or run status), run context and warnings.
void append_summary(const ReportInputs& inputs, std::string& out);
/// One table per endpoint: requests, errors by category, corrected percentiles, budget status; the
/// service-time figures in a <details>; flow metrics.
void append_endpoints(const ReportInputs& inputs, std::string& out);
/// Percentile spectra, latency/throughput over time, process and PostgreSQL charts.
void append_charts(const ReportInputs& inputs, std::string& out);
/// Links to the sections present in this report.
void append_navigation(const ReportInputs& inputs, std::string& out);
/// The before/after table (reports/before_after.h) when the inputs carry the baseline's findings.
void append_before_after(const ReportInputs& inputs, std::string& out);
/// What changed against the baseline, largest regressions first.
void append_changes(const ReportInputs& inputs, std::string& out);
/// The analyzer's findings grouped by kind, with fixes.
void append_findings(const ReportInputs& inputs, std::string& out);

/// Chart series colours, in order of use.
const char* palette(size_t index);

/// Phases of a run as chart bands (x in seconds), warm-up muted.
std::vector<ChartBand> phase_bands(const RunResult& result);

}  // namespace perfgate::reports_detail
