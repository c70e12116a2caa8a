#include "core/run_result_io.h"

#include <nlohmann/json.hpp>

#include "core/files.h"
#include "core/json_locate.h"

namespace perfgate {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---- writing ----

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
      {"kind", e.kind},
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
  return ordered_json{{"saturated", g.saturated},
                      {"max_schedule_lag_us", g.max_schedule_lag_us},
                      {"mean_schedule_lag_us", g.mean_schedule_lag_us},
                      {"requests_behind", g.requests_behind},
                      {"cpu_percent", g.cpu_percent},
                      {"io_wait_percent", g.io_wait_percent},
                      {"note", g.note},
                      {"cause", g.cause}};
}

ordered_json merge_json(const MergeInfo& m) {
  ordered_json shards = ordered_json::array();
  for (const auto& s : m.shards) {
    shards.push_back(ordered_json{{"segment", s.segment.to_string()},
                                  {"file", s.file},
                                  {"status", s.status},
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

// ---- reading ----

// Reading throws this inside the adapter only; it becomes an Error with the field's position.
struct FieldError {
  std::string pointer;
  std::string message;
};

class Reader {
 public:
  // Returns the member `key` of `j` (at pointer `at`); a missing member is an error.
  static const json& member(const json& j, const std::string& at, const std::string& key) {
    if (!j.is_object()) throw FieldError{at, "expected an object"};
    const auto it = j.find(key);
    if (it == j.end()) throw FieldError{at + "/" + key, "missing field '" + key + "'"};
    return *it;
  }
  template <typename T>
  static T get(const json& j, const std::string& at, const std::string& key) {
    const json& v = member(j, at, key);
    try {
      return v.get<T>();
    } catch (const json::exception&) {
      throw FieldError{at + "/" + key, "has the wrong type (" + std::string(v.type_name()) + ")"};
    }
  }
  template <typename T>
  static T get_or(const json& j, const std::string& at, const std::string& key, T fallback) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
    return get<T>(j, at, key);
  }
  static Histogram histogram(const json& j, const std::string& at, const std::string& key) {
    const auto text = get<std::string>(j, at, key);
    auto h = Histogram::from_base64(text);
    if (!h) throw FieldError{at + "/" + key, h.error().message};
    return std::move(h).value();
  }
};

IntervalStats read_interval(const json& j, const std::string& at) {
  IntervalStats i;
  i.t_ms = Reader::get<int64_t>(j, at, "t_ms");
  i.duration_ms = Reader::get_or<int64_t>(j, at, "duration_ms", 1000);
  i.requests = Reader::get<int64_t>(j, at, "requests");
  i.errors = Reader::get_or<int64_t>(j, at, "errors", 0);
  i.sent = Reader::get_or<int64_t>(j, at, "sent", 0);
  i.p50_us = Reader::get_or<double>(j, at, "p50_us", 0);
  i.p90_us = Reader::get_or<double>(j, at, "p90_us", 0);
  i.p95_us = Reader::get_or<double>(j, at, "p95_us", 0);
  i.p99_us = Reader::get_or<double>(j, at, "p99_us", 0);
  i.max_us = Reader::get_or<double>(j, at, "max_us", 0);
  i.schedule_lag_us = Reader::get_or<double>(j, at, "schedule_lag_us", 0);
  // Decoded only where used (perfgate export --hlog, merge): a long run holds thousands of them.
  i.histogram = Reader::get_or<std::string>(j, at, "histogram", "");
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
  e.name = Reader::get<std::string>(j, at, "name");
  e.kind = Reader::get_or<std::string>(j, at, "kind", "request");
  e.requests = Reader::get<int64_t>(j, at, "requests");
  if (e.requests < 0) throw FieldError{at + "/requests", "must be >= 0"};
  const json& errors = Reader::member(j, at, "errors");
  if (!errors.is_object()) throw FieldError{at + "/errors", "expected an object"};
  for (const auto& [k, v] : errors.items()) {
    if (!v.is_number_integer()) throw FieldError{std::string(at).append("/errors/").append(k), "expected an integer"};
    if (k == "total")
      e.errors.total = v.get<int64_t>();
    else
      e.errors.by_category[k] = v.get<int64_t>();
  }
  const std::string hat = at + "/histograms";
  const json& hist = Reader::member(j, at, "histograms");
  e.latency = Reader::histogram(hist, hat, "latency");
  e.service_time = Reader::histogram(hist, hat, "service_time");
  if (j.contains("metrics")) {
    for (const auto& [name, m] : j["metrics"].items()) {
      const std::string mat = std::string(at).append("/metrics/").append(name);
      e.metrics[name] =
          NamedMetric{Reader::get_or<std::string>(m, mat, "unit", ""), Reader::histogram(m, mat, "histogram")};
    }
  }
  if (j.contains("tallies")) {
    try {
      e.tallies = j["tallies"].get<std::map<std::string, Tally>>();
    } catch (const json::exception&) {
      throw FieldError{at + "/tallies", "expected {name: {value: count}}"};
    }
  }
  if (j.contains("status_codes")) e.status_codes = Reader::get<std::map<std::string, int64_t>>(j, at, "status_codes");
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
  s.peak_rss_bytes = Reader::get_or<int64_t>(j, at, "peak_rss_bytes", 0);
  s.mean_cpu_percent = Reader::get_or<double>(j, at, "mean_cpu_percent", 0);
  s.cpu_us_per_request = Reader::get_or<double>(j, at, "cpu_us_per_request", 0);
  s.peak_pg_connections = Reader::get_or<int64_t>(j, at, "peak_pg_connections", 0);
  s.max_connections = Reader::get_or<int64_t>(j, at, "max_connections", 0);
  s.rss_slope_mb_per_hour = Reader::get_or<double>(j, at, "rss_slope_mb_per_hour", 0);
  s.rss_slope_ci_mb_per_hour = Reader::get_or<double>(j, at, "rss_slope_ci_mb_per_hour", 0);
  s.samples = Reader::get_or<int64_t>(j, at, "samples", 0);
  return s;
}

Profile read_profile(const json& j, const std::string& at) {
  Profile p;
  p.interval_ms = Reader::get_or<int64_t>(j, at, "interval_ms", 0);
  if (j.contains("summary")) p.summary = read_profile_summary(j["summary"], at + "/summary");
  if (j.contains("phases")) {
    for (const auto& [name, s] : j["phases"].items())
      p.phases[name] = read_profile_summary(s, std::string(at).append("/phases/").append(name));
  }
  p.notes = Reader::get_or<std::vector<std::string>>(j, at, "notes", {});
  if (j.contains("processes")) {
    const json& procs = j["processes"];
    for (size_t i = 0; i < procs.size(); ++i) {
      const std::string pat = at + "/processes/" + std::to_string(i);
      ProcessTimeline t;
      t.pid = Reader::get<int64_t>(procs[i], pat, "pid");
      t.command = Reader::get_or<std::string>(procs[i], pat, "command", "");
      t.exited = Reader::get_or<bool>(procs[i], pat, "exited", false);
      t.exited_at_ms = Reader::get_or<int64_t>(procs[i], pat, "exited_at_ms", -1);
      const json& samples = Reader::member(procs[i], pat, "samples");
      for (size_t k = 0; k < samples.size(); ++k) {
        const std::string sat = pat + "/samples/" + std::to_string(k);
        const json& s = samples[k];
        ProcessSample ps;
        ps.t_ms = Reader::get<int64_t>(s, sat, "t_ms");
        ps.rss_bytes = Reader::get<int64_t>(s, sat, "rss_bytes");
        ps.pss_bytes = Reader::get_or<int64_t>(s, sat, "pss_bytes", -1);
        ps.cpu_percent = Reader::get_or<double>(s, sat, "cpu_percent", 0);
        ps.cpu_user_percent = Reader::get_or<double>(s, sat, "cpu_user_percent", 0);
        ps.cpu_system_percent = Reader::get_or<double>(s, sat, "cpu_system_percent", 0);
        ps.threads = Reader::get_or<int64_t>(s, sat, "threads", 0);
        ps.open_fds = Reader::get_or<int64_t>(s, sat, "open_fds", -1);
        ps.ctx_switches = Reader::get_or<int64_t>(s, sat, "ctx_switches", 0);
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
      ps.t_ms = Reader::get<int64_t>(s, sat, "t_ms");
      ps.active = Reader::get_or<int64_t>(s, sat, "active", 0);
      ps.idle = Reader::get_or<int64_t>(s, sat, "idle", 0);
      ps.idle_in_transaction = Reader::get_or<int64_t>(s, sat, "idle_in_transaction", 0);
      ps.waiting = Reader::get_or<int64_t>(s, sat, "waiting", 0);
      ps.total = Reader::get_or<int64_t>(s, sat, "total", 0);
      ps.max_connections = Reader::get_or<int64_t>(s, sat, "max_connections", 0);
      ps.xact_commit = Reader::get_or<int64_t>(s, sat, "xact_commit", 0);
      ps.xact_rollback = Reader::get_or<int64_t>(s, sat, "xact_rollback", 0);
      ps.blks_read = Reader::get_or<int64_t>(s, sat, "blks_read", 0);
      ps.blks_hit = Reader::get_or<int64_t>(s, sat, "blks_hit", 0);
      ps.temp_bytes = Reader::get_or<int64_t>(s, sat, "temp_bytes", 0);
      ps.deadlocks = Reader::get_or<int64_t>(s, sat, "deadlocks", 0);
      p.postgres.push_back(ps);
    }
  }
  return p;
}

GeneratorHealth read_generator(const json& g, const std::string& at) {
  GeneratorHealth h;
  h.saturated = Reader::get_or<bool>(g, at, "saturated", false);
  h.max_schedule_lag_us = Reader::get_or<double>(g, at, "max_schedule_lag_us", 0);
  h.mean_schedule_lag_us = Reader::get_or<double>(g, at, "mean_schedule_lag_us", 0);
  h.requests_behind = Reader::get_or<int64_t>(g, at, "requests_behind", 0);
  h.cpu_percent = Reader::get_or<double>(g, at, "cpu_percent", 0);
  h.io_wait_percent = Reader::get_or<double>(g, at, "io_wait_percent", -1);
  h.note = Reader::get_or<std::string>(g, at, "note", "");
  h.cause = Reader::get_or<std::string>(g, at, "cause", "");
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
      throw FieldError{std::string(at).append("/").append(key).append("/").append(std::to_string(i)),
                       "expected an integer"};
    out.push_back(list[i].get<int>());
  }
  return out;
}

std::optional<double> read_optional_number(const json& j, const std::string& at, const std::string& key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return Reader::get<double>(j, at, key);
}

TelemetryInfo read_telemetry(const json& j, const std::string& at) {
  if (!j.is_object()) throw FieldError{at, "expected an object"};
  TelemetryInfo t;
  t.run_id = Reader::get_or<std::string>(j, at, "run_id", "");
  t.metrics_listen = Reader::get_or<std::string>(j, at, "metrics_listen", "");
  t.metrics_file = Reader::get_or<std::string>(j, at, "metrics_file", "");
  t.metrics_file_error = Reader::get_or<std::string>(j, at, "metrics_file_error", "");
  t.otlp_endpoint = Reader::get_or<std::string>(j, at, "otlp_endpoint", "");
  t.otlp_pushes = Reader::get_or<int64_t>(j, at, "otlp_pushes", 0);
  t.otlp_failed_pushes = Reader::get_or<int64_t>(j, at, "otlp_failed_pushes", 0);
  t.otlp_last_error = Reader::get_or<std::string>(j, at, "otlp_last_error", "");
  return t;
}

LimitSearch read_limit_search(const json& j, const std::string& at) {
  LimitSearch s;
  s.slo = Reader::get<std::string>(j, at, "slo");
  s.verdict = Reader::get<std::string>(j, at, "verdict");
  s.max_sustainable_rps = read_optional_number(j, at, "max_sustainable_rps");
  s.first_failing_rps = read_optional_number(j, at, "first_failing_rps");
  s.broken_first = Reader::get_or<std::string>(j, at, "broken_first", "");
  s.note = Reader::get_or<std::string>(j, at, "note", "");
  s.precision = Reader::get_or<double>(j, at, "precision", 0.05);
  s.warm_up_s = Reader::get_or<double>(j, at, "warm_up_s", 0);
  s.hold_s = Reader::get_or<double>(j, at, "hold_s", 0);
  const json& steps = Reader::member(j, at, "steps");
  if (!steps.is_array()) throw FieldError{at + "/steps", "expected an array"};
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string sat = at + "/steps/" + std::to_string(i);
    LimitStep st;
    st.offered_rps = Reader::get<double>(steps[i], sat, "offered_rps");
    st.achieved_rps = Reader::get_or<double>(steps[i], sat, "achieved_rps", 0);
    st.duration_s = Reader::get_or<double>(steps[i], sat, "duration_s", 0);
    st.verdict = Reader::get<std::string>(steps[i], sat, "verdict");
    st.broken = Reader::get_or<std::vector<std::string>>(steps[i], sat, "broken", {});
    st.messages = Reader::get_or<std::vector<std::string>>(steps[i], sat, "messages", {});
    st.requests = Reader::get_or<int64_t>(steps[i], sat, "requests", 0);
    st.errors = Reader::get_or<int64_t>(steps[i], sat, "errors", 0);
    st.latency = Reader::histogram(steps[i], sat, "histogram");
    if (steps[i].contains("generator")) st.generator = read_generator(steps[i]["generator"], sat + "/generator");
    s.steps.push_back(std::move(st));
  }
  return s;
}

MergeInfo read_merge(const json& j, const std::string& at) {
  MergeInfo m;
  m.segment_count = Reader::get<int>(j, at, "segment_count");
  m.missing_segments = read_segment_numbers(j, at, "missing_segments");
  m.partial_segments = read_segment_numbers(j, at, "partial_segments");
  m.start_skew_ms = Reader::get_or<int64_t>(j, at, "start_skew_ms", 0);
  const json& shards = Reader::member(j, at, "shards");
  if (!shards.is_array()) throw FieldError{at + "/shards", "expected an array"};
  for (size_t i = 0; i < shards.size(); ++i) {
    const std::string sat = at + "/shards/" + std::to_string(i);
    ShardSummary s;
    s.segment = read_segment(Reader::member(shards[i], sat, "segment"), sat + "/segment");
    s.file = Reader::get_or<std::string>(shards[i], sat, "file", "");
    s.status = Reader::get_or<std::string>(shards[i], sat, "status", "");
    s.host = Reader::get_or<std::string>(shards[i], sat, "host", "");
    s.start_unix_ms = Reader::get_or<int64_t>(shards[i], sat, "start_unix_ms", 0);
    s.requests = Reader::get_or<int64_t>(shards[i], sat, "requests", 0);
    s.achieved_rps = Reader::get_or<double>(shards[i], sat, "achieved_rps", 0);
    if (shards[i].contains("generator")) s.generator = read_generator(shards[i]["generator"], sat + "/generator");
    m.shards.push_back(std::move(s));
  }
  return m;
}

RunResult read_result(const json& j) {
  RunResult r;
  if (!j.is_object()) throw FieldError{"", "expected a JSON object (a perfgate result)"};
  r.schema_version = Reader::get<int>(j, "", "schema_version");
  if (r.schema_version != kResultSchemaVersion) {
    throw FieldError{"/schema_version", "unsupported schema_version " + std::to_string(r.schema_version) +
                                            " (this perfgate reads version " + std::to_string(kResultSchemaVersion) +
                                            "; re-run with a matching perfgate)"};
  }
  const json& c = Reader::member(j, "", "context");
  r.context.tool_version = Reader::get_or<std::string>(c, "/context", "tool_version", "");
  r.context.build_type = Reader::get_or<std::string>(c, "/context", "build_type", "");
  r.context.host = Reader::get_or<std::string>(c, "/context", "host", "");
  r.context.cpu_count = Reader::get_or<int>(c, "/context", "cpu_count", 0);
  r.context.load_average_1m = Reader::get_or<double>(c, "/context", "load_average_1m", 0);
  r.context.start_time = Reader::get_or<std::string>(c, "/context", "start_time", "");
  r.context.scenario_name = Reader::get_or<std::string>(c, "/context", "scenario_name", "");
  r.context.scenario_hash = Reader::get_or<std::string>(c, "/context", "scenario_hash", "");
  r.context.workload_hash = Reader::get_or<std::string>(c, "/context", "workload_hash", "");
  r.context.target = Reader::get_or<std::string>(c, "/context", "target", "");
  r.context.command_line = Reader::get_or<std::string>(c, "/context", "command_line", "");
  const auto model = Reader::get<std::string>(j, "", "model");
  if (model != "open" && model != "closed")
    throw FieldError{"/model", "must be \"open\" or \"closed\" (got \"" + model + "\")"};
  r.model = model == "open" ? LoadModel::kOpen : LoadModel::kClosed;
  if (j.contains("target_rps") && !j["target_rps"].is_null()) r.target_rps = Reader::get<double>(j, "", "target_rps");
  r.achieved_rps = Reader::get<double>(j, "", "achieved_rps");
  r.duration_s = Reader::get_or<double>(j, "", "duration_s", 0);
  r.partial = Reader::get_or<bool>(j, "", "partial", false);
  r.status = Reader::get_or<std::string>(j, "", "status", r.partial ? "partial" : "complete");
  if (j.contains("generator")) r.generator = read_generator(j["generator"], "/generator");
  if (j.contains("phases")) {
    const json& ph = j["phases"];
    for (size_t i = 0; i < ph.size(); ++i) {
      const std::string at = "/phases/" + std::to_string(i);
      PhaseInfo p;
      p.name = Reader::get<std::string>(ph[i], at, "name");
      p.start_ms = Reader::get<int64_t>(ph[i], at, "start_ms");
      p.end_ms = Reader::get<int64_t>(ph[i], at, "end_ms");
      p.target_rps_start = Reader::get_or<double>(ph[i], at, "target_rps_start", 0);
      p.target_rps_end = Reader::get_or<double>(ph[i], at, "target_rps_end", 0);
      p.vus_start = Reader::get_or<int64_t>(ph[i], at, "vus_start", 0);
      p.vus_end = Reader::get_or<int64_t>(ph[i], at, "vus_end", 0);
      p.excluded = Reader::get_or<bool>(ph[i], at, "excluded", false);
      r.phases.push_back(p);
    }
  }
  r.endpoints = read_endpoints(Reader::member(j, "", "endpoints"), "/endpoints");
  if (j.contains("phase_stats")) {
    const json& ps = j["phase_stats"];
    for (size_t i = 0; i < ps.size(); ++i) {
      const std::string at = "/phase_stats/" + std::to_string(i);
      PhaseStats s;
      s.phase = Reader::get<std::string>(ps[i], at, "phase");
      s.endpoints = read_endpoints(Reader::member(ps[i], at, "endpoints"), at + "/endpoints");
      r.phase_stats.push_back(std::move(s));
    }
  }
  if (j.contains("timeline")) r.timeline = read_timeline(j["timeline"], "/timeline");
  if (j.contains("profile") && !j["profile"].is_null()) r.profile = read_profile(j["profile"], "/profile");
  r.labels = Reader::get_or<std::map<std::string, std::string>>(j, "", "labels", {});
  r.start_unix_ms = Reader::get_or<int64_t>(j, "", "start_unix_ms", 0);
  if (j.contains("segment") && !j["segment"].is_null()) r.segment = read_segment(j["segment"], "/segment");
  if (j.contains("merge") && !j["merge"].is_null()) r.merge = read_merge(j["merge"], "/merge");
  if (j.contains("limit_search") && !j["limit_search"].is_null()) {
    r.limit_search = read_limit_search(j["limit_search"], "/limit_search");
  }
  if (j.contains("telemetry") && !j["telemetry"].is_null()) r.telemetry = read_telemetry(j["telemetry"], "/telemetry");
  return r;
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
  j["status"] = r.status;
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
  // Written only when asked for, so results of runs without live metrics keep their layout.
  if (r.telemetry) j["telemetry"] = telemetry_json(*r.telemetry);
  return j.dump(2) + "\n";
}

Result<RunResult> run_result_from_json(const std::string& text, const std::string& source_name) {
  json j;
  try {
    j = json::parse(text, nullptr, true, true);
  } catch (const json::parse_error& e) {
    const TextPosition pos = position_of_offset(text, e.byte > 0 ? e.byte - 1 : 0);
    return invalid_input(format_input_error(source_name, pos, "", std::string("not valid JSON: ") + e.what()));
  } catch (const json::out_of_range& e) {
    // A number beyond a double's range (1e999) is valid JSON syntax that nlohmann refuses with
    // out_of_range rather than parse_error; uncaught, it would abort the whole program.
    return invalid_input(source_name + ": not valid JSON: " + e.what() + "; numbers must fit a double");
  }
  try {
    return read_result(j);
  } catch (const FieldError& e) {
    return invalid_input(format_input_error(source_name, locate_json_pointer(text, e.pointer),
                                            pointer_to_field_path(e.pointer), e.message));
  } catch (const json::exception& e) {
    return invalid_input(format_input_error(source_name, {}, "", std::string("malformed result: ") + e.what()));
  }
}

Result<RunResult> read_run_result(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return run_result_from_json(*text, path);
}

Status write_run_result(const RunResult& result, const std::string& path) {
  return write_file_atomically(path, run_result_to_json(result));
}

}  // namespace perfgate
