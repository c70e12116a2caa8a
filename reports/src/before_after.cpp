#include "reports/before_after.h"

#include <cassert>
#include <cmath>
#include <limits>

#include "html_parts.h"
#include "labels.h"
#include "text_safety.h"

namespace perfgate {
namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

double percentile_us(const RunResult& run, const std::string& endpoint, double percentile) {
  const EndpointStats* e = run.find_endpoint(endpoint);
  if (e == nullptr || e->latency.total_count() == 0) return kNan;
  return static_cast<double>(e->latency.value_at_percentile(percentile));
}

double queries_per_request(const Findings* findings, const std::string& endpoint) {
  if (findings == nullptr) return kNan;
  const auto it = findings->queries_per_request.find(endpoint);
  return it == findings->queries_per_request.end() ? kNan : it->second;
}

double peak_rss(const RunResult& run) {
  if (!run.profile || run.profile->summary.peak_rss_bytes <= 0) return kNan;
  return static_cast<double>(run.profile->summary.peak_rss_bytes);
}

std::string cell(double value, const std::string& unit) { return reports_detail::format_in_unit(value, unit); }

// The cells of one endpoint's row after its name: before, after and change of p95, p99 and queries
// per request (figures in the order before_after_figures() gives them), as plain text.
std::vector<std::string> endpoint_cells(const std::vector<BeforeAfterFigure>& figures, size_t first) {
  std::vector<std::string> cells;
  for (size_t i = first; i < first + 3; ++i) {
    const BeforeAfterFigure& f = figures[i];
    cells.push_back(cell(f.before, f.unit));
    cells.push_back(cell(f.after, f.unit));
    cells.push_back(format_before_after_change(f));
  }
  return cells;
}

}  // namespace

double BeforeAfterFigure::change() const {
  if (std::isnan(before) || std::isnan(after) || before == 0) return kNan;
  return (after - before) / before;
}

double BeforeAfterFigure::factor() const {
  if (std::isnan(before) || std::isnan(after) || before <= 0 || after <= 0) return kNan;
  return before / after;
}

std::vector<BeforeAfterFigure> before_after_figures(const ReportInputs& inputs) {
  assert(inputs.result != nullptr);
  std::vector<BeforeAfterFigure> out;
  if (inputs.baseline == nullptr) return out;
  const RunResult& before = *inputs.baseline;
  const RunResult& after = *inputs.result;
  for (const auto& e : after.endpoints) {
    if (e.kind != "request") continue;
    out.push_back({e.name, "p95", "us", percentile_us(before, e.name, 95), percentile_us(after, e.name, 95)});
    out.push_back({e.name, "p99", "us", percentile_us(before, e.name, 99), percentile_us(after, e.name, 99)});
    out.push_back({e.name, "queries_per_request", "count", queries_per_request(inputs.baseline_findings, e.name),
                   queries_per_request(inputs.findings, e.name)});
  }
  out.push_back({"", "peak_rss", "bytes", peak_rss(before), peak_rss(after)});
  return out;
}

const BeforeAfterFigure* find_figure(const std::vector<BeforeAfterFigure>& figures, const std::string& endpoint,
                                     const std::string& metric) {
  for (const auto& f : figures) {
    if (f.endpoint == endpoint && f.metric == metric) return &f;
  }
  return nullptr;
}

std::string format_before_after_change(const BeforeAfterFigure& figure) {
  const double change = figure.change();
  if (std::isnan(change)) return "-";
  std::string text = reports_detail::format_change(change);
  // A factor reads better than "-99.0%" once a figure fell by half or more: 101 -> 1 is "101x".
  const double factor = figure.factor();
  if (!std::isnan(factor) && factor >= 2)
    text += " (" + reports_detail::format_fixed(factor, factor < 10 ? 1 : 0) + "x)";
  return text;
}

std::string render_before_after_markdown(const ReportInputs& inputs) {
  const auto figures = before_after_figures(inputs);
  if (figures.empty()) return "";
  std::string out =
      "## Before and after\n\n"
      "The same workload against the service before the fix and after it (latency from each request's due "
      "time, warm-up excluded; queries per request from probing each endpoint alone).\n\n"
      "| Endpoint | p95 before | p95 after | p95 change | p99 before | p99 after | p99 change | queries/request "
      "before | after | change |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (size_t i = 0; i + 2 < figures.size(); i += 3) {
    out += "| " + reports_detail::escape_markdown(figures[i].endpoint);
    for (const auto& text : endpoint_cells(figures, i)) out += " | " + text;
    out += " |\n";
  }
  const BeforeAfterFigure& memory = figures.back();
  out += "\n| Whole service | before | after | change |\n|---|---:|---:|---:|\n| peak server memory (RSS) | " +
         cell(memory.before, memory.unit) + " | " + cell(memory.after, memory.unit) + " | " +
         format_before_after_change(memory) + " |\n\n";
  return out;
}

namespace reports_detail {

void append_before_after(const ReportInputs& inputs, std::string& out) {
  const auto figures = before_after_figures(inputs);
  if (figures.empty()) return;
  auto td = [](const std::string& text) { return "<td>" + escape_html(text) + "</td>"; };
  out +=
      "<h2 id=\"before-after\">Before and after</h2>\n<section class=\"card\"><div class=\"sub\">The same "
      "workload against the service before the fix and after it: latency from each request's due time (warm-up "
      "excluded), queries per request from probing each endpoint alone.</div>"
      "<div class=\"table-wrap\"><table><thead><tr><th>Endpoint</th><th>p95 before</th><th>p95 after</th>"
      "<th>Change</th><th>p99 before</th><th>p99 after</th><th>Change</th><th>Queries/request before</th>"
      "<th>After</th><th>Change</th></tr></thead><tbody>";
  for (size_t i = 0; i + 2 < figures.size(); i += 3) {
    out += "<tr><td class=\"text\">" + escape_html(figures[i].endpoint) + "</td>";
    for (const auto& text : endpoint_cells(figures, i)) out += td(text);
    out += "</tr>";
  }
  const BeforeAfterFigure& memory = figures.back();
  out += "<tr><td class=\"text\"><strong>peak server memory (RSS)</strong></td>" +
         td(cell(memory.before, memory.unit)) + td(cell(memory.after, memory.unit)) +
         td(format_before_after_change(memory)) + "<td colspan=\"6\"></td></tr></tbody></table></div></section>\n";
}

}  // namespace reports_detail
}  // namespace perfgate
