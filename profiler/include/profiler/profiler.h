#pragma once
// The profiler: samples watched processes (/proc) and PostgreSQL on background threads while a run
// goes on, then hands back a Profile aligned to the run's timeline (t_ms since the run start).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/run_result.h"
#include "profiler/process_sampler.h"
#include "profiler/profile_summary.h"

namespace perfgate {

/// What to sample and how often.
struct ProfilerOptions {
  ProcessTargets processes;                     ///< empty: no process sampling
  std::chrono::milliseconds interval{100};      ///< process sampling period, >= 1 ms (100 ms = 10 Hz)
  std::string pg_dsn;                           ///< libpq DSN; empty: no PostgreSQL sampling
  std::chrono::milliseconds pg_interval{1000};  ///< PostgreSQL sampling period, >= 10 ms
};

/// The latest figures for a live progress line.
struct LiveSnapshot {
  int64_t rss_bytes = 0;        ///< summed over watched processes, latest pass
  double cpu_percent = 0;       ///< summed, % of one core, latest pass
  int64_t processes = 0;        ///< watched processes alive in the latest pass
  int64_t pg_connections = -1;  ///< client connections at the latest PostgreSQL sample; -1: none yet
  int64_t samples = 0;          ///< process passes taken so far
};

/// Runs the samplers on their own threads from start() until finish() (or destruction).
/// live() is thread-safe; start/finish belong to the owning thread.
class Profiler {
 public:
  /// Validates the options, takes baselines and starts sampling; `clock` (CLOCK_MONOTONIC in
  /// production) must outlive the profiler, and samples carry t_ms = (clock.now() - run_start) in ms.
  /// Errors: kInvalidInput for bad options (nothing to profile, interval < 1 ms, missing PID, bad
  /// regex); kUnavailable when /proc is unreadable or PostgreSQL cannot be reached.
  static Result<std::unique_ptr<Profiler>> start(const ProfilerOptions& options, const Clock& clock,
                                                 MonoTime run_start);

  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  /// The latest sums; thread-safe, cheap (one mutex).
  [[nodiscard]] LiveSnapshot live() const;

  /// Stops sampling and returns the timelines with summaries per phase and overall (see
  /// profiler/profile_summary.h); `total_requests` is the run's warm-up-excluded request count for
  /// cpu_us_per_request, `requests_by_phase` the same per phase. When `timeline_start` is given
  /// (a time on the profiler's clock, at or after the `run_start` given to start()), every sample
  /// is moved onto a timeline that starts there and earlier samples are dropped, before the one
  /// summary is computed; `timeline` (the run's intervals on that timeline) gives the CPU per
  /// request drift. Call once; later calls return an empty profile.
  Profile finish(const std::vector<PhaseInfo>& phases, int64_t total_requests,
                 const PhaseRequests& requests_by_phase = {}, std::optional<MonoTime> timeline_start = std::nullopt,
                 std::span<const IntervalStats> timeline = {});

 private:
  struct State;
  explicit Profiler(std::unique_ptr<State> state);
  void stop();
  std::unique_ptr<State> state_;
};

}  // namespace perfgate
