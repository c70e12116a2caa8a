#include "pipeline/live_metrics.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace perfgate {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Kind { kCounter, kGauge };

struct Point {
  Labels labels;
  double value = 0;
};

// One counter or gauge under both of its names: Prometheus's (base unit and _total in the name) and
// OpenTelemetry's (dotted, unit apart), chosen so that an OpenTelemetry Collector's Prometheus
// exporter turns the second into the first.
struct Family {
  const char* prometheus;
  const char* otel;
  const char* unit;
  const char* help;
  Kind kind;
  std::vector<Point> points;
};

struct LatencyPoint {
  Labels labels;
  int64_t count = 0;
  double sum_s = 0;
  std::vector<int64_t> cumulative;                   // per bound of latency_bucket_bounds_s(), then +Inf
  std::vector<std::pair<double, double>> quantiles;  // (quantile, seconds)
  double min_s = 0, max_s = 0;
};

constexpr double kQuantiles[] = {0.5, 0.9, 0.95, 0.99, 0.999};

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", v);
  return text;
}

std::string label_text(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += (i > 0 ? "," : "") + labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  return out + "}";
}

nlohmann::json attributes(const Labels& labels) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [k, v] : labels) out.push_back({{"key", k}, {"value", {{"stringValue", v}}}});
  return out;
}

}  // namespace

const std::vector<double>& latency_bucket_bounds_s() {
  // Prometheus's default buckets stretched to a minute: load tests see timeouts of many seconds.
  static const std::vector<double> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,      2.5,   5,    10,    30,   60};
  return kBounds;
}

LiveMetrics::LiveMetrics(RunIdentity identity) : identity_(std::move(identity)) {}

void LiveMetrics::set_scenario(const std::string& name) {
  std::lock_guard lock(mutex_);
  identity_.scenario = name;
}

void LiveMetrics::add_interval(const LiveStatus& status) {
  std::lock_guard lock(mutex_);
  if (endpoints_.size() < status.endpoints.size()) endpoints_.resize(status.endpoints.size());
  for (size_t i = 0; i < status.endpoints.size(); ++i) {
    const LiveEndpoint& from = status.endpoints[i];
    Endpoint& to = endpoints_[i];
    to.name = from.name;
    to.requests += from.requests;
    to.sent += from.sent;
    to.outcomes.resize(from.outcomes.size());
    for (size_t k = 0; k < from.outcomes.size(); ++k) to.outcomes[k] += from.outcomes[k];
    to.latency_sum_us += from.latency_sum_us;
    to.latency.merge(from.latency);
  }
  const double seconds = static_cast<double>(status.interval.duration_ms) / 1000.0;
  gauges_.have_interval = true;
  gauges_.closed = status.model == LoadModel::kClosed;
  gauges_.target = status.target;
  gauges_.offered_rps = seconds > 0 ? static_cast<double>(status.interval.sent) / seconds : 0;
  gauges_.achieved_rps = seconds > 0 ? static_cast<double>(status.interval.requests) / seconds : 0;
  gauges_.lag_s = status.interval.schedule_lag_us / 1e6;
  gauges_.in_flight = status.in_flight;
  gauges_.warm_up = status.phase_excluded;
  gauges_.saturated = status.health.saturated;
  gauges_.elapsed_s = std::chrono::duration<double>(status.elapsed).count();
}

void LiveMetrics::set_profile(const LiveSnapshot& snapshot) {
  std::lock_guard lock(mutex_);
  if (snapshot.samples > 0) {
    gauges_.rss_bytes = snapshot.rss_bytes;
    gauges_.cpu_ratio = snapshot.cpu_percent / 100.0;
    gauges_.processes = snapshot.processes;
  }
  gauges_.pg_connections = snapshot.pg_connections;
}

struct LiveMetrics::Snapshot {
  RunIdentity identity;
  std::vector<Family> families;
  std::vector<LatencyPoint> latency;
};

// Built in one place so that the two formats cannot drift apart.
LiveMetrics::Snapshot LiveMetrics::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot s;
  s.identity = identity_;
  auto& f = s.families;
  f.push_back(
      {"perfgate_run_info",
       "perfgate.run.info",
       "1",
       "The run: scenario and run id as labels, value 1.",
       Kind::kGauge,
       {{{{"scenario", identity_.scenario}, {"run_id", identity_.run_id}, {"version", identity_.tool_version}}, 1}}});
  Family requests{"perfgate_http_requests_total",
                  "perfgate.http.requests",
                  "{request}",
                  "Completed requests (success or error; a flow counts whole iterations), warm-up included.",
                  Kind::kCounter,
                  {}};
  Family errors{"perfgate_http_request_errors_total",
                "perfgate.http.request.errors",
                "{request}",
                "Completed requests that ended in an error, by category (connect, timeout, status_5xx, ...).",
                Kind::kCounter,
                {}};
  Family sent{"perfgate_http_requests_sent_total",
              "perfgate.http.requests.sent",
              "{request}",
              "Requests started (arrivals), warm-up included.",
              Kind::kCounter,
              {}};
  for (const Endpoint& e : endpoints_) {
    const Labels labels{{"endpoint", e.name}};
    requests.points.push_back({labels, static_cast<double>(e.requests)});
    sent.points.push_back({labels, static_cast<double>(e.sent)});
    // Every category from the start, so that rate() sees a series go from 0 rather than appear.
    for (size_t k = 1; k < e.outcomes.size(); ++k) {
      errors.points.push_back({{{"endpoint", e.name}, {"category", outcome_name(static_cast<Outcome>(k))}},
                               static_cast<double>(e.outcomes[k])});
    }
    LatencyPoint p;
    p.labels = labels;
    p.count = e.latency.total_count();
    p.sum_s = e.latency_sum_us / 1e6;
    const auto& bounds = latency_bucket_bounds_s();
    p.cumulative.assign(bounds.size() + 1, 0);
    // A bucket of the HDR histogram (1% wide) counts below a bound when its lowest value does.
    e.latency.for_each_bucket([&](const HistogramBucket& b) {
      for (size_t i = 0; i < bounds.size(); ++i) {
        if (static_cast<double>(b.lowest) <= bounds[i] * 1e6) p.cumulative[i] += b.count;
      }
      p.cumulative[bounds.size()] += b.count;
    });
    for (double q : kQuantiles) {
      p.quantiles.emplace_back(q, static_cast<double>(e.latency.value_at_percentile(q * 100)) / 1e6);
    }
    p.min_s = static_cast<double>(e.latency.min()) / 1e6;
    p.max_s = static_cast<double>(e.latency.max()) / 1e6;
    s.latency.push_back(std::move(p));
  }
  f.push_back(std::move(requests));
  f.push_back(std::move(errors));
  f.push_back(std::move(sent));
  const Gauges& g = gauges_;
  if (g.have_interval) {
    if (g.closed) {
      f.push_back({"perfgate_virtual_users",
                   "perfgate.virtual_users",
                   "{user}",
                   "Closed model: virtual users planned at the last interval's midpoint.",
                   Kind::kGauge,
                   {{{}, g.target}}});
    } else {
      f.push_back({"perfgate_target_rate_requests_per_second",
                   "perfgate.rate.target",
                   "{request}/s",
                   "Open model: the planned arrival rate at the last interval's midpoint.",
                   Kind::kGauge,
                   {{{}, g.target}}});
    }
    f.push_back({"perfgate_offered_rate_requests_per_second",
                 "perfgate.rate.offered",
                 "{request}/s",
                 "Requests started per second in the last interval.",
                 Kind::kGauge,
                 {{{}, g.offered_rps}}});
    f.push_back({"perfgate_achieved_rate_requests_per_second",
                 "perfgate.rate.achieved",
                 "{request}/s",
                 "Requests completed per second in the last interval.",
                 Kind::kGauge,
                 {{{}, g.achieved_rps}}});
    f.push_back({"perfgate_generator_lag_seconds",
                 "perfgate.generator.lag",
                 "s",
                 "Worst delay between a request's due time and its send in the last interval (open model).",
                 Kind::kGauge,
                 {{{}, g.lag_s}}});
    f.push_back({"perfgate_generator_saturated",
                 "perfgate.generator.saturated",
                 "1",
                 "1 when the generator could not keep up with the schedule so far.",
                 Kind::kGauge,
                 {{{}, g.saturated ? 1.0 : 0.0}}});
    f.push_back({"perfgate_requests_in_flight",
                 "perfgate.requests.in_flight",
                 "{request}",
                 "Requests sent and not yet completed.",
                 Kind::kGauge,
                 {{{}, static_cast<double>(g.in_flight)}}});
    f.push_back({"perfgate_warm_up",
                 "perfgate.warm_up",
                 "1",
                 "1 while the run is in an excluded warm-up phase (the result leaves it out).",
                 Kind::kGauge,
                 {{{}, g.warm_up ? 1.0 : 0.0}}});
    f.push_back({"perfgate_run_elapsed_seconds",
                 "perfgate.run.elapsed",
                 "s",
                 "Time since the run's t = 0 at the end of the last interval.",
                 Kind::kGauge,
                 {{{}, g.elapsed_s}}});
  }
  if (g.rss_bytes >= 0) {
    f.push_back({"perfgate_server_resident_memory_bytes",
                 "perfgate.server.resident_memory",
                 "By",
                 "Resident memory of the watched server processes, summed.",
                 Kind::kGauge,
                 {{{}, static_cast<double>(g.rss_bytes)}}});
    f.push_back({"perfgate_server_cpu_usage_ratio",
                 "perfgate.server.cpu.usage",
                 "1",
                 "CPU time of the watched server processes per second of wall time (1 = one core).",
                 Kind::kGauge,
                 {{{}, g.cpu_ratio}}});
    f.push_back({"perfgate_server_processes",
                 "perfgate.server.processes",
                 "{process}",
                 "Watched server processes alive.",
                 Kind::kGauge,
                 {{{}, static_cast<double>(g.processes)}}});
  }
  if (g.pg_connections >= 0) {
    f.push_back({"perfgate_postgres_connections",
                 "perfgate.postgres.connections",
                 "{connection}",
                 "PostgreSQL client connections at the latest sample.",
                 Kind::kGauge,
                 {{{}, static_cast<double>(g.pg_connections)}}});
  }
  return s;
}

std::string LiveMetrics::prometheus_text() const {
  const Snapshot s = snapshot();
  std::string out;
  for (const Family& f : s.families) {
    if (f.points.empty()) continue;
    out += std::string("# HELP ") + f.prometheus + " " + f.help + "\n";
    out += std::string("# TYPE ") + f.prometheus + (f.kind == Kind::kCounter ? " counter\n" : " gauge\n");
    for (const Point& p : f.points) out += f.prometheus + label_text(p.labels) + " " + number(p.value) + "\n";
  }
  if (!s.latency.empty()) {
    const auto& bounds = latency_bucket_bounds_s();
    const char* hist = "perfgate_http_request_duration_seconds";
    out += std::string("# HELP ") + hist +
           " Latency of completed requests (from the due time in the open model), warm-up included.\n";
    out += std::string("# TYPE ") + hist + " histogram\n";
    for (const LatencyPoint& p : s.latency) {
      for (size_t b = 0; b <= bounds.size(); ++b) {
        Labels labels = p.labels;
        labels.emplace_back("le", b < bounds.size() ? number(bounds[b]) : "+Inf");
        out += std::string(hist) + "_bucket" + label_text(labels) + " " + std::to_string(p.cumulative[b]) + "\n";
      }
      out += std::string(hist) + "_sum" + label_text(p.labels) + " " + number(p.sum_s) + "\n";
      out += std::string(hist) + "_count" + label_text(p.labels) + " " + std::to_string(p.count) + "\n";
    }
    const char* summary = "perfgate_http_request_latency_seconds";
    out += std::string("# HELP ") + summary +
           " Latency quantiles of the run so far, from perfgate's HDR histogram (1% precision).\n";
    out += std::string("# TYPE ") + summary + " summary\n";
    for (const LatencyPoint& p : s.latency) {
      for (const auto& [q, v] : p.quantiles) {
        Labels labels = p.labels;
        labels.emplace_back("quantile", number(q));
        out += std::string(summary) + label_text(labels) + " " + number(v) + "\n";
      }
      out += std::string(summary) + "_sum" + label_text(p.labels) + " " + number(p.sum_s) + "\n";
      out += std::string(summary) + "_count" + label_text(p.labels) + " " + std::to_string(p.count) + "\n";
    }
  }
  return out;
}

std::string LiveMetrics::otlp_json(int64_t start_unix_ns, int64_t now_unix_ns) const {
  using nlohmann::json;
  const Snapshot s = snapshot();
  // OTLP/JSON: 64-bit integers are decimal strings, enums their numbers (2 = cumulative).
  const std::string start = std::to_string(start_unix_ns);
  const std::string now = std::to_string(now_unix_ns);
  json metrics = json::array();
  for (const Family& f : s.families) {
    if (f.points.empty()) continue;
    json points = json::array();
    for (const Point& p : f.points) {
      json point{{"attributes", attributes(p.labels)}, {"timeUnixNano", now}};
      if (f.kind == Kind::kCounter) {
        point["startTimeUnixNano"] = start;
        point["asInt"] = std::to_string(static_cast<int64_t>(p.value));
      } else {
        point["asDouble"] = p.value;
      }
      points.push_back(std::move(point));
    }
    json metric{{"name", f.otel}, {"unit", f.unit}, {"description", f.help}};
    if (f.kind == Kind::kCounter) {
      metric["sum"] = {{"aggregationTemporality", 2}, {"isMonotonic", true}, {"dataPoints", points}};
    } else {
      metric["gauge"] = {{"dataPoints", points}};
    }
    metrics.push_back(std::move(metric));
  }
  if (!s.latency.empty()) {
    json histogram = json::array();
    json summary = json::array();
    for (const LatencyPoint& p : s.latency) {
      // OTLP buckets are per bucket, not cumulative as Prometheus's are.
      json counts = json::array();
      int64_t below = 0;
      for (int64_t c : p.cumulative) {
        counts.push_back(std::to_string(c - below));
        below = c;
      }
      json point{{"attributes", attributes(p.labels)},
                 {"startTimeUnixNano", start},
                 {"timeUnixNano", now},
                 {"count", std::to_string(p.count)},
                 {"sum", p.sum_s},
                 {"bucketCounts", counts},
                 {"explicitBounds", latency_bucket_bounds_s()}};
      if (p.count > 0) {
        point["min"] = p.min_s;
        point["max"] = p.max_s;
      }
      histogram.push_back(std::move(point));
      json quantiles = json::array();
      for (const auto& [q, v] : p.quantiles) quantiles.push_back({{"quantile", q}, {"value", v}});
      summary.push_back({{"attributes", attributes(p.labels)},
                         {"startTimeUnixNano", start},
                         {"timeUnixNano", now},
                         {"count", std::to_string(p.count)},
                         {"sum", p.sum_s},
                         {"quantileValues", quantiles}});
    }
    metrics.push_back({{"name", "perfgate.http.request.duration"},
                       {"unit", "s"},
                       {"description", "Latency of completed requests (from the due time in the open model)."},
                       {"histogram", {{"aggregationTemporality", 2}, {"dataPoints", histogram}}}});
    metrics.push_back({{"name", "perfgate.http.request.latency"},
                       {"unit", "s"},
                       {"description", "Latency quantiles of the run so far, from perfgate's HDR histogram."},
                       {"summary", {{"dataPoints", summary}}}});
  }
  const Labels resource{{"service.name", "perfgate"},
                        {"service.version", s.identity.tool_version},
                        {"perfgate.scenario", s.identity.scenario},
                        {"perfgate.run.id", s.identity.run_id}};
  json request{{"resourceMetrics",
                json::array({{{"resource", {{"attributes", attributes(resource)}}},
                              {"scopeMetrics",
                               json::array({{{"scope", {{"name", "perfgate"}, {"version", s.identity.tool_version}}},
                                             {"metrics", metrics}}})}}})}};
  return request.dump();
}

}  // namespace perfgate
