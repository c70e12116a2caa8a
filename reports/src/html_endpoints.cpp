// Per-endpoint tables: what was asked, what failed, how long it took, and whether budgets held.
#include <cmath>

#include "comparison.h"
#include "core/units.h"
#include "html_parts.h"
#include "labels.h"
#include "text_safety.h"

namespace perfgate::reports_detail {
namespace {

std::string verdict_cell_class(const std::vector<const CheckResult*>& checks, const std::string& metric) {
  std::vector<const CheckResult*> matching;
  for (const auto* c : checks) {
    if (c->metric == metric && c->phase.empty()) matching.push_back(c);
  }
  const auto worst = worst_verdict(matching);
  return worst ? std::string(" class=\"cell-") + verdict_name(*worst) + "\"" : "";
}

std::string errors_cell(const EndpointStats& e) {
  if (e.errors.total == 0) return "<span class=\"errors-none\">0</span>";
  std::string s = "<span class=\"errors-some\">" + format_count(e.errors.total) + "</span> (" +
                  format_fixed(error_rate(e) * 100, 2) + "%)<br><span class=\"sub\">";
  bool first = true;
  for (const auto& [category, n] : e.errors.by_category) {
    s += (first ? "" : ", ") + escape_html(category) + " " + format_count(n);
    first = false;
  }
  return s + "</span>";
}

std::string budget_cell(const std::vector<const CheckResult*>& checks) {
  if (checks.empty()) return "<span class=\"sub\">&ndash;</span>";
  std::string s;
  for (const auto* c : checks) {
    s += std::string("<span class=\"chip ") + verdict_css_class(c->verdict) + "\" title=\"" +
         escape_html(c->message.empty() ? c->id : c->message) + "\">" + escape_html(c->metric) +
         (c->phase.empty() ? "" : " @" + escape_html(c->phase)) +
         (c->limit ? " &le; " + escape_html(format_in_unit(*c->limit, c->unit)) : "") + "</span>";
  }
  return s;
}

std::string name_cell(const EndpointStats& e) {
  std::string s = "<td class=\"text\"><strong>" + escape_html(e.name) + "</strong>";
  if (e.kind != EndpointKind::kRequest)
    s += " <span class=\"sub\">" + escape_html(std::string(endpoint_kind_name(e.kind))) + "</span>";
  return s + "</td>";
}

void latency_table(const ReportInputs& inputs, bool service_time, std::string& out) {
  out += "<div class=\"table-wrap\"><table><thead><tr><th>Endpoint</th><th>Requests</th>";
  if (!service_time) out += "<th>Errors</th>";
  out += "<th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th>";
  if (!service_time) out += "<th class=\"text\">Budgets</th>";
  out += "</tr></thead><tbody>";
  for (const auto& e : inputs.result->endpoints) {
    const LatencySummary s = LatencySummary::of(service_time ? e.service_time : e.latency);
    const auto checks = budget_checks_for(inputs.gate, e.name);
    auto cell = [&](const char* metric, double value) {
      const std::string cls = service_time ? "" : verdict_cell_class(checks, metric);
      out += "<td" + cls + ">" + (s.count > 0 ? escape_html(format_duration_us(value)) : "&ndash;") + "</td>";
    };
    out += "<tr>" + name_cell(e) + "<td>" + format_count(e.requests) + "</td>";
    if (!service_time) out += "<td>" + errors_cell(e) + "</td>";
    cell("p50", s.p50);
    cell("p90", s.p90);
    cell("p95", s.p95);
    cell("p99", s.p99);
    cell("p999", s.p999);
    cell("max", s.max);
    if (!service_time) out += "<td class=\"text\">" + budget_cell(checks) + "</td>";
    out += "</tr>";
  }
  out += "</tbody></table></div>";
}

std::string metric_value(double value, const std::string& unit) {
  if (unit == "us") return format_duration_us(value);
  if (unit == "count") return format_fixed(value, 0);
  return format_fixed(value, 1) + (unit.empty() ? "" : " " + unit);
}

void metrics_table(const RunResult& r, std::string& out) {
  std::string rows;
  for (const auto& e : r.endpoints) {
    for (const auto& [name, metric] : e.metrics) {
      const LatencySummary s = LatencySummary::of(metric.histogram);
      rows += "<tr><td class=\"text\">" + escape_html(e.name) + "</td><td class=\"text\"><code>" + escape_html(name) +
              "</code></td><td>" + format_count(s.count) + "</td>";
      for (double v : {s.p50, s.p95, s.p99, s.max}) {
        rows += "<td>" + (s.count > 0 ? escape_html(metric_value(v, metric.unit)) : "&ndash;") + "</td>";
      }
      rows += "</tr>";
    }
    for (const auto& [name, tally] : e.tallies) {
      int64_t total = 0;
      for (const auto& [value, n] : tally) total += n;
      std::string shares;
      for (const auto& [value, n] : tally) {
        shares += (shares.empty() ? "" : ", ") + escape_html(value) + " " +
                  format_fixed(total > 0 ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0, 1) + "%";
      }
      rows += "<tr><td class=\"text\">" + escape_html(e.name) + "</td><td class=\"text\"><code>" + escape_html(name) +
              "</code></td><td>" + format_count(total) + "</td><td class=\"text\" colspan=\"4\">" + shares +
              "</td></tr>";
    }
  }
  if (rows.empty()) return;
  out +=
      "<section class=\"card\"><h3>Flow and stream metrics</h3><div class=\"table-wrap\"><table><thead><tr>"
      "<th>Endpoint</th><th class=\"text\">Metric</th><th>Count</th><th>p50</th><th>p95</th><th>p99</th><th>max</th>"
      "</tr></thead><tbody>" +
      rows + "</tbody></table></div></section>\n";
}

// Each phase's figures per endpoint: budgets are often per phase (steady vs spike).
void phase_table(const RunResult& r, std::string& out) {
  std::string rows;
  for (const auto& phase : r.phase_stats) {
    bool excluded = false;
    for (const auto& info : r.phases) excluded = excluded || (info.name == phase.phase && info.excluded);
    for (const auto& e : phase.endpoints) {
      const LatencySummary s = LatencySummary::of(e.latency);
      rows += "<tr><td class=\"text\">" + escape_html(phase.phase) +
              (excluded ? " <span class=\"sub\">excluded</span>" : "") + "</td><td class=\"text\">" +
              escape_html(e.name) + "</td><td>" + format_count(e.requests) + "</td><td>" +
              format_count(e.errors.total) + "</td>";
      for (double v : {s.p50, s.p95, s.p99, s.max}) {
        rows += "<td>" + (s.count > 0 ? escape_html(format_duration_us(v)) : "&ndash;") + "</td>";
      }
      rows += "</tr>";
    }
  }
  if (rows.empty()) return;
  out +=
      "<details><summary>By phase</summary><div class=\"table-wrap\"><table><thead><tr><th>Phase</th>"
      "<th class=\"text\">Endpoint</th><th>Requests</th><th>Errors</th><th>p50</th><th>p95</th><th>p99</th><th>max</th>"
      "</tr></thead><tbody>" +
      rows + "</tbody></table></div></details>";
}

void status_table(const RunResult& r, std::string& out) {
  std::string rows;
  for (const auto& e : r.endpoints) {
    if (e.status_codes.empty()) continue;
    std::string codes;
    for (const auto& [code, n] : e.status_codes) {
      codes += (codes.empty() ? "" : ", ") + escape_html(code) + ": " + format_count(n);
    }
    rows += "<tr><td class=\"text\">" + escape_html(e.name) + "</td><td class=\"text\">" + codes + "</td></tr>";
  }
  if (rows.empty()) return;
  out +=
      "<details><summary>HTTP status codes</summary><div class=\"table-wrap\"><table><thead><tr><th>Endpoint</th>"
      "<th class=\"text\">Responses by status</th></tr></thead><tbody>" +
      rows + "</tbody></table></div></details>";
}

}  // namespace

void append_endpoints(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  out += "<h2 id=\"endpoints\">Endpoints</h2>\n<section class=\"card\">";
  if (r.endpoints.empty()) {
    out += "<p class=\"sub\">No endpoint completed a request.</p></section>\n";
    return;
  }
  out += std::string("<div class=\"sub\">Latency ") +
         (r.model == LoadModel::kOpen ? "from each request's due time (includes queueing behind a slow server)"
                                      : "is service time (closed model)") +
         "; errors are counted by category and included in the latency figures.</div>";
  latency_table(inputs, false, out);
  out += "<details><summary>Service time (send to done, uncorrected)</summary>";
  latency_table(inputs, true, out);
  out += "</details>";
  phase_table(r, out);
  status_table(r, out);
  out += "</section>\n";
  metrics_table(r, out);
}

}  // namespace perfgate::reports_detail
