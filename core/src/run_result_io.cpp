// Writing results as JSON (docs/results.md); reading them is run_result_read.cpp.
#include "core/run_result_io.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/files.h"

namespace perfgate {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

ordered_json summary_json(const Histogram& h) {
  const LatencySummary s = LatencySummary::of(h);
  return ordered_json{{"p50", s.p50}, {"p90", s.p90},   {"p95", s.p95}, {"p99", s.p99},    {"p999", s.p999},
                      {"max", s.max}, {"mean", s.mean}, {"min", s.min}, {"count", s.count}};
}

ordered_json interval_json(const IntervalStats& i) {
  ordered_json j{{"t_ms", i.t_ms},
                 {"duration_ms", i.duration_ms},
                 {"requests", i.requests},
                 {"errors", i.errors},
                 {"sent", i.sent},
                 {"p50_us", i.p50_us},
                 {"p90_us", i.p90_us},
                 {"p95_us", i.p95_us},
                 {"p99_us", i.p99_us},
                 {"max_us", i.max_us},
                 {"schedule_lag_us", i.schedule_lag_us}};
  if (!i.histogram.empty()) j["histogram"] = i.histogram;
  return j;
}

ordered_json endpoint_json(const EndpointStats& e) {
  ordered_json errors{{"total", e.errors.total}};
  for (const auto& [k, v] : e.errors.by_category) errors[k] = v;
  ordered_json j{
      {"name", e.name},
      {"kind", endpoint_kind_name(e.kind)},
      {"requests", e.requests},
      {"errors", errors},
      {"error_rate", e.requests > 0 ? static_cast<double>(e.errors.total) / static_cast<double>(e.requests) : 0.0},
      {"latency_us", summary_json(e.latency)},
      {"service_time_us", summary_json(e.service_time)},
      {"status_codes", e.status_codes}};
  ordered_json metrics = ordered_json::object();
  for (const auto& [name, m] : e.metrics) {
    ordered_json mj = summary_json(m.histogram);
    mj["unit"] = m.unit;
    mj["histogram"] = m.histogram.to_base64();
    metrics[name] = mj;
  }
  j["metrics"] = metrics;
  j["tallies"] = e.tallies;
  j["histograms"] = ordered_json{{"latency", e.latency.to_base64()}, {"service_time", e.service_time.to_base64()}};
  ordered_json timeline = ordered_json::array();
  for (const auto& i : e.timeline) timeline.push_back(interval_json(i));
  j["timeline"] = timeline;
  return j;
}

ordered_json summary_profile_json(const ProfileSummary& s) {
  return ordered_json{{"peak_rss_bytes", s.peak_rss_bytes},
                      {"mean_cpu_percent", s.mean_cpu_percent},
                      {"cpu_us_per_request", s.cpu_us_per_request},
                      {"peak_pg_connections", s.peak_pg_connections},
                      {"max_connections", s.max_connections},
                      {"rss_slope_mb_per_hour", s.rss_slope_mb_per_hour},
                      {"rss_slope_ci_mb_per_hour", s.rss_slope_ci_mb_per_hour},
                      {"samples", s.samples}};
}

ordered_json profile_json(const Profile& p) {
  ordered_json processes = ordered_json::array();
  for (const auto& t : p.processes) {
    ordered_json samples = ordered_json::array();
    for (const auto& s : t.samples) {
      samples.push_back(ordered_json{{"t_ms", s.t_ms},
                                     {"rss_bytes", s.rss_bytes},
                                     {"pss_bytes", s.pss_bytes},
                                     {"cpu_percent", s.cpu_percent},
                                     {"cpu_user_percent", s.cpu_user_percent},
                                     {"cpu_system_percent", s.cpu_system_percent},
                                     {"threads", s.threads},
                                     {"open_fds", s.open_fds},
                                     {"ctx_switches", s.ctx_switches}});
    }
    processes.push_back(ordered_json{{"pid", t.pid},
                                     {"command", t.command},
                                     {"exited", t.exited},
                                     {"exited_at_ms", t.exited_at_ms},
                                     {"samples", samples}});
  }
  ordered_json pg = ordered_json::array();
  for (const auto& s : p.postgres) {
    pg.push_back(ordered_json{{"t_ms", s.t_ms},
                              {"active", s.active},
                              {"idle", s.idle},
                              {"idle_in_transaction", s.idle_in_transaction},
                              {"waiting", s.waiting},
                              {"total", s.total},
                              {"max_connections", s.max_connections},
                              {"xact_commit", s.xact_commit},
                              {"xact_rollback", s.xact_rollback},
                              {"blks_read", s.blks_read},
                              {"blks_hit", s.blks_hit},
                              {"temp_bytes", s.temp_bytes},
                              {"deadlocks", s.deadlocks}});
  }
  ordered_json phases = ordered_json::object();
  for (const auto& [name, s] : p.phases) phases[name] = summary_profile_json(s);
  return ordered_json{{"interval_ms", p.interval_ms},
                      {"summary", summary_profile_json(p.summary)},
                      {"phases", phases},
                      {"notes", p.notes},
                      {"processes", processes},
                      {"postgres", pg}};
}

ordered_json generator_json(const GeneratorHealth& g) {
  ordered_json j{{"saturated", g.saturated},
                 {"max_schedule_lag_us", g.max_schedule_lag_us},
                 {"mean_schedule_lag_us", g.mean_schedule_lag_us},
                 {"requests_behind", g.requests_behind},
                 {"cpu_percent", g.cpu_percent},
                 {"io_wait_percent", g.io_wait_percent},
                 {"note", g.note},
                 {"cause", g.cause}};
  if (g.rss_idle_bytes >= 0) j["rss_idle_bytes"] = g.rss_idle_bytes;
  if (g.rss_peak_bytes >= 0) j["rss_peak_bytes"] = g.rss_peak_bytes;
  if (g.peak_open_streams > 0) {
    j["peak_open_streams"] = g.peak_open_streams;
    if (auto per = g.rss_per_stream_bytes()) j["rss_per_stream_bytes"] = std::llround(*per);
  }
  return j;
}

ordered_json merge_json(const MergeInfo& m) {
  ordered_json shards = ordered_json::array();
  for (const auto& s : m.shards) {
    shards.push_back(ordered_json{{"segment", s.segment.to_string()},
                                  {"file", s.file},
                                  {"status", run_status_name(s.status)},
                                  {"host", s.host},
                                  {"start_unix_ms", s.start_unix_ms},
                                  {"requests", s.requests},
                                  {"achieved_rps", s.achieved_rps},
                                  {"generator", generator_json(s.generator)}});
  }
  return ordered_json{{"segment_count", m.segment_count},
                      {"missing_segments", m.missing_segments},
                      {"partial_segments", m.partial_segments},
                      {"start_skew_ms", m.start_skew_ms},
                      {"shards", shards}};
}

ordered_json optional_number(const std::optional<double>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); }

ordered_json spikes_json(const std::vector<SpikeVerdict>& spikes) {
  ordered_json out = ordered_json::array();
  for (const auto& s : spikes) {
    out.push_back(ordered_json{{"phase", s.phase},
                               {"p95_limit_us", s.p95_limit_us},
                               {"limit_source", s.limit_source},
                               {"requests", s.requests},
                               {"errors", s.errors},
                               {"error_share", s.error_share},
                               {"recovery_s", optional_number(s.recovery_s)},
                               {"observed_after_s", s.observed_after_s},
                               {"verdict", s.verdict}});
  }
  return out;
}

ordered_json telemetry_json(const TelemetryInfo& t) {
  return ordered_json{{"run_id", t.run_id},
                      {"metrics_listen", t.metrics_listen},
                      {"metrics_file", t.metrics_file},
                      {"metrics_file_error", t.metrics_file_error},
                      {"otlp_endpoint", t.otlp_endpoint},
                      {"otlp_pushes", t.otlp_pushes},
                      {"otlp_failed_pushes", t.otlp_failed_pushes},
                      {"otlp_last_error", t.otlp_last_error}};
}

ordered_json limit_search_json(const LimitSearch& s) {
  ordered_json steps = ordered_json::array();
  for (const auto& st : s.steps) {
    steps.push_back(ordered_json{{"offered_rps", st.offered_rps},
                                 {"achieved_rps", st.achieved_rps},
                                 {"duration_s", st.duration_s},
                                 {"verdict", st.verdict},
                                 {"broken", st.broken},
                                 {"messages", st.messages},
                                 {"requests", st.requests},
                                 {"errors", st.errors},
                                 {"latency_us", summary_json(st.latency)},
                                 {"histogram", st.latency.to_base64()},
                                 {"generator", generator_json(st.generator)}});
  }
  return ordered_json{{"slo", s.slo},
                      {"verdict", s.verdict},
                      {"max_sustainable_rps", optional_number(s.max_sustainable_rps)},
                      {"first_failing_rps", optional_number(s.first_failing_rps)},
                      {"broken_first", s.broken_first},
                      {"note", s.note},
                      {"precision", s.precision},
                      {"warm_up_s", s.warm_up_s},
                      {"hold_s", s.hold_s},
                      {"steps", steps}};
}

}  // namespace

std::string run_result_to_json(const RunResult& r) {
  ordered_json j;
  j["schema_version"] = r.schema_version;
  j["context"] = ordered_json{{"tool_version", r.context.tool_version},
                              {"build_type", r.context.build_type},
                              {"host", r.context.host},
                              {"cpu_count", r.context.cpu_count},
                              {"load_average_1m", r.context.load_average_1m},
                              {"start_time", r.context.start_time},
                              {"scenario_name", r.context.scenario_name},
                              {"scenario_hash", r.context.scenario_hash},
                              {"workload_hash", r.context.workload_hash},
                              {"target", r.context.target},
                              {"command_line", r.context.command_line}};
  j["status"] = run_status_name(r.status);
  j["partial"] = r.partial;
  j["model"] = r.model == LoadModel::kOpen ? "open" : "closed";
  j["target_rps"] = r.target_rps ? ordered_json(*r.target_rps) : ordered_json(nullptr);
  j["achieved_rps"] = r.achieved_rps;
  j["duration_s"] = r.duration_s;
  j["generator"] = generator_json(r.generator);
  ordered_json phases = ordered_json::array();
  for (const auto& p : r.phases) {
    phases.push_back(ordered_json{{"name", p.name},
                                  {"start_ms", p.start_ms},
                                  {"end_ms", p.end_ms},
                                  {"target_rps_start", p.target_rps_start},
                                  {"target_rps_end", p.target_rps_end},
                                  {"vus_start", p.vus_start},
                                  {"vus_end", p.vus_end},
                                  {"excluded", p.excluded}});
  }
  j["phases"] = phases;
  ordered_json endpoints = ordered_json::array();
  for (const auto& e : r.endpoints) endpoints.push_back(endpoint_json(e));
  j["endpoints"] = endpoints;
  ordered_json phase_stats = ordered_json::array();
  for (const auto& ps : r.phase_stats) {
    ordered_json eps = ordered_json::array();
    for (const auto& e : ps.endpoints) eps.push_back(endpoint_json(e));
    phase_stats.push_back(ordered_json{{"phase", ps.phase}, {"endpoints", eps}});
  }
  j["phase_stats"] = phase_stats;
  ordered_json timeline = ordered_json::array();
  for (const auto& i : r.timeline) timeline.push_back(interval_json(i));
  j["timeline"] = timeline;
  j["profile"] = r.profile ? profile_json(*r.profile) : ordered_json(nullptr);
  j["labels"] = r.labels;
  j["start_unix_ms"] = r.start_unix_ms;
  j["segment"] = r.segment ? ordered_json(r.segment->to_string()) : ordered_json(nullptr);
  j["merge"] = r.merge ? merge_json(*r.merge) : ordered_json(nullptr);
  j["limit_search"] = r.limit_search ? limit_search_json(*r.limit_search) : ordered_json(nullptr);
  if (!r.spikes.empty()) j["spikes"] = spikes_json(r.spikes);
  // Written only when asked for, so results of runs without live metrics keep their layout.
  if (r.telemetry) j["telemetry"] = telemetry_json(*r.telemetry);
  return j.dump(2) + "\n";
}

Status write_run_result(const RunResult& result, const std::string& path) {
  return write_file_atomically(path, run_result_to_json(result));
}

}  // namespace perfgate
