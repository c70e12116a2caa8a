#pragma once
// What `perfgate run` watches besides the load it offers: the server's processes and PostgreSQL
// (the profiler), a server it starts itself (--spawn), and the pg_stat_statements delta over the
// run (the query analyzer). Private to the CLI.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/findings.h"
#include "core/clock.h"
#include "core/result.h"
#include "core/run_result.h"
#include "loadgen/engine.h"

namespace perfgate::cli {

/// The instrumentation flags of `perfgate run`, as given (durations still text).
struct InstrumentFlags {
  std::vector<int64_t> watch_pids;
  std::string watch_pattern;
  std::string spawn;
  std::string ready_url;
  std::string ready_timeout = "30s";
  std::string sample_interval = "100ms";
  std::string pg_dsn;
};

/// Fans every hook out to several observers, in the order they were added (none owned).
class ObserverChain final : public RunObserver {
 public:
  void add(RunObserver* observer) {
    if (observer != nullptr) observers_.push_back(observer);
  }
  void on_start(const std::vector<PhaseInfo>& phases) override;
  void on_interval(const LiveStatus& status) override;
  void on_phase_change(const PhaseInfo& phase) override;
  void on_finish(RunResult& result) override;

 private:
  std::vector<RunObserver*> observers_;
};

/// The spawned server, the profiler and the "before" pg_stat_statements snapshot of one run.
/// on_finish() puts the profile into the result; analyze() turns the delta into findings.
/// Hooks come from the engine's coordinating thread; live_text() may be called from any thread.
class RunInstruments final : public RunObserver {
 public:
  /// Validates the flags, starts the server (waiting for readiness), starts the profiler and takes
  /// the snapshot. Returns nullptr when no flag asks for any of it. Errors: kInvalidInput for bad
  /// flags (a PID that does not exist, an invalid regex, --ready without --spawn); kUnavailable
  /// when the server is not ready in time or PostgreSQL cannot be reached (the DSN is named
  /// without its password). Anything started is stopped again on error.
  static Result<std::unique_ptr<RunInstruments>> prepare(const InstrumentFlags& flags, const Clock& clock);

  ~RunInstruments() override;
  RunInstruments(const RunInstruments&) = delete;
  RunInstruments& operator=(const RunInstruments&) = delete;

  void on_start(const std::vector<PhaseInfo>& phases) override;
  void on_interval(const LiveStatus& status) override;
  void on_finish(RunResult& result) override;

  /// "server rss 120MB cpu 35% (2 procs)  pg 4 conns" for the progress line; "" before any sample.
  [[nodiscard]] std::string live_text() const;

  /// True when --pg was given, so analyze() has a snapshot to compare with.
  [[nodiscard]] bool has_query_capture() const;

  /// Takes the "after" snapshot and analyses the delta; `requests` counts every request of the run,
  /// warm-up included (the delta covers it too). Errors: kUnavailable when PostgreSQL went away.
  Result<Findings> analyze(double requests);

  /// Starts a fresh profiler for another run on the same servers (a limit search's next step), after
  /// on_finish() handed the previous one's samples over. No-op without profiling. Errors: those of
  /// Profiler::start (a watched process that exited: kUnavailable).
  Status restart_profiler();

  /// Stops the spawned server (if any) now rather than at destruction. Idempotent.
  void stop_server();

 private:
  struct State;
  explicit RunInstruments(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// Where the findings go by default: next to the result, "run.json" -> "run.findings.json".
std::string default_findings_path(const std::string& result_path);

/// The password of a libpq DSN (keyword `password=...` or URI `user:password@`), "" when none;
/// used to keep it out of every message and the recorded command line.
std::string dsn_password(const std::string& dsn);

/// Prints the profile summary (peak RSS, CPU, memory slope, PostgreSQL connections) and the
/// findings summary after the run summary.
void print_instrument_summary(std::FILE* out, const RunResult& result, const Findings* findings,
                              const std::string& findings_path);

/// Requests of kind "request" or "flow" summed over every phase, warm-up included.
int64_t requests_in_all_phases(const RunResult& result);

}  // namespace perfgate::cli
