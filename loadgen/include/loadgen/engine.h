#pragma once
// The load engine: runs a Scenario with N worker threads (each with its own epoll loop, connection
// pool and histograms), measures every request, and returns a RunResult. Open model latency is
// measured from the time each request was due (coordinated omission), with service time beside it.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/run_result.h"
#include "core/segment.h"
#include "loadgen/transport.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// Asks a running engine to stop. request_stop() is async-signal-safe (one lock-free atomic store)
/// and may be called from any thread or a signal handler.
class StopSignal {
 public:
  void request_stop() { stop_.store(true, std::memory_order_relaxed); }
  [[nodiscard]] bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> stop_{false};
  static_assert(std::atomic<bool>::is_always_lock_free);
};

/// One endpoint's figures for the interval that just ended (live metrics). A flow counts whole
/// iterations with the outcome that ended them, as its line in the result does.
struct LiveEndpoint {
  std::string name;      ///< endpoint name from the scenario
  int64_t requests = 0;  ///< completed in the interval (success or error)
  int64_t sent = 0;      ///< started in the interval (arrivals)
  /// Completed requests by outcome category (index: Outcome); [kOk] are the successes.
  std::array<int64_t, static_cast<size_t>(Outcome::kCount_)> outcomes{};
  double latency_sum_us = 0;                                ///< exact sum of the completed requests' latency
  Histogram latency{HistogramConfig{1, 3'600'000'000, 2}};  ///< their latency, us, 2 digits
};

/// What the engine reports while it runs, once per interval (live progress, profilers).
struct LiveStatus {
  std::chrono::nanoseconds elapsed{0};
  std::chrono::nanoseconds total{0};  ///< planned duration of the run
  std::string phase;                  ///< phase at the interval's midpoint
  bool phase_excluded = false;        ///< warm-up
  LoadModel model = LoadModel::kOpen;
  double target = 0;       ///< target rate (open) or virtual users (closed) at the interval's midpoint
  IntervalStats interval;  ///< the interval that just ended, whole run
  GeneratorHealth health;  ///< so far
  int64_t in_flight = 0;
  std::vector<LiveEndpoint> endpoints;  ///< per scenario endpoint, in scenario order
};

/// Hooks around a run, called from the thread that called run_load (never from workers), so an
/// observer needs no locking of its own. Default implementations do nothing.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  /// Before the first request; `phases` describes the whole plan.
  virtual void on_start(const std::vector<PhaseInfo>& phases) { (void)phases; }
  /// After each interval (1 s by default).
  virtual void on_interval(const LiveStatus& status) { (void)status; }
  /// When the run enters a phase (the first phase included).
  virtual void on_phase_change(const PhaseInfo& phase) { (void)phase; }
  /// After the last request, before run_load returns; may add to the result (profile, labels).
  virtual void on_finish(RunResult& result) { (void)result; }
};

/// How to run the engine.
struct EngineOptions {
  int threads = 0;  ///< worker threads; 0: one per CPU core
  TransportKind transport = TransportKind::kAuto;
  std::chrono::nanoseconds interval{std::chrono::seconds(1)};  ///< timeline resolution, >= 10 ms
  uint64_t seed = 1;                                           ///< endpoint choice; same seed, same mix
  int max_connections = 0;                                     ///< overrides the scenario's bound when > 0
  TlsVerification tls = TlsVerification::kVerify;              ///< https:// certificate checks (kSkip: --insecure)
  /// Stop early when no request has connected yet and every attempt for this long failed to connect
  /// (the result is then "failed"); 0 never gives up.
  std::chrono::nanoseconds give_up_after{std::chrono::seconds(10)};
  /// The slice of the load to offer (core/segment.h): open model, the arrivals i with
  /// i % N == K - 1; closed model, the virtual users g with g % N == K - 1 and that share of
  /// max_iterations. The connection bound defaults to the segment's share. Given (even 1/1), the
  /// result is marked as that segment's (RunResult::segment); nullopt: the whole load, unmarked.
  std::optional<Segment> segment;
  /// > 0: the schedule's t = 0 falls on this wall-clock instant (ms since the Unix epoch), so shards
  /// on several machines start together; the engine waits for it (a stop request ends the wait).
  /// An instant already past starts at once. 0: start as soon as the workers are ready.
  int64_t start_at_unix_ms = 0;
};

/// Runs `scenario` to the end or until `stop` is requested. Timestamps come from `clock` (use
/// SteadyClock: the engine waits on real sockets). `observer` and `stop` may be null.
/// The result's context holds scenario name, hash and target only; the caller adds the machine's.
/// Per-request failures are counted outcomes. Errors (before any request is sent): kInvalidInput for
/// a scenario the engine cannot run (absolute URLs in paths, a step that both polls and streams, bad
/// URL) or a connection bound that RLIMIT_NOFILE cannot accommodate, kUnavailable for a target host
/// that does not resolve, kInternal for threads/epoll/libcurl setup failures.
Result<RunResult> run_load(const Scenario& scenario, const EngineOptions& options, const Clock& clock,
                           RunObserver* observer = nullptr, const StopSignal* stop = nullptr);

}  // namespace perfgate
