#pragma once
// Sampling of watched processes from /proc: memory (RSS, PSS, VmHWM), CPU, threads, open fds and
// context switches. One call to sample() is one pass over every watched process; the Profiler calls
// it from its background thread, the benchmark calls it directly.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// Whether the descendants of matched processes are watched too.
enum class ChildProcesses { kInclude, kExclude };

/// Which processes to watch.
struct ProcessTargets {
  std::vector<int64_t> pids;  ///< watched from the start; each must exist then
  std::string pattern;        ///< ECMAScript regex searched in /proc/PID/cmdline (args joined by spaces); empty: none
  ChildProcesses children = ChildProcesses::kInclude;
  /// How often /proc is rescanned for processes that match `pattern` or are children (>= 0; 0: every pass).
  std::chrono::milliseconds discovery_interval{1000};
  std::string proc_root = "/proc";  ///< where procfs is mounted (tests point it elsewhere)

  [[nodiscard]] bool empty() const { return pids.empty() && pattern.empty(); }
};

/// The latest pass summed over the watched processes (for the live progress line).
struct ProcessTotals {
  int64_t rss_bytes = 0;
  double cpu_percent = 0;  ///< % of one core, summed
  int64_t processes = 0;   ///< alive and sampled in the latest pass
};

/// Samples a set of processes. Not thread-safe: one thread calls sample(); the owner synchronises.
class ProcessSampler {
 public:
  /// Opens procfs, validates `targets` and takes the CPU baseline at `now` (CLOCK_MONOTONIC time).
  /// perfgate's own process never matches `pattern`. Errors: kUnavailable when procfs cannot be read;
  /// kInvalidInput when a PID does not exist (or is a zombie) or the pattern is not a valid regex.
  static Result<std::unique_ptr<ProcessSampler>> create(const ProcessTargets& targets, MonoTime now);

  ~ProcessSampler();
  ProcessSampler(const ProcessSampler&) = delete;
  ProcessSampler& operator=(const ProcessSampler&) = delete;

  /// One pass at monotonic time `now`, stamped `t_ms` (ms since the run start): rescans for new
  /// processes when due, appends one sample per live process, and records processes that exited
  /// (exited, exited_at_ms = t_ms) instead of failing. CPU is % of one core since the previous sample.
  void sample(MonoTime now, int64_t t_ms);

  /// Sums of the latest pass.
  [[nodiscard]] ProcessTotals totals() const { return totals_; }

  /// Number of processes seen so far (alive or exited).
  [[nodiscard]] size_t process_count() const { return timelines_.size(); }

  /// Moves the timelines out (one per process ever watched, in order of discovery) and appends
  /// human notes (exits, per-process VmHWM peak) to `notes`. The sampler is empty afterwards.
  std::vector<ProcessTimeline> take_timelines(std::vector<std::string>& notes);

 private:
  struct Tracked;
  ProcessSampler();
  void discover(MonoTime now, bool mid_run);
  void track(int64_t pid, int dir_fd, MonoTime now, bool mid_run);
  bool is_tracked_alive(int64_t pid) const;

  ProcessTargets targets_;
  int proc_fd_ = -1;
  int64_t self_pid_ = 0;
  double ticks_per_s_ = 100;
  MonoTime last_discovery_{0};
  struct Matcher;
  std::unique_ptr<Matcher> matcher_;
  std::vector<Tracked> tracked_;
  std::vector<ProcessTimeline> timelines_;
  std::vector<std::string> notes_;
  ProcessTotals totals_;
};

}  // namespace perfgate
