// Reading results from JSON: every field checked, errors naming file, line and field
// (docs/results.md); writing them is run_result_io.cpp.
#include "core/files.h"
#include "core/json_reader.h"
#include "core/run_result_io.h"

namespace perfgate {
namespace {

using nlohmann::json;

using json_reader::FieldError;
using json_reader::get;
using json_reader::get_or;
using json_reader::member;

Histogram histogram_field(const json& j, const std::string& at, const std::string& key) {
  const auto text = get<std::string>(j, at, key);
  auto h = Histogram::from_base64(text);
  if (!h) throw FieldError{at + "/" + key, h.error().message};
  return std::move(h).value();
}

IntervalStats read_interval(const json& j, const std::string& at) {
  IntervalStats i;
  i.t_ms = get<int64_t>(j, at, "t_ms");
  i.duration_ms = get_or<int64_t>(j, at, "duration_ms", 1000);
  i.requests = get<int64_t>(j, at, "requests");
  i.errors = get_or<int64_t>(j, at, "errors", 0);
  i.sent = get_or<int64_t>(j, at, "sent", 0);
  i.p50_us = get_or<double>(j, at, "p50_us", 0);
  i.p90_us = get_or<double>(j, at, "p90_us", 0);
  i.p95_us = get_or<double>(j, at, "p95_us", 0);
  i.p99_us = get_or<double>(j, at, "p99_us", 0);
  i.max_us = get_or<double>(j, at, "max_us", 0);
  i.schedule_lag_us = get_or<double>(j, at, "schedule_lag_us", 0);
  // Decoded only where used (perfgate export --hlog, merge): a long run holds thousands of them.
  i.histogram = get_or<std::string>(j, at, "histogram", "");
  return i;
}

std::vector<IntervalStats> read_timeline(const json& j, const std::string& at) {
  std::vector<IntervalStats> out;
  if (!j.is_array()) throw FieldError{at, "expected an array"};
  for (size_t i = 0; i < j.size(); ++i) out.push_back(read_interval(j[i], at + "/" + std::to_string(i)));
  return out;
}

EndpointStats read_endpoint(const json& j, const std::string& at) {
  EndpointStats e;
  e.name = get<std::string>(j, at, "name");
  const auto kind = get_or<std::string>(j, at, "kind", "request");
  const auto known_kind = endpoint_kind_from_name(kind);
  if (!known_kind) throw FieldError{at + "/kind", "must be \"request\", \"flow\" or \"step\" (got \"" + kind + "\")"};
  e.kind = *known_kind;
  e.requests = get<int64_t>(j, at, "requests");
  if (e.requests < 0) throw FieldError{at + "/requests", "must be >= 0"};
  const json& errors = member(j, at, "errors");
  if (!errors.is_object()) throw FieldError{at + "/errors", "expected an object"};
  for (const auto& [k, v] : errors.items()) {
    if (!v.is_number_integer()) throw FieldError{json_reader::child(at + "/errors", k), "expected an integer"};
    if (k == "total")
      e.errors.total = v.get<int64_t>();
    else
      e.errors.by_category[k] = v.get<int64_t>();
  }
  const std::string hat = at + "/histograms";
  const json& hist = member(j, at, "histograms");
  e.latency = histogram_field(hist, hat, "latency");
  e.service_time = histogram_field(hist, hat, "service_time");
  if (j.contains("metrics")) {
    for (const auto& [name, m] : j["metrics"].items()) {
      const std::string mat = json_reader::child(at + "/metrics", name);
      e.metrics[name] = NamedMetric{get_or<std::string>(m, mat, "unit", ""), histogram_field(m, mat, "histogram")};
    }
  }
  if (j.contains("tallies")) {
    try {
      e.tallies = j["tallies"].get<std::map<std::string, Tally>>();
    } catch (const json::exception&) {
      throw FieldError{at + "/tallies", "expected {name: {value: count}}"};
    }
  }
  if (j.contains("status_codes")) e.status_codes = get<std::map<std::string, int64_t>>(j, at, "status_codes");
  if (j.contains("timeline")) e.timeline = read_timeline(j["timeline"], at + "/timeline");
  return e;
}

std::vector<EndpointStats> read_endpoints(const json& j, const std::string& at) {
  if (!j.is_array()) throw FieldError{at, "expected an array"};
  std::vector<EndpointStats> out;
  for (size_t i = 0; i < j.size(); ++i) out.push_back(read_endpoint(j[i], at + "/" + std::to_string(i)));
  return out;
}

ProfileSummary read_profile_summary(const json& j, const std::string& at) {
  ProfileSummary s;
  s.peak_rss_bytes = get_or<int64_t>(j, at, "peak_rss_bytes", 0);
  s.mean_cpu_percent = get_or<double>(j, at, "mean_cpu_percent", 0);
  s.cpu_us_per_request = get_or<double>(j, at, "cpu_us_per_request", 0);
  s.peak_pg_connections = get_or<int64_t>(j, at, "peak_pg_connections", 0);
  s.max_connections = get_or<int64_t>(j, at, "max_connections", 0);
  s.rss_slope_mb_per_hour = get_or<double>(j, at, "rss_slope_mb_per_hour", 0);
  s.rss_slope_ci_mb_per_hour = get_or<double>(j, at, "rss_slope_ci_mb_per_hour", 0);
  s.samples = get_or<int64_t>(j, at, "samples", 0);
  return s;
}

Profile read_profile(const json& j, const std::string& at) {
  Profile p;
  p.interval_ms = get_or<int64_t>(j, at, "interval_ms", 0);
  if (j.contains("summary")) p.summary = read_profile_summary(j["summary"], at + "/summary");
  if (j.contains("phases")) {
    for (const auto& [name, s] : j["phases"].items())
      p.phases[name] = read_profile_summary(s, json_reader::child(at + "/phases", name));
  }
  p.notes = get_or<std::vector<std::string>>(j, at, "notes", {});
  if (j.contains("processes")) {
    const json& procs = j["processes"];
    for (size_t i = 0; i < procs.size(); ++i) {
      const std::string pat = at + "/processes/" + std::to_string(i);
      ProcessTimeline t;
      t.pid = get<int64_t>(procs[i], pat, "pid");
      t.command = get_or<std::string>(procs[i], pat, "command", "");
      t.exited = get_or<bool>(procs[i], pat, "exited", false);
      t.exited_at_ms = get_or<int64_t>(procs[i], pat, "exited_at_ms", -1);
      const json& samples = member(procs[i], pat, "samples");
      for (size_t k = 0; k < samples.size(); ++k) {
        const std::string sat = pat + "/samples/" + std::to_string(k);
        const json& s = samples[k];
        ProcessSample ps;
        ps.t_ms = get<int64_t>(s, sat, "t_ms");
        ps.rss_bytes = get<int64_t>(s, sat, "rss_bytes");
        ps.pss_bytes = get_or<int64_t>(s, sat, "pss_bytes", -1);
        ps.cpu_percent = get_or<double>(s, sat, "cpu_percent", 0);
        ps.cpu_user_percent = get_or<double>(s, sat, "cpu_user_percent", 0);
        ps.cpu_system_percent = get_or<double>(s, sat, "cpu_system_percent", 0);
        ps.threads = get_or<int64_t>(s, sat, "threads", 0);
        ps.open_fds = get_or<int64_t>(s, sat, "open_fds", -1);
        ps.ctx_switches = get_or<int64_t>(s, sat, "ctx_switches", 0);
        t.samples.push_back(ps);
      }
      p.processes.push_back(std::move(t));
    }
  }
  if (j.contains("postgres")) {
    const json& pg = j["postgres"];
    for (size_t i = 0; i < pg.size(); ++i) {
      const std::string sat = at + "/postgres/" + std::to_string(i);
      const json& s = pg[i];
      PgSample ps;
      ps.t_ms = get<int64_t>(s, sat, "t_ms");
      ps.active = get_or<int64_t>(s, sat, "active", 0);
      ps.idle = get_or<int64_t>(s, sat, "idle", 0);
      ps.idle_in_transaction = get_or<int64_t>(s, sat, "idle_in_transaction", 0);
      ps.waiting = get_or<int64_t>(s, sat, "waiting", 0);
      ps.total = get_or<int64_t>(s, sat, "total", 0);
      ps.max_connections = get_or<int64_t>(s, sat, "max_connections", 0);
      ps.xact_commit = get_or<int64_t>(s, sat, "xact_commit", 0);
      ps.xact_rollback = get_or<int64_t>(s, sat, "xact_rollback", 0);
      ps.blks_read = get_or<int64_t>(s, sat, "blks_read", 0);
      ps.blks_hit = get_or<int64_t>(s, sat, "blks_hit", 0);
      ps.temp_bytes = get_or<int64_t>(s, sat, "temp_bytes", 0);
      ps.deadlocks = get_or<int64_t>(s, sat, "deadlocks", 0);
      p.postgres.push_back(ps);
    }
  }
  return p;
}

GeneratorHealth read_generator(const json& g, const std::string& at) {
  GeneratorHealth h;
  h.saturated = get_or<bool>(g, at, "saturated", false);
  h.max_schedule_lag_us = get_or<double>(g, at, "max_schedule_lag_us", 0);
  h.mean_schedule_lag_us = get_or<double>(g, at, "mean_schedule_lag_us", 0);
  h.requests_behind = get_or<int64_t>(g, at, "requests_behind", 0);
  h.cpu_percent = get_or<double>(g, at, "cpu_percent", 0);
  h.io_wait_percent = get_or<double>(g, at, "io_wait_percent", -1);
  h.note = get_or<std::string>(g, at, "note", "");
  h.cause = get_or<std::string>(g, at, "cause", "");
  h.rss_idle_bytes = get_or<int64_t>(g, at, "rss_idle_bytes", -1);
  h.rss_peak_bytes = get_or<int64_t>(g, at, "rss_peak_bytes", -1);
  h.peak_open_streams = get_or<int64_t>(g, at, "peak_open_streams", 0);
  return h;
}

Segment read_segment(const json& j, const std::string& at) {
  if (!j.is_string()) throw FieldError{at, "expected \"K/N\" (a string)"};
  auto s = parse_segment(j.get<std::string>());
  if (!s) throw FieldError{at, s.error().message};
  return *s;
}

std::vector<int> read_segment_numbers(const json& j, const std::string& at, const std::string& key) {
  std::vector<int> out;
  if (!j.contains(key)) return out;
  const json& list = j[key];
  if (!list.is_array()) throw FieldError{at + "/" + key, "expected an array of segment numbers"};
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_number_integer())
      throw FieldError{json_reader::child(json_reader::child(at, key), i), "expected an integer"};
    out.push_back(list[i].get<int>());
  }
  return out;
}

std::optional<double> read_optional_number(const json& j, const std::string& at, const std::string& key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return get<double>(j, at, key);
}

TelemetryInfo read_telemetry(const json& j, const std::string& at) {
  if (!j.is_object()) throw FieldError{at, "expected an object"};
  TelemetryInfo t;
  t.run_id = get_or<std::string>(j, at, "run_id", "");
  t.metrics_listen = get_or<std::string>(j, at, "metrics_listen", "");
  t.metrics_file = get_or<std::string>(j, at, "metrics_file", "");
  t.metrics_file_error = get_or<std::string>(j, at, "metrics_file_error", "");
  t.otlp_endpoint = get_or<std::string>(j, at, "otlp_endpoint", "");
  t.otlp_pushes = get_or<int64_t>(j, at, "otlp_pushes", 0);
  t.otlp_failed_pushes = get_or<int64_t>(j, at, "otlp_failed_pushes", 0);
  t.otlp_last_error = get_or<std::string>(j, at, "otlp_last_error", "");
  return t;
}

std::vector<SpikeVerdict> read_spikes(const json& j, const std::string& at) {
  json_reader::expect_array(j, at);
  std::vector<SpikeVerdict> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string sat = json_reader::child(at, i);
    SpikeVerdict s;
    s.phase = get<std::string>(j[i], sat, "phase");
    s.p95_limit_us = get_or<double>(j[i], sat, "p95_limit_us", 0);
    s.limit_source = get_or<std::string>(j[i], sat, "limit_source", "");
    s.requests = get_or<int64_t>(j[i], sat, "requests", 0);
    s.errors = get_or<int64_t>(j[i], sat, "errors", 0);
    s.error_share = get_or<double>(j[i], sat, "error_share", 0);
    s.recovery_s = read_optional_number(j[i], sat, "recovery_s");
    s.observed_after_s = get_or<double>(j[i], sat, "observed_after_s", 0);
    s.verdict = get<std::string>(j[i], sat, "verdict");
    out.push_back(std::move(s));
  }
  return out;
}

LimitSearch read_limit_search(const json& j, const std::string& at) {
  LimitSearch s;
  s.slo = get<std::string>(j, at, "slo");
  s.verdict = get<std::string>(j, at, "verdict");
  s.max_sustainable_rps = read_optional_number(j, at, "max_sustainable_rps");
  s.first_failing_rps = read_optional_number(j, at, "first_failing_rps");
  s.broken_first = get_or<std::string>(j, at, "broken_first", "");
  s.note = get_or<std::string>(j, at, "note", "");
  s.precision = get_or<double>(j, at, "precision", 0.05);
  s.warm_up_s = get_or<double>(j, at, "warm_up_s", 0);
  s.hold_s = get_or<double>(j, at, "hold_s", 0);
  const json& steps = member(j, at, "steps");
  if (!steps.is_array()) throw FieldError{at + "/steps", "expected an array"};
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string sat = at + "/steps/" + std::to_string(i);
    LimitStep st;
    st.offered_rps = get<double>(steps[i], sat, "offered_rps");
    st.achieved_rps = get_or<double>(steps[i], sat, "achieved_rps", 0);
    st.duration_s = get_or<double>(steps[i], sat, "duration_s", 0);
    st.verdict = get<std::string>(steps[i], sat, "verdict");
    st.broken = get_or<std::vector<std::string>>(steps[i], sat, "broken", {});
    st.messages = get_or<std::vector<std::string>>(steps[i], sat, "messages", {});
    st.requests = get_or<int64_t>(steps[i], sat, "requests", 0);
    st.errors = get_or<int64_t>(steps[i], sat, "errors", 0);
    st.latency = histogram_field(steps[i], sat, "histogram");
    if (steps[i].contains("generator")) st.generator = read_generator(steps[i]["generator"], sat + "/generator");
    s.steps.push_back(std::move(st));
  }
  return s;
}

// A missing status is `fallback` (results written before the field existed).
RunStatus read_status(const json& j, const std::string& at, RunStatus fallback) {
  const auto text = get_or<std::string>(j, at, "status", std::string(run_status_name(fallback)));
  const auto status = run_status_from_name(text);
  if (!status)
    throw FieldError{at + "/status", "must be \"complete\", \"partial\" or \"failed\" (got \"" + text + "\")"};
  return *status;
}

MergeInfo read_merge(const json& j, const std::string& at) {
  MergeInfo m;
  m.segment_count = get<int>(j, at, "segment_count");
  m.missing_segments = read_segment_numbers(j, at, "missing_segments");
  m.partial_segments = read_segment_numbers(j, at, "partial_segments");
  m.start_skew_ms = get_or<int64_t>(j, at, "start_skew_ms", 0);
  const json& shards = member(j, at, "shards");
  if (!shards.is_array()) throw FieldError{at + "/shards", "expected an array"};
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string sat = at + "/shards/" + std::to_string(i);
    ShardSummary s;
    s.segment = read_segment(member(shards[i], sat, "segment"), sat + "/segment");
    s.file = get_or<std::string>(shards[i], sat, "file", "");
    s.status = read_status(shards[i], sat, RunStatus::kComplete);
    s.host = get_or<std::string>(shards[i], sat, "host", "");
    s.start_unix_ms = get_or<int64_t>(shards[i], sat, "start_unix_ms", 0);
    s.requests = get_or<int64_t>(shards[i], sat, "requests", 0);
    s.achieved_rps = get_or<double>(shards[i], sat, "achieved_rps", 0);
    if (shards[i].contains("generator")) s.generator = read_generator(shards[i]["generator"], sat + "/generator");
    m.shards.push_back(std::move(s));
  }
  return m;
}

RunResult read_result(const json& j) {
  RunResult r;
  if (!j.is_object()) throw FieldError{"", "expected a JSON object (a perfgate result)"};
  r.schema_version = get<int>(j, "", "schema_version");
  if (r.schema_version != kResultSchemaVersion) {
    throw FieldError{"/schema_version", "unsupported schema_version " + std::to_string(r.schema_version) +
                                            " (this perfgate reads version " + std::to_string(kResultSchemaVersion) +
                                            "; re-run with a matching perfgate)"};
  }
  const json& c = member(j, "", "context");
  r.context.tool_version = get_or<std::string>(c, "/context", "tool_version", "");
  r.context.build_type = get_or<std::string>(c, "/context", "build_type", "");
  r.context.host = get_or<std::string>(c, "/context", "host", "");
  r.context.cpu_count = get_or<int>(c, "/context", "cpu_count", 0);
  r.context.load_average_1m = get_or<double>(c, "/context", "load_average_1m", 0);
  r.context.start_time = get_or<std::string>(c, "/context", "start_time", "");
  r.context.scenario_name = get_or<std::string>(c, "/context", "scenario_name", "");
  r.context.scenario_hash = get_or<std::string>(c, "/context", "scenario_hash", "");
  r.context.workload_hash = get_or<std::string>(c, "/context", "workload_hash", "");
  r.context.target = get_or<std::string>(c, "/context", "target", "");
  r.context.command_line = get_or<std::string>(c, "/context", "command_line", "");
  const auto model = get<std::string>(j, "", "model");
  if (model != "open" && model != "closed")
    throw FieldError{"/model", "must be \"open\" or \"closed\" (got \"" + model + "\")"};
  r.model = model == "open" ? LoadModel::kOpen : LoadModel::kClosed;
  if (j.contains("target_rps") && !j["target_rps"].is_null()) r.target_rps = get<double>(j, "", "target_rps");
  r.achieved_rps = get<double>(j, "", "achieved_rps");
  r.duration_s = get_or<double>(j, "", "duration_s", 0);
  r.partial = get_or<bool>(j, "", "partial", false);
  r.status = read_status(j, "", r.partial ? RunStatus::kPartial : RunStatus::kComplete);
  if (j.contains("generator")) r.generator = read_generator(j["generator"], "/generator");
  if (j.contains("phases")) {
    const json& ph = j["phases"];
    for (size_t i = 0; i < ph.size(); ++i) {
      const std::string at = "/phases/" + std::to_string(i);
      PhaseInfo p;
      p.name = get<std::string>(ph[i], at, "name");
      p.start_ms = get<int64_t>(ph[i], at, "start_ms");
      p.end_ms = get<int64_t>(ph[i], at, "end_ms");
      p.target_rps_start = get_or<double>(ph[i], at, "target_rps_start", 0);
      p.target_rps_end = get_or<double>(ph[i], at, "target_rps_end", 0);
      p.vus_start = get_or<int64_t>(ph[i], at, "vus_start", 0);
      p.vus_end = get_or<int64_t>(ph[i], at, "vus_end", 0);
      p.excluded = get_or<bool>(ph[i], at, "excluded", false);
      r.phases.push_back(p);
    }
  }
  r.endpoints = read_endpoints(member(j, "", "endpoints"), "/endpoints");
  if (j.contains("phase_stats")) {
    const json& ps = j["phase_stats"];
    for (size_t i = 0; i < ps.size(); ++i) {
      const std::string at = "/phase_stats/" + std::to_string(i);
      PhaseStats s;
      s.phase = get<std::string>(ps[i], at, "phase");
      s.endpoints = read_endpoints(member(ps[i], at, "endpoints"), at + "/endpoints");
      r.phase_stats.push_back(std::move(s));
    }
  }
  if (j.contains("timeline")) r.timeline = read_timeline(j["timeline"], "/timeline");
  if (j.contains("profile") && !j["profile"].is_null()) r.profile = read_profile(j["profile"], "/profile");
  r.labels = get_or<std::map<std::string, std::string>>(j, "", "labels", {});
  r.start_unix_ms = get_or<int64_t>(j, "", "start_unix_ms", 0);
  if (j.contains("segment") && !j["segment"].is_null()) r.segment = read_segment(j["segment"], "/segment");
  if (j.contains("merge") && !j["merge"].is_null()) r.merge = read_merge(j["merge"], "/merge");
  if (j.contains("limit_search") && !j["limit_search"].is_null()) {
    r.limit_search = read_limit_search(j["limit_search"], "/limit_search");
  }
  if (j.contains("telemetry") && !j["telemetry"].is_null()) r.telemetry = read_telemetry(j["telemetry"], "/telemetry");
  if (j.contains("spikes") && !j["spikes"].is_null()) r.spikes = read_spikes(j["spikes"], "/spikes");
  return r;
}

}  // namespace

Result<RunResult> run_result_from_json(const std::string& text, const std::string& source_name) {
  return json_reader::read_document(text, source_name, "result", read_result);
}

Result<RunResult> read_run_result(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return run_result_from_json(*text, path);
}

}  // namespace perfgate
