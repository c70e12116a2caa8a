#include "reports/trend_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include "core/run_context.h"
#include "html_parts.h"
#include "labels.h"
#include "reports/svg_chart.h"
#include "text_safety.h"

namespace perfgate {
namespace {

using namespace reports_detail;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinErrorRateRisePercent = 0.5;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string label_value(const RunResult& r, const char* key) {
  const auto it = r.labels.find(key);
  return it == r.labels.end() ? "" : it->second;
}

std::string commit_of(const RunResult& r) {
  for (const char* key : {"git_sha", "commit", "git"}) {
    const std::string v = label_value(r, key);
    if (!v.empty()) return v.substr(0, 8);
  }
  return "";
}

// "2026-12-04T10:31:05Z" -> "12-04 10:31": runs of one day differ by their time.
std::string short_time(const RunResult& r) {
  const std::string& t = r.context.start_time;
  if (t.size() < 16) return t;
  return t.substr(5, 5) + " " + t.substr(11, 5);
}

// The run's number in the history when it came from a store, else its position (1-based).
std::string run_number(const RunResult& r, size_t index) {
  const std::string id = label_value(r, "history_id");
  const bool numeric = !id.empty() && id.size() < 16 && id.find_first_not_of("0123456789") == std::string::npos;
  return numeric ? id : std::to_string(index + 1);
}

// Short x labels: the run's label, else its commit, else its start (day and time).
std::string run_label(const RunResult& r, size_t index) {
  const std::string label = label_value(r, "label");
  if (!label.empty()) return label.size() > 14 ? label.substr(0, 13) + "~" : label;
  std::string commit = commit_of(r);
  if (!commit.empty()) return commit;
  if (!r.context.start_time.empty()) return short_time(r);
  return "#" + std::to_string(index + 1);
}

bool flagged_run(const RunResult& r) { return !r.complete(); }

// What a point's tooltip says about its run: number, time, commit, label and a partial/failed status.
std::string run_description(const RunResult& r, size_t index) {
  std::string out = "run " + run_number(r, index);
  if (!r.context.start_time.empty()) out += ", " + short_time(r);
  const std::string commit = commit_of(r);
  if (!commit.empty()) out += ", " + commit;
  const std::string label = label_value(r, "label");
  if (!label.empty()) out += ", " + label;
  if (flagged_run(r)) out += " (" + std::string(run_status_name(r.shown_status())) + " run)";
  return out;
}

ChartSeries series_of(const std::string& name, const char* color, const std::vector<double>& values,
                      const TrendOptions& options, const std::vector<RunResult>& runs) {
  ChartSeries s{name, color, SeriesStyle::kLine, {}, {}, PointMarkers::kVisible};
  // Partial and failed runs are drawn (hollow) but never enter the regression medians.
  std::vector<double> judged = values;
  for (size_t i = 0; i < values.size(); ++i) {
    s.points.emplace_back(static_cast<double>(i), values[i]);
    if (flagged_run(runs[i])) judged[i] = kNaN;
  }
  s.marked = find_trend_regressions(judged, options);
  return s;
}

std::string change_text(const HistoryChange& c) {
  const ValueFormat f = c.metric == "error_rate"            ? ValueFormat::kPercent
                        : c.metric == "peak_rss"            ? ValueFormat::kBytes
                        : c.metric == "queries_per_request" ? ValueFormat::kNumber
                                                            : ValueFormat::kDurationUs;
  std::string pct = "new";
  if (std::isfinite(c.change.relative_change)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f%%", c.change.relative_change * 100);
    pct = buf;
  }
  return pct + " (" + format_axis_value(c.change.mean_before, f) + " -> " + format_axis_value(c.change.mean_after, f) +
         ")";
}

// The change points of `metrics` on `endpoint` as vertical lines just before their first run.
void add_change_markers(ChartSpec& spec, const std::vector<HistoryChange>& changes, const std::string& endpoint,
                        const std::vector<std::string>& metrics, const std::map<int64_t, size_t>& position_of_run_id) {
  for (const auto& c : changes) {
    if (c.endpoint != endpoint || std::find(metrics.begin(), metrics.end(), c.metric) == metrics.end()) continue;
    const auto at = position_of_run_id.find(c.first_run_id);
    if (at == position_of_run_id.end()) continue;
    spec.markers.push_back({static_cast<double>(at->second) - 0.5,
                            "change point: " + c.metric + " " + change_text(c) + " from run " +
                                std::to_string(c.first_run_id) +
                                (c.first_commit.empty() ? "" : " (" + c.first_commit.substr(0, 8) + ")"),
                            c.regression() ? "#dc2626" : "#16a34a"});
  }
}

ChartSpec run_axis_chart(const std::string& title, ValueFormat y, const std::vector<RunResult>& runs) {
  ChartSpec spec;
  spec.title = title;
  spec.x_format = ValueFormat::kNumber;
  spec.y_format = y;
  spec.x_label = "run";
  // Categorical axis: with many runs, label about twelve of them so the labels stay legible.
  const size_t every = std::max<size_t>(1, (runs.size() + 11) / 12);
  for (size_t i = 0; i < runs.size(); i += every)
    spec.x_ticks.emplace_back(static_cast<double>(i), run_label(runs[i], i));
  for (size_t i = 0; i < runs.size(); ++i) {
    spec.x_names.push_back(run_description(runs[i], i));
    if (flagged_run(runs[i])) spec.flagged_x.push_back(i);
  }
  return spec;
}

}  // namespace

std::vector<size_t> find_trend_regressions(const std::vector<double>& values, const TrendOptions& options) {
  std::vector<size_t> out;
  const size_t window = std::max<size_t>(1, options.window);
  std::vector<double> history;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) continue;
    if (!history.empty()) {
      const size_t from = history.size() > window ? history.size() - window : 0;
      const double m = median(std::vector<double>(history.begin() + static_cast<std::ptrdiff_t>(from), history.end()));
      if (values[i] > m * (1.0 + options.threshold) && values[i] - m > options.min_absolute_increase && values[i] > m) {
        out.push_back(i);
      }
    }
    history.push_back(values[i]);
  }
  return out;
}

std::string render_trend_html(const std::vector<RunResult>& runs, const TrendOptions& options) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<title>perfgate trend</title>\n<style>" +
      std::string(report_css()) + "</style>\n</head>\n<body>\n<main>\n";
  out += "<header><div class=\"eyebrow\">perfgate trend</div><h1>Trend over " + std::to_string(runs.size()) +
         " runs</h1><div class=\"sub\">A point ringed in red "
         "is more than " +
         format_fixed(options.threshold * 100, 0) + "% worse than the median of the " + std::to_string(options.window) +
         " runs before it; a hollow grey point is a partial or failed run (never "
         "compared); a dashed vertical line is a change point.</div></header>\n";
  if (runs.empty()) {
    out += "<section class=\"card\"><p>No runs to show.</p></section>\n";
  } else {
    std::map<int64_t, size_t> position_of_run_id;
    for (size_t i = 0; i < runs.size(); ++i) position_of_run_id[std::stoll(run_number(runs[i], i))] = i;
    const std::vector<HistoryChange>& changes = options.changes;
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& r : runs) {
      for (const auto& e : r.endpoints) {
        if (e.kind != EndpointKind::kStep && seen.insert(e.name).second) names.push_back(e.name);
      }
    }
    std::string regressions;
    out += "<div class=\"grid\">";
    for (const auto& name : names) {
      std::vector<double> p95, p99, errors;
      for (const auto& r : runs) {
        const EndpointStats* e = r.find_endpoint(name);
        const bool has = e != nullptr && !e->latency.empty();
        p95.push_back(has ? static_cast<double>(e->latency.value_at_percentile(95)) : kNaN);
        p99.push_back(has ? static_cast<double>(e->latency.value_at_percentile(99)) : kNaN);
        errors.push_back(e != nullptr && e->requests > 0
                             ? 100.0 * static_cast<double>(e->errors.total) / static_cast<double>(e->requests)
                             : kNaN);
      }
      ChartSpec latency = run_axis_chart(name + " - latency", ValueFormat::kDurationUs, runs);
      latency.series = {series_of("p95", "#d97706", p95, options, runs),
                        series_of("p99", "#dc2626", p99, options, runs)};
      add_change_markers(latency, changes, name, {"p95", "p99"}, position_of_run_id);
      ChartSpec error_chart = run_axis_chart(name + " - error rate", ValueFormat::kPercent, runs);
      // Error rates are in percent here; tiny absolute rises are noise, whatever their ratio.
      TrendOptions error_options = options;
      error_options.min_absolute_increase = std::max(options.min_absolute_increase, kMinErrorRateRisePercent);
      error_chart.series = {series_of("errors", "#b91c1c", errors, error_options, runs)};
      add_change_markers(error_chart, changes, name, {"error_rate"}, position_of_run_id);
      for (const auto& s : {latency.series[0], latency.series[1], error_chart.series[0]}) {
        for (size_t i : s.marked) {
          regressions +=
              "<tr><td class=\"text\">" + escape_html(run_description(runs[i], i)) + "</td><td class=\"text\">" +
              escape_html(name) + "</td><td>" + escape_html(s.name) + "</td><td>" +
              escape_html(format_axis_value(s.points[i].second,
                                            s.name == "errors" ? ValueFormat::kPercent : ValueFormat::kDurationUs)) +
              "</td></tr>";
        }
      }
      out += "<div class=\"card\">" + render_svg_chart(latency) + "</div><div class=\"card\">" +
             render_svg_chart(error_chart) + "</div>\n";
    }
    std::vector<double> peak;
    bool any_profile = false;
    for (const auto& r : runs) {
      any_profile = any_profile || r.profile.has_value();
      peak.push_back(r.profile ? static_cast<double>(r.profile->summary.peak_rss_bytes) : kNaN);
    }
    if (any_profile) {
      ChartSpec memory = run_axis_chart("Peak memory (RSS) of the watched processes", ValueFormat::kBytes, runs);
      memory.series = {series_of("peak RSS", "#7c3aed", peak, options, runs)};
      add_change_markers(memory, changes, "", {"peak_rss"}, position_of_run_id);
      for (size_t i : memory.series[0].marked) {
        regressions += "<tr><td class=\"text\">" + escape_html(run_description(runs[i], i)) +
                       "</td><td class=\"text\">(server)</td><td>peak RSS</td><td>" +
                       escape_html(format_axis_value(peak[i], ValueFormat::kBytes)) + "</td></tr>";
      }
      out += "<div class=\"card\">" + render_svg_chart(memory) + "</div>\n";
    }
    out += "</div>\n<h2>Change points</h2>\n<section class=\"card\">";
    if (changes.empty()) {
      out +=
          "<p>No change point: no metric moved to a new level and stayed there (E-divisive means, p &lt; 0.001, at "
          "least 5%).</p>";
    } else {
      out +=
          "<div class=\"table-wrap\"><table><thead><tr><th>First run</th><th class=\"text\">Commit</th>"
          "<th class=\"text\">Scenario</th><th class=\"text\">Endpoint</th><th>Metric</th><th>Change</th><th>p</th>"
          "</tr></thead><tbody>";
      for (const auto& c : changes) {
        char p[32];
        std::snprintf(p, sizeof p, "%.2g", c.change.p_value);
        out += "<tr class=\"" + std::string(c.regression() ? "change-up" : "change-down") + "\"><td>" +
               escape_html(std::to_string(c.first_run_id) + " " + c.first_label) + "</td><td class=\"text\">" +
               escape_html(c.first_commit) + "</td><td class=\"text\">" + escape_html(c.scenario_name) +
               "</td><td class=\"text\">" + escape_html(c.endpoint.empty() ? "(server)" : c.endpoint) + "</td><td>" +
               escape_html(c.metric) + "</td><td>" + escape_html(change_text(c)) + "</td><td>" + p + "</td></tr>";
      }
      out += "</tbody></table></div>";
    }
    out += "</section>\n<h2>Regressions</h2>\n<section class=\"card\">";
    if (regressions.empty()) {
      out += "<p>No run was worse than the runs before it.</p>";
    } else {
      out +=
          "<div class=\"table-wrap\"><table><thead><tr><th>Run</th><th "
          "class=\"text\">Endpoint</th><th>Metric</th><th>Value</th>"
          "</tr></thead><tbody>" +
          regressions + "</tbody></table></div>";
    }
    out += "</section>\n";
  }
  out += "<footer>Rendered by perfgate " + escape_html(std::string(tool_version())) +
         ".</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace perfgate
