#include "reports/trend_report.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

// Short x labels: a git label when the run carries one, else the date part of the start time.
std::string run_label(const RunResult& r, size_t index) {
  for (const char* key : {"git_sha", "commit", "git"}) {
    const auto it = r.labels.find(key);
    if (it != r.labels.end() && !it->second.empty()) return it->second.substr(0, 8);
  }
  if (r.context.start_time.size() >= 10) return r.context.start_time.substr(5, 5);
  return "#" + std::to_string(index + 1);
}

ChartSeries series_of(const std::string& name, const char* color, const std::vector<double>& values,
                      const TrendOptions& options) {
  ChartSeries s{name, color, SeriesStyle::kLine, {}, {}, PointMarkers::kVisible};
  for (size_t i = 0; i < values.size(); ++i) {
    s.points.emplace_back(static_cast<double>(i), values[i]);
  }
  s.marked = find_trend_regressions(values, options);
  return s;
}

ChartSpec run_axis_chart(const std::string& title, ValueFormat y, const std::vector<RunResult>& runs) {
  ChartSpec spec;
  spec.title = title;
  spec.x_format = ValueFormat::kNumber;
  spec.y_format = y;
  spec.x_label = "run";
  // Categorical axis: with many runs, label about twelve of them so the labels stay legible.
  const size_t every = std::max<size_t>(1, (runs.size() + 11) / 12);
  for (size_t i = 0; i < runs.size(); i += every) spec.x_ticks.emplace_back(static_cast<double>(i), run_label(runs[i], i));
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
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
                    "<title>perfgate trend</title>\n<style>" + std::string(report_css()) + "</style>\n</head>\n<body>\n<main>\n";
  out += "<header><div class=\"eyebrow\">perfgate trend</div><h1>Trend over " + std::to_string(runs.size()) + " runs</h1><div class=\"sub\">A point ringed in red "
         "is more than " + format_fixed(options.threshold * 100, 0) + "% worse than the median of the " +
         std::to_string(options.window) + " runs before it.</div></header>\n";
  if (runs.empty()) {
    out += "<section class=\"card\"><p>No runs to show.</p></section>\n";
  } else {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& r : runs) {
      for (const auto& e : r.endpoints) {
        if (e.kind != "step" && seen.insert(e.name).second) names.push_back(e.name);
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
      latency.series = {series_of("p95", "#d97706", p95, options), series_of("p99", "#dc2626", p99, options)};
      ChartSpec error_chart = run_axis_chart(name + " - error rate", ValueFormat::kPercent, runs);
      // Error rates are in percent here; tiny absolute rises are noise, whatever their ratio.
      TrendOptions error_options = options;
      error_options.min_absolute_increase = std::max(options.min_absolute_increase, kMinErrorRateRisePercent);
      error_chart.series = {series_of("errors", "#b91c1c", errors, error_options)};
      for (const auto& s : {latency.series[0], latency.series[1], error_chart.series[0]}) {
        for (size_t i : s.marked) {
          regressions += "<tr><td class=\"text\">" + escape_html(run_label(runs[i], i)) + "</td><td class=\"text\">" +
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
      memory.series = {series_of("peak RSS", "#7c3aed", peak, options)};
      for (size_t i : memory.series[0].marked) {
        regressions += "<tr><td class=\"text\">" + escape_html(run_label(runs[i], i)) +
                       "</td><td class=\"text\">(server)</td><td>peak RSS</td><td>" +
                       escape_html(format_axis_value(peak[i], ValueFormat::kBytes)) + "</td></tr>";
      }
      out += "<div class=\"card\">" + render_svg_chart(memory) + "</div>\n";
    }
    out += "</div>\n<h2>Regressions</h2>\n<section class=\"card\">";
    if (regressions.empty()) {
      out += "<p>No run was worse than the runs before it.</p>";
    } else {
      out += "<div class=\"table-wrap\"><table><thead><tr><th>Run</th><th class=\"text\">Endpoint</th><th>Metric</th><th>Value</th>"
             "</tr></thead><tbody>" + regressions + "</tbody></table></div>";
    }
    out += "</section>\n";
  }
  out += "<footer>Rendered by perfgate " + escape_html(std::string(tool_version())) + ".</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace perfgate
