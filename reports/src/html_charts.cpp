// The charts: latency spectra, the run over time, and what the server and PostgreSQL did meanwhile.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/units.h"
#include "html_parts.h"
#include "text_safety.h"

namespace perfgate::reports_detail {
namespace {

constexpr const char* kP50 = "#2563eb";
constexpr const char* kP95 = "#d97706";
constexpr const char* kP99 = "#dc2626";
constexpr const char* kBaseline = "#8a94a6";

std::vector<std::pair<double, double>> spectrum(const Histogram& h) {
  std::vector<std::pair<double, double>> points;
  if (h.empty()) return points;
  for (const auto& p : h.percentile_distribution(5)) points.emplace_back(p.percentile, static_cast<double>(p.value));
  return points;
}

void card(std::string& out, const ChartSpec& spec) {
  out += "<div class=\"card\">" + render_svg_chart(spec) + "</div>\n";
}

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

std::string metric_spectra(const RunResult& r);

void append_spectra(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  std::string cards;
  for (const auto& e : r.endpoints) {
    if (e.kind == EndpointKind::kStep) continue;
    ChartSpec spec;
    spec.title = e.name + " - latency by percentile";
    spec.x_scale = XScale::kPercentileLog;
    spec.x_label = "percentile";
    spec.y_format = ValueFormat::kDurationUs;
    spec.series.push_back({r.model == LoadModel::kOpen ? "corrected (from due time)" : "latency (service time)",
                           kP50,
                           SeriesStyle::kLine,
                           spectrum(e.latency),
                           {}});
    if (r.model == LoadModel::kOpen) {
      spec.series.push_back({"service time", "#0891b2", SeriesStyle::kDashed, spectrum(e.service_time), {}});
    }
    if (inputs.baseline != nullptr) {
      if (const EndpointStats* base = inputs.baseline->find_endpoint(e.name)) {
        spec.series.push_back({"baseline", kBaseline, SeriesStyle::kDashed, spectrum(base->latency), {}});
      }
    }
    cards += "<div class=\"card\">" + render_svg_chart(spec) + "</div>\n";
  }
  cards += metric_spectra(r);
  if (cards.empty()) return;
  out +=
      "<h2 id=\"spectrum\">Latency percentile spectrum</h2>\n<div class=\"sub\">Each percentile's latency; the x "
      "axis stretches the tail (90%, 99%, 99.9%, ...) where users feel slowness.</div>\n<div class=\"grid\">" +
      cards + "</div>\n";
}

// With several endpoints, the run's p95 hides which one moved: one line per endpoint.
void append_endpoint_timelines(const RunResult& r, const std::vector<ChartBand>& bands, std::string& out) {
  ChartSpec spec;
  spec.title = "p95 by endpoint over time";
  spec.x_label = "time since start";
  spec.y_format = ValueFormat::kDurationUs;
  spec.bands = bands;
  for (const auto& e : r.endpoints) {
    if (e.timeline.empty() || e.kind == EndpointKind::kStep) continue;
    ChartSeries line{e.name, palette(spec.series.size()), SeriesStyle::kLine, {}, {}};
    for (const auto& i : e.timeline) {
      if (i.requests > 0) line.points.emplace_back(seconds(i.t_ms), i.p95_us);
    }
    spec.series.push_back(std::move(line));
  }
  if (spec.series.size() >= 2) card(out, spec);
}

void append_timeline(const RunResult& r, std::string& out) {
  if (r.timeline.empty()) return;
  const auto bands = phase_bands(r);
  ChartSpec latency;
  latency.title = "Latency over time";
  latency.x_label = "time since start";
  latency.y_format = ValueFormat::kDurationUs;
  latency.bands = bands;
  ChartSeries p50{"p50", kP50, SeriesStyle::kLine, {}, {}}, p95{"p95", kP95, SeriesStyle::kLine, {}, {}},
      p99{"p99", kP99, SeriesStyle::kLine, {}, {}};
  ChartSpec rate;
  rate.title = "Throughput and errors";
  rate.x_label = "time since start";
  rate.y_format = ValueFormat::kRate;
  rate.bands = bands;
  ChartSeries done{"completed/s", kP50, SeriesStyle::kLine, {}, {}},
      errors{"errors/s", kP99, SeriesStyle::kLine, {}, {}};
  for (const auto& i : r.timeline) {
    const double t = seconds(i.t_ms);
    const double len_s = i.duration_ms > 0 ? static_cast<double>(i.duration_ms) / 1000.0 : 1.0;
    if (i.requests > 0) {
      p50.points.emplace_back(t, i.p50_us);
      p95.points.emplace_back(t, i.p95_us);
      p99.points.emplace_back(t, i.p99_us);
    }
    // The drain after the last due request is a sliver of an interval (a few ms with one late
    // response); as a rate it would draw a spike that never happened, so rates skip slivers.
    if (i.duration_ms > 0 && i.duration_ms < 250) continue;
    done.points.emplace_back(t, static_cast<double>(i.requests) / len_s);
    errors.points.emplace_back(t, static_cast<double>(i.errors) / len_s);
  }
  latency.series = {p50, p95, p99};
  rate.series = {done, errors};
  if (r.model == LoadModel::kOpen && !r.phases.empty()) {
    ChartSeries target{"target rate", "#64748b", SeriesStyle::kDashed, {}, {}};
    for (const auto& p : r.phases) {
      target.points.emplace_back(seconds(p.start_ms), p.target_rps_start);
      target.points.emplace_back(seconds(p.end_ms), p.target_rps_end);
    }
    rate.series.push_back(target);
  }
  out += "<h2 id=\"timeline\">Over time</h2>\n<div class=\"grid\">";
  card(out, latency);
  card(out, rate);
  append_endpoint_timelines(r, bands, out);
  out += "</div>\n";
}

void append_profile(const RunResult& r, std::string& out) {
  if (!r.profile) return;
  const Profile& p = *r.profile;
  const auto bands = phase_bands(r);
  std::string cards;
  if (!p.processes.empty()) {
    ChartSpec rss, cpu;
    rss.title = "Memory (RSS) of watched processes";
    rss.y_format = ValueFormat::kBytes;
    cpu.title = "CPU of watched processes";
    cpu.y_format = ValueFormat::kPercent;
    cpu.y_label = "% of one core";
    rss.x_label = cpu.x_label = "time since start";
    rss.bands = cpu.bands = bands;
    for (size_t i = 0; i < p.processes.size(); ++i) {
      const auto& proc = p.processes[i];
      const std::string name = redact_secrets(proc.command) + " (" + std::to_string(proc.pid) + ")";
      ChartSeries mem{name, palette(i), SeriesStyle::kLine, {}, {}}, load{name, palette(i), SeriesStyle::kLine, {}, {}};
      for (const auto& s : proc.samples) {
        mem.points.emplace_back(seconds(s.t_ms), static_cast<double>(s.rss_bytes));
        load.points.emplace_back(seconds(s.t_ms), s.cpu_percent);
      }
      rss.series.push_back(std::move(mem));
      cpu.series.push_back(std::move(load));
    }
    cards += "<div class=\"card\">" + render_svg_chart(rss) + "</div>\n<div class=\"card\">" + render_svg_chart(cpu) +
             "</div>\n";
  }
  if (!p.postgres.empty()) {
    ChartSpec pg;
    pg.title = "PostgreSQL connections by state";
    pg.x_label = "time since start";
    pg.y_format = ValueFormat::kNumber;
    pg.bands = bands;
    ChartSeries active{"active", "#2563eb", SeriesStyle::kStackedArea, {}, {}},
        in_tx{"idle in transaction", "#d97706", SeriesStyle::kStackedArea, {}, {}},
        idle{"idle", "#94a3b8", SeriesStyle::kStackedArea, {}, {}},
        waiting{"waiting", "#dc2626", SeriesStyle::kLine, {}, {}};
    int64_t max_connections = 0;
    for (const auto& s : p.postgres) {
      const double t = seconds(s.t_ms);
      active.points.emplace_back(t, static_cast<double>(s.active));
      in_tx.points.emplace_back(t, static_cast<double>(s.idle_in_transaction));
      idle.points.emplace_back(t, static_cast<double>(s.idle));
      waiting.points.emplace_back(t, static_cast<double>(s.waiting));
      max_connections = std::max(max_connections, s.max_connections);
    }
    pg.series = {active, in_tx, idle, waiting};
    if (max_connections > 0) {
      pg.rules.push_back(
          {static_cast<double>(max_connections), "max_connections " + std::to_string(max_connections), "#b91c1c"});
    }
    cards += "<div class=\"card\">" + render_svg_chart(pg) + "</div>\n";
  }
  if (cards.empty()) return;
  out += "<h2 id=\"resources\">Server and database</h2>\n<div class=\"grid\">" + cards + "</div>\n";
}

// Flow timings (time to first event, completion) share the spectrum grid with the endpoints.
std::string metric_spectra(const RunResult& r) {
  std::string cards;
  for (const auto& e : r.endpoints) {
    ChartSpec spec;
    spec.title = e.name + " - flow timings by percentile";
    spec.x_scale = XScale::kPercentileLog;
    spec.x_label = "percentile";
    spec.y_format = ValueFormat::kDurationUs;
    size_t color = 0;
    for (const auto& [name, metric] : e.metrics) {
      if (metric.unit != "us" || metric.histogram.empty()) continue;
      spec.series.push_back({name, palette(color++), SeriesStyle::kLine, spectrum(metric.histogram), {}});
    }
    if (!spec.series.empty()) cards += "<div class=\"card\">" + render_svg_chart(spec) + "</div>\n";
  }
  return cards;
}

}  // namespace

std::vector<ChartBand> phase_bands(const RunResult& result) {
  std::vector<ChartBand> bands;
  for (const auto& p : result.phases) {
    bands.push_back({seconds(p.start_ms), seconds(p.end_ms), p.excluded ? p.name + " (excluded)" : p.name, p.excluded});
  }
  return bands;
}

namespace {

// The knee chart of a limit search: each step's percentiles and achieved rate against its offered
// rate. Steps ran in search order (up, then bisecting); sorted by rate the lines show the knee.
void append_knee(const RunResult& r, std::string& out) {
  if (!r.limit_search || r.limit_search->steps.empty()) return;
  const LimitSearch& s = *r.limit_search;
  std::vector<const LimitStep*> steps;
  for (const auto& st : s.steps) steps.push_back(&st);
  std::stable_sort(steps.begin(), steps.end(),
                   [](const LimitStep* a, const LimitStep* b) { return a->offered_rps < b->offered_rps; });
  ChartSpec latency;
  latency.title = "Latency vs offered rate";
  latency.x_label = "offered requests/s";
  latency.x_format = ValueFormat::kRate;
  latency.y_format = ValueFormat::kDurationUs;
  ChartSeries p50{"p50", kP50, SeriesStyle::kLine, {}, {}}, p95{"p95", kP95, SeriesStyle::kLine, {}, {}},
      p99{"p99", kP99, SeriesStyle::kLine, {}, {}};
  ChartSpec rate;
  rate.title = "Throughput vs offered rate";
  rate.x_label = "offered requests/s";
  rate.x_format = ValueFormat::kRate;
  rate.y_format = ValueFormat::kRate;
  ChartSeries achieved{"achieved/s", kP50, SeriesStyle::kLine, {}, {}},
      offered{"offered/s", "#64748b", SeriesStyle::kDashed, {}, {}};
  for (size_t i = 0; i < steps.size(); ++i) {
    const LimitStep& st = *steps[i];
    if (st.verdict == "bad") {
      p95.marked.push_back(p95.points.size());
      achieved.marked.push_back(achieved.points.size());
    }
    if (!st.latency.empty()) {
      p50.points.emplace_back(st.offered_rps, static_cast<double>(st.latency.value_at_percentile(50)));
      p95.points.emplace_back(st.offered_rps, static_cast<double>(st.latency.value_at_percentile(95)));
      p99.points.emplace_back(st.offered_rps, static_cast<double>(st.latency.value_at_percentile(99)));
    }
    achieved.points.emplace_back(st.offered_rps, st.achieved_rps);
    offered.points.emplace_back(st.offered_rps, st.offered_rps);
  }
  for (auto* series : {&p50, &p95, &p99, &achieved}) series->markers = PointMarkers::kVisible;
  latency.series = {p50, p95, p99};
  rate.series = {achieved, offered};
  if (s.max_sustainable_rps) {
    latency.bands.push_back({0, *s.max_sustainable_rps, "within the SLO", false});
    rate.bands.push_back({0, *s.max_sustainable_rps, "within the SLO", false});
  }
  std::string verdict = "search verdict <b>" + escape_html(s.verdict) + "</b>: " + escape_html(s.note);
  if (s.max_sustainable_rps)
    verdict += "; max_sustainable_rps " + escape_html(format_axis_value(*s.max_sustainable_rps, ValueFormat::kRate));
  out += "<h2 id=\"limit\">Limit search</h2>\n<div class=\"sub\">SLO \"" + escape_html(s.slo) + "\"; " + verdict +
         ". Marked points broke the SLO.</div>\n<div class=\"grid\">";
  card(out, latency);
  card(out, rate);
  out += "</div>\n";
}

// Per spike phase: the error share during it and the recovery after it, beside the timeline below.
void append_spikes(const RunResult& r, std::string& out) {
  if (r.spikes.empty()) return;
  out +=
      "<h2 id=\"spikes\">Spikes</h2>\n<table><tr><th>phase</th><th>errors during</th><th>recovery: p95 back "
      "under</th><th>verdict</th></tr>\n";
  for (const auto& s : r.spikes) {
    char errors[96];
    std::snprintf(errors, sizeof errors, "%.1f%% (%lld of %lld)", s.error_share * 100, static_cast<long long>(s.errors),
                  static_cast<long long>(s.requests));
    char recovery[96];
    if (s.recovery_s)
      std::snprintf(recovery, sizeof recovery, "%.1f s", *s.recovery_s);
    else
      std::snprintf(recovery, sizeof recovery, "not within %.1f s", s.observed_after_s);
    const std::string limit =
        format_duration_us(s.p95_limit_us) + (s.limit_source == "baseline" ? " (2 x the p95 before)" : "");
    out += "<tr><td>" + escape_html(s.phase) + "</td><td>" + errors + "</td><td>" + recovery + " (" +
           escape_html(limit) + ")</td><td>" + escape_html(s.verdict) + "</td></tr>\n";
  }
  out += "</table>\n";
}

}  // namespace

void append_charts(const ReportInputs& inputs, std::string& out) {
  append_knee(*inputs.result, out);
  append_spikes(*inputs.result, out);
  append_spectra(inputs, out);
  append_timeline(*inputs.result, out);
  append_profile(*inputs.result, out);
}

}  // namespace perfgate::reports_detail
