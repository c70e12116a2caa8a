#pragma once
// The metrics of a run as they stand (docs/ecosystem.md): counters accumulated from the engine's
// intervals and the latest gauges, rendered as the Prometheus text exposition (run --metrics-listen,
// --metrics-file) and as an OTLP/HTTP JSON export request (run --otlp-endpoint). One table of
// metrics serves both, so the two outputs always carry the same figures under matching names.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/histogram.h"
#include "loadgen/engine.h"
#include "profiler/profiler.h"

namespace perfgate {

/// Who the metrics are about: OTLP resource attributes and Prometheus's perfgate_run_info labels.
struct RunIdentity {
  std::string scenario;      ///< scenario name
  std::string run_id;        ///< unique per run ("20261204T150102Z-3f9a2c1b")
  std::string tool_version;  ///< perfgate's version
};

/// Upper bounds (seconds) of the Prometheus / OTLP latency histogram buckets, +Inf implied.
const std::vector<double>& latency_bucket_bounds_s();

/// Accumulates live figures; every member is thread-safe (the engine's coordinating thread writes,
/// the HTTP server and the OTLP pusher read).
class LiveMetrics {
 public:
  explicit LiveMetrics(RunIdentity identity);

  /// Sets the scenario's name (known once the run starts; the metrics may be served before).
  void set_scenario(const std::string& name);

  /// Adds an interval's completions, sends and latencies to the counters and sets the gauges
  /// (target, offered and achieved rate, generator lag, in flight). Counters include warm-up.
  void add_interval(const LiveStatus& status);
  /// Sets the profiler gauges (server RSS/CPU when samples > 0, PostgreSQL connections when >= 0).
  void set_profile(const LiveSnapshot& snapshot);

  /// The Prometheus text exposition format 0.0.4 (what `promtool check metrics` reads).
  [[nodiscard]] std::string prometheus_text() const;
  /// An OTLP ExportMetricsServiceRequest in the OTLP/JSON encoding: cumulative sums and histograms
  /// from `start_unix_ns` to `now_unix_ns`, resource attributes service.name=perfgate,
  /// perfgate.scenario, perfgate.run.id.
  [[nodiscard]] std::string otlp_json(int64_t start_unix_ns, int64_t now_unix_ns) const;

 private:
  struct Endpoint {
    std::string name;
    int64_t requests = 0;
    int64_t sent = 0;
    std::vector<int64_t> outcomes;  // by Outcome
    double latency_sum_us = 0;
    Histogram latency{HistogramConfig{1, 3'600'000'000, 2}};
  };
  struct Gauges {
    double target = 0;  // open model: arrivals/s; closed: virtual users
    bool closed = false;
    double offered_rps = 0, achieved_rps = 0, lag_s = 0, elapsed_s = 0;
    int64_t in_flight = 0;
    bool warm_up = false, saturated = false;
    bool have_interval = false;
    int64_t rss_bytes = -1, processes = 0;
    double cpu_ratio = 0;
    int64_t pg_connections = -1;
  };

  struct Snapshot;  // both renderers' input, taken under the lock (live_metrics.cpp)
  [[nodiscard]] Snapshot snapshot() const;

  RunIdentity identity_;
  mutable std::mutex mutex_;
  std::vector<Endpoint> endpoints_;
  Gauges gauges_;
};

}  // namespace perfgate
