#pragma once
// One run as `perfgate run`, `perfgate demo` and `perfgate profile` do it: what is watched besides
// the load (the server's processes and PostgreSQL through the profiler, a server started for the
// run with --spawn, the pg_stat_statements delta for the query analyzer), the run context taken
// before the load, and the phase bookkeeping that turns the profile into per-phase figures. The
// profile is moved onto the run's timeline (the profiler starts before the first request is due)
// and summarised once, with each phase's own request count.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/findings.h"
#include "core/result.h"
#include "core/run_context.h"
#include "core/run_result.h"
#include "loadgen/engine.h"
#include "profiler/process_sampler.h"
#include "profiler/profiler.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// What to watch besides the load, as the user gave it (durations still text, checked by prepare).
/// The CLI's spelling of each field is in the comment; docs/profiler.md documents them.
struct InstrumentOptions {
  std::vector<int64_t> watch_pids;                     ///< --watch-pid (alias --pid); each must exist
  std::string watch_pattern;                           ///< --watch-pattern (alias --pattern): ECMAScript regex
  ChildProcesses children = ChildProcesses::kInclude;  ///< --no-children: kExclude
  std::string spawn;                                   ///< --spawn: server command run with sh -c
  std::string ready_url;                               ///< --ready: loopback URL answering 200 when up
  std::string ready_timeout = "30s";                   ///< --ready-timeout
  std::string sample_interval = "100ms";               ///< --sample-interval (alias --interval), >= 1ms
  std::string pg_dsn;                                  ///< --pg: libpq DSN
  std::string pg_interval;                             ///< --pg-interval; "": max(sample interval, 1s)
  // Live metrics out (docs/ecosystem.md); each may be used without watching anything.
  std::string metrics_listen;          ///< --metrics-listen HOST:PORT: serve Prometheus /metrics during the run
  std::string metrics_file;            ///< --metrics-file: the final exposition, written atomically
  std::string metrics_linger = "15s";  ///< --metrics-linger: after the run, serve until one more scrape, at most this
  std::string otlp_endpoint;           ///< --otlp-endpoint: OTLP/HTTP collector base URL (JSON to /v1/metrics)
  std::string otlp_interval = "5s";    ///< --otlp-interval: time between pushes

  /// True when any flag asks for something to be watched or started.
  [[nodiscard]] bool any() const {
    return !watch_pids.empty() || !watch_pattern.empty() || !spawn.empty() || !pg_dsn.empty();
  }
};

/// Whether `--pg` also captures the run's pg_stat_statements delta for the query analyzer
/// (run, demo) or only samples activity (profile).
enum class QueryCapture { kRunDelta, kNone };

/// Fans every hook out to several observers, in the order they were added (none owned).
class ObserverChain final : public RunObserver {
 public:
  /// Adds `observer` at the end; nullptr is ignored.
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

/// The spawned server, the profiler, the "before" pg_stat_statements snapshot and the run context
/// of one run. Engine hooks come from the engine's coordinating thread; live_text() may be called
/// from any thread. Destruction stops the profiler, then the spawned server.
class RunSession final : public RunObserver {
 public:
  /// Checks the options, collects the run context, starts the server (waiting for readiness),
  /// starts the profiler and takes the snapshot; with no option set, nothing is started and the
  /// session only keeps the context and the timeline. Errors: kInvalidInput for bad options (a PID
  /// that does not exist, an invalid regex, --ready without --spawn, a bad duration), naming the
  /// flag; kUnavailable when the server is not ready in time, PostgreSQL cannot be reached (the
  /// DSN's password never appears) or the --metrics-listen port cannot be bound. Anything started
  /// is stopped again on error. `clock` must
  /// outlive the session.
  static Result<std::unique_ptr<RunSession>> prepare(const InstrumentOptions& options, QueryCapture capture,
                                                     const Clock& clock);

  ~RunSession() override;
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;

  /// Runs `scenario` on the engine with this session observing it and then `progress` (may be
  /// null); while it runs, the first SIGINT/SIGTERM asks `stop` to end the run early (the partial
  /// result is returned) and a second one acts as before. The spawned server is stopped when the
  /// load ends; a /metrics endpoint that was scraped during the run is served until one more scrape
  /// (at most --metrics-linger) so the scraper sees the final counts. Errors: those of run_load.
  Result<RunResult> run(const Scenario& scenario, const EngineOptions& engine, RunObserver* progress, StopSignal& stop);

  /// As run(), but the spawned server keeps running for another step (a limit search's next rate),
  /// and a profiler finished by an earlier step is started again on the same processes, so each
  /// step's result carries its own profile. Errors: those of run_load, or of restarting the profiler
  /// (a watched process that exited: kUnavailable / kInvalidInput from the profiler).
  Result<RunResult> run_step(const Scenario& scenario, const EngineOptions& engine, RunObserver* progress,
                             StopSignal& stop);

  /// Watches without load for `duration` (> 0) or until `stop` (or the first SIGINT/SIGTERM), calling
  /// `tick` about once a second with the elapsed time; returns a profile-only result with one phase
  /// "profile", marked partial when it was stopped early. Stops the spawned server at the end.
  RunResult watch(std::chrono::milliseconds duration, StopSignal& stop,
                  const std::function<void(std::chrono::milliseconds elapsed)>& tick);

  /// Puts the context collected before the load into `result` with the scenario's name and hash and
  /// `command_line` (already redacted); keeps the target the engine recorded.
  void record_context(RunResult& result, const Scenario& scenario, std::string command_line) const;

  /// True when a profiler samples processes or PostgreSQL.
  [[nodiscard]] bool profiling() const;

  /// The address /metrics is served on ("HOST:PORT", the port actually bound), "" when not served.
  [[nodiscard]] std::string metrics_address() const;

  /// The profiler's latest figures (all zero, pg_connections -1, without a profiler). Thread-safe.
  [[nodiscard]] LiveSnapshot live() const;

  /// "server rss 120MB cpu 35% (2 procs)  pg 4 conns" for the progress line; "" before any sample.
  [[nodiscard]] std::string live_text() const;

  /// True when the "before" snapshot was taken, so analyze() has something to compare with.
  [[nodiscard]] bool has_query_capture() const;

  /// Takes the "after" snapshot and analyses the delta; `requests` counts every request of the run,
  /// warm-up included (the delta covers it too; see requests_in_all_phases). Call once.
  /// Errors: kInvalidInput without a capture; kUnavailable when PostgreSQL went away.
  Result<Findings> analyze(double requests);

  /// Stops the spawned server (if any) now rather than at destruction. Idempotent.
  void stop_server();

  void on_start(const std::vector<PhaseInfo>& phases) override;
  void on_interval(const LiveStatus& status) override;
  /// Puts the profile into `result`: samples on the run's timeline, summarised once with the
  /// requests of each phase; writes the final metrics file and pushes to the collector once more,
  /// recording both in result.telemetry.
  void on_finish(RunResult& result) override;

 private:
  struct State;
  explicit RunSession(std::unique_ptr<State> state);
  static Status prepare_telemetry(const InstrumentOptions& options, State& state);
  void linger_for_scrape(const StopSignal& stop);
  void finish_telemetry(RunResult& result);
  std::unique_ptr<State> state_;
};

/// Requests of kind "request" or "flow" per phase (flow steps are inside their flows), for the
/// profile's per-phase CPU per request.
std::map<std::string, int64_t> requests_by_phase(const RunResult& result);

/// Requests of kind "request" or "flow" summed over every phase, warm-up included.
int64_t requests_in_all_phases(const RunResult& result);

/// Where the findings go by default: next to the result, "run.json" -> "run.findings.json".
std::string default_findings_path(const std::string& result_path);

/// The password of a libpq DSN (keyword `password=...` or URI `user:password@`), "" when none;
/// used to keep it out of every message and the recorded command line.
std::string dsn_password(const std::string& dsn);

}  // namespace perfgate
