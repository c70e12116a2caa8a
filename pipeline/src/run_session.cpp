#include "pipeline/run_session.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <random>
#include <thread>

#include "analyzers/query_analyzer.h"
#include "analyzers/query_session.h"
#include "core/child_processes.h"
#include "core/files.h"
#include "core/redact.h"
#include "core/units.h"
#include "metrics_server.h"
#include "otlp_pusher.h"
#include "pipeline/live_metrics.h"
#include "profiler/pg_sampler.h"
#include "profiler/profiler.h"
#include "profiler/spawned_server.h"
#include "stop_on_signals.h"

namespace perfgate {
namespace {

Result<std::chrono::milliseconds> parse_ms(const std::string& flag, const std::string& text) {
  auto d = parse_duration(text);
  if (!d) return d.error().with_context(flag);
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

std::string scrub(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t at = text.find(password); at != std::string::npos; at = text.find(password, at + 3)) {
    text.replace(at, password.size(), "***");
  }
  return text;
}

// Names the flag a profiler error is about, so "pid 42: no such process" reads as a usage error.
Error flag_error(const Error& e, const std::string& password) {
  Error out{e.code, scrub(e.message, password)};
  if (out.message.rfind("pid ", 0) == 0) return out.with_context("--watch-pid");
  if (out.message.rfind("process pattern", 0) == 0) return out.with_context("--watch-pattern");
  if (out.message.rfind("postgres", 0) == 0) return out.with_context("--pg");
  return out;
}

int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Unique enough to tell runs apart in a metrics backend, readable enough to find the run by time.
std::string new_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::random_device random;
  char id[64];
  std::snprintf(id, sizeof id, "%s-%08x", stamp, static_cast<unsigned>(random()));
  return id;
}

}  // namespace

void ObserverChain::on_start(const std::vector<PhaseInfo>& phases) {
  for (auto* o : observers_) o->on_start(phases);
}
void ObserverChain::on_interval(const LiveStatus& status) {
  for (auto* o : observers_) o->on_interval(status);
}
void ObserverChain::on_phase_change(const PhaseInfo& phase) {
  for (auto* o : observers_) o->on_phase_change(phase);
}
void ObserverChain::on_finish(RunResult& result) {
  for (auto* o : observers_) o->on_finish(result);
}

struct RunSession::State {
  const Clock* clock = nullptr;
  std::string password;
  RunContext context;
  std::unique_ptr<SpawnedServer> server;  // declared first: destroyed last, after the samplers stop
  std::unique_ptr<Profiler> profiler;
  std::unique_ptr<RunDeltaCapture> capture;
  std::optional<ProfilerOptions> profiling;  // kept to restart the profiler for a next step
  MonoTime profiler_start{0};
  std::optional<MonoTime> run_start;
  bool run_start_measured = false;
  // Live metrics out: declared after the profiler, so they stop first.
  std::unique_ptr<LiveMetrics> metrics;
  std::unique_ptr<pipeline_detail::MetricsServer> metrics_server;
  std::unique_ptr<pipeline_detail::OtlpPusher> otlp;
  std::optional<TelemetryInfo> telemetry;
  std::chrono::milliseconds metrics_linger{0};
  int64_t scrapes_at_finish = 0;
  int64_t scrapes_at_start = 0;
  int64_t start_unix_ns = 0;
};

RunSession::RunSession(std::unique_ptr<State> state) : state_(std::move(state)) {}

// Checked and bound before anything else starts: a port in use is a tool failure before any load.
Status RunSession::prepare_telemetry(const InstrumentOptions& options, State& state) {
  if (options.metrics_listen.empty() && options.metrics_file.empty() && options.otlp_endpoint.empty()) return {};
  auto linger = parse_ms("--metrics-linger", options.metrics_linger);
  if (!linger) return linger.error();
  auto otlp_interval = parse_ms("--otlp-interval", options.otlp_interval);
  if (!otlp_interval) return otlp_interval.error();
  if (!options.metrics_file.empty()) {
    if (auto st = check_output_path(options.metrics_file, "--metrics-file"); !st) return st;
  }
  TelemetryInfo info;
  info.run_id = new_run_id();
  info.metrics_file = options.metrics_file;
  info.otlp_endpoint = options.otlp_endpoint;
  state.metrics = std::make_unique<LiveMetrics>(RunIdentity{"", info.run_id, std::string(tool_version())});
  state.metrics_linger = *linger;
  state.start_unix_ns = unix_now_ns();
  LiveMetrics* metrics = state.metrics.get();
  if (!options.otlp_endpoint.empty()) {
    State* s = &state;
    auto pusher = pipeline_detail::OtlpPusher::start(options.otlp_endpoint, *otlp_interval, [metrics, s] {
      return metrics->otlp_json(s->start_unix_ns, unix_now_ns());
    });
    if (!pusher) return pusher.error();
    state.otlp = std::move(*pusher);
  }
  if (!options.metrics_listen.empty()) {
    auto server =
        pipeline_detail::MetricsServer::start(options.metrics_listen, [metrics] { return metrics->prometheus_text(); });
    if (!server) return server.error();
    state.metrics_server = std::move(*server);
    info.metrics_listen = state.metrics_server->address();
  }
  state.telemetry = info;
  return {};
}

RunSession::~RunSession() {
  state_->otlp.reset();
  state_->metrics_server.reset();
  // The profiler reads the server's /proc entries, so it stops before the server does.
  state_->profiler.reset();
  state_->capture.reset();
  stop_server();
}

Result<std::unique_ptr<RunSession>> RunSession::prepare(const InstrumentOptions& options, QueryCapture capture,
                                                        const Clock& clock) {
  if (!options.ready_url.empty() && options.spawn.empty()) {
    return invalid_input("--ready: needs --spawn 'CMD' (the server whose readiness it checks)");
  }
  auto interval = parse_ms("--sample-interval", options.sample_interval);
  if (!interval) return interval.error();
  if (interval->count() < 1) {
    return invalid_input("--sample-interval: must be >= 1ms (got " + options.sample_interval + ")");
  }
  auto ready_timeout = parse_ms("--ready-timeout", options.ready_timeout);
  if (!ready_timeout) return ready_timeout.error();
  // Connection counts change slowly next to request rates; a second keeps the sampler's own
  // statements out of the service's statistics without losing the pool's plateau.
  std::chrono::milliseconds pg_interval = std::max<std::chrono::milliseconds>(*interval, std::chrono::seconds(1));
  if (!options.pg_interval.empty()) {
    auto given = parse_ms("--pg-interval", options.pg_interval);
    if (!given) return given.error();
    pg_interval = *given;
  }

  auto state = std::make_unique<State>();
  state->clock = &clock;
  state->password = dsn_password(options.pg_dsn);
  state->context = collect_run_context();
  if (auto st = prepare_telemetry(options, *state); !st) return st.error();
  if (!options.any()) return std::unique_ptr<RunSession>(new RunSession(std::move(state)));

  ProfilerOptions profiling;
  profiling.processes.pids = options.watch_pids;
  profiling.processes.pattern = options.watch_pattern;
  profiling.processes.children = options.children;
  profiling.interval = *interval;
  profiling.pg_dsn = options.pg_dsn;
  profiling.pg_interval = pg_interval;

  if (!options.spawn.empty()) {
    // A mistyped PID or pattern is reported before a server is started for nothing.
    if (!profiling.processes.empty()) {
      auto check = ProcessSampler::create(profiling.processes, clock.now());
      if (!check) return flag_error(check.error(), state->password);
    }
    install_child_cleanup_on_signals();
    auto server =
        SpawnedServer::start(SpawnOptions{options.spawn, options.ready_url, *ready_timeout, std::chrono::seconds(5)});
    if (!server)
      return Error{server.error().code, scrub(server.error().message, state->password)}.with_context("--spawn");
    state->server = std::move(*server);
    profiling.processes.pids.push_back(state->server->pid());
  }
  state->profiler_start = clock.now();
  state->profiling = profiling;
  auto profiler = Profiler::start(profiling, clock, state->profiler_start);
  if (!profiler) return flag_error(profiler.error(), state->password);
  state->profiler = std::move(*profiler);
  if (!options.pg_dsn.empty() && capture == QueryCapture::kRunDelta) {
    auto delta = RunDeltaCapture::begin(options.pg_dsn);
    if (!delta) {
      return Error{delta.error().code, scrub(delta.error().message, state->password)}.with_context(
          "--pg " + redact_dsn(options.pg_dsn));
    }
    state->capture = std::move(*delta);
  }
  return std::unique_ptr<RunSession>(new RunSession(std::move(state)));
}

Result<RunResult> RunSession::run(const Scenario& scenario, const EngineOptions& engine, RunObserver* progress,
                                  StopSignal& stop) {
  Result<RunResult> result = run_step(scenario, engine, progress, stop);
  stop_server();
  linger_for_scrape(stop);
  return result;
}

Result<RunResult> RunSession::run_step(const Scenario& scenario, const EngineOptions& engine, RunObserver* progress,
                                       StopSignal& stop) {
  // The profiler handed its samples to the previous step's result; this step gets a fresh one on the
  // same processes, so each step's profile covers that step alone.
  if (!state_->profiler && state_->profiling) {
    state_->profiler_start = state_->clock->now();
    state_->run_start.reset();
    state_->run_start_measured = false;
    auto profiler = Profiler::start(*state_->profiling, *state_->clock, state_->profiler_start);
    if (!profiler) return Error{profiler.error().code, scrub(profiler.error().message, state_->password)};
    state_->profiler = std::move(*profiler);
  }
  if (state_->metrics) state_->metrics->set_scenario(scenario.name);
  ObserverChain observers;
  observers.add(this);
  observers.add(progress);
  Result<RunResult> result = invalid_input("unreachable");
  {
    pipeline_detail::StopOnSignals signals(stop);
    result = run_load(scenario, engine, *state_->clock, &observers, &stop);
  }
  return result;
}

RunResult RunSession::watch(std::chrono::milliseconds duration, StopSignal& stop,
                            const std::function<void(std::chrono::milliseconds elapsed)>& tick) {
  const Clock& clock = *state_->clock;
  RunResult result;
  result.context = state_->context;
  result.model = LoadModel::kClosed;
  on_start({});
  const MonoTime start = *state_->run_start;
  state_->run_start_measured = true;
  const MonoTime end = start + duration;
  MonoTime next_tick = start + std::chrono::seconds(1);
  {
    pipeline_detail::StopOnSignals signals(stop);
    while (!stop.stop_requested() && clock.now() < end) {
      std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(end - clock.now(), std::chrono::milliseconds(50)));
      if (tick && clock.now() >= next_tick) {
        next_tick += std::chrono::seconds(1);
        tick(std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start));
      }
    }
  }
  const int64_t elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - start).count();
  PhaseInfo phase;
  phase.name = "profile";
  phase.end_ms = elapsed_ms;
  result.phases = {phase};
  result.duration_s = static_cast<double>(elapsed_ms) / 1000.0;
  if (stop.stop_requested()) {
    result.partial = true;
    result.status = RunStatus::kPartial;
  }
  on_finish(result);
  stop_server();
  return result;
}

void RunSession::record_context(RunResult& result, const Scenario& scenario, std::string command_line) const {
  const std::string target = result.context.target;
  result.context = state_->context;
  result.context.scenario_name = scenario.name;
  result.context.scenario_hash = scenario.hash;
  result.context.workload_hash = scenario.workload_hash;
  result.context.target = target;
  result.context.command_line = std::move(command_line);
}

bool RunSession::profiling() const { return state_->profiler != nullptr; }

std::string RunSession::metrics_address() const {
  return state_->metrics_server ? state_->metrics_server->address() : std::string();
}

// A scraper that watched the run would otherwise miss the last interval: the endpoint goes away
// before its next scrape. Only when someone scraped during the run; a stop request ends the wait.
void RunSession::linger_for_scrape(const StopSignal& stop) {
  if (!state_->metrics_server) return;
  const auto& server = *state_->metrics_server;
  if (state_->scrapes_at_finish <= state_->scrapes_at_start) return;
  const MonoTime until = state_->clock->now() + state_->metrics_linger;
  while (server.scrapes() <= state_->scrapes_at_finish && state_->clock->now() < until && !stop.stop_requested()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void RunSession::on_start(const std::vector<PhaseInfo>& /*phases*/) {
  state_->run_start = state_->clock->now();
  if (state_->metrics_server) state_->scrapes_at_start = state_->metrics_server->scrapes();
}

void RunSession::on_interval(const LiveStatus& status) {
  if (state_->metrics) {
    state_->metrics->add_interval(status);
    if (state_->profiler) state_->metrics->set_profile(state_->profiler->live());
  }
  // The engine's timeline starts a moment after on_start; the first interval tells exactly when.
  if (state_->run_start_measured) return;
  state_->run_start = state_->clock->now() - status.elapsed;
  state_->run_start_measured = true;
}

void RunSession::on_finish(RunResult& result) {
  finish_telemetry(result);
  if (!state_->profiler) return;
  const MonoTime run_start = std::max(state_->run_start.value_or(state_->profiler_start), state_->profiler_start);
  result.profile = state_->profiler->finish(result.phases, result.total_requests(), requests_by_phase(result),
                                            run_start, result.timeline);
  state_->profiler.reset();
}

void RunSession::finish_telemetry(RunResult& result) {
  if (!state_->telemetry) return;
  TelemetryInfo& info = *state_->telemetry;
  if (state_->metrics_server) state_->scrapes_at_finish = state_->metrics_server->scrapes();
  if (!info.metrics_file.empty()) {
    auto written = write_file_atomically(info.metrics_file, state_->metrics->prometheus_text());
    info.metrics_file_error = written ? "" : written.error().message;
  }
  if (state_->otlp) {
    const pipeline_detail::PushTally tally = state_->otlp->push_now();
    info.otlp_pushes = tally.pushes;
    info.otlp_failed_pushes = tally.failed;
    info.otlp_last_error = tally.last_error;
  }
  result.telemetry = info;
}

LiveSnapshot RunSession::live() const { return state_->profiler ? state_->profiler->live() : LiveSnapshot{}; }

std::string RunSession::live_text() const {
  if (!state_->profiler) return {};
  const LiveSnapshot live = state_->profiler->live();
  std::string out;
  if (live.samples > 0) {
    char text[128];
    std::snprintf(text, sizeof text, "server rss %s cpu %.0f%% (%lld procs)",
                  format_bytes(static_cast<double>(live.rss_bytes)).c_str(), live.cpu_percent,
                  static_cast<long long>(live.processes));
    out = text;
  }
  if (live.pg_connections >= 0) {
    out += (out.empty() ? "" : "  ") + std::string("pg ") + std::to_string(live.pg_connections) + " conns";
  }
  return out;
}

bool RunSession::has_query_capture() const { return state_->capture != nullptr; }

Result<Findings> RunSession::analyze(double requests) {
  if (!state_->capture) return invalid_input("--findings-out: needs --pg DSN");
  auto findings = state_->capture->finish(requests);
  state_->capture.reset();
  if (!findings) return Error{findings.error().code, scrub(findings.error().message, state_->password)};
  return findings;
}

void RunSession::stop_server() {
  if (state_->server) state_->server->stop();
}

std::map<std::string, int64_t> requests_by_phase(const RunResult& result) {
  std::map<std::string, int64_t> out;
  for (const auto& phase : result.phase_stats) {
    for (const auto& e : phase.endpoints) {
      if (e.kind != EndpointKind::kStep) out[phase.phase] += e.requests;
    }
  }
  return out;
}

int64_t requests_in_all_phases(const RunResult& result) {
  if (result.phase_stats.empty()) return result.total_requests();
  int64_t n = 0;
  for (const auto& [phase, requests] : requests_by_phase(result)) n += requests;
  return n;
}

std::string default_findings_path(const std::string& result_path) {
  const std::string ext = ".json";
  const bool has_ext =
      result_path.size() > ext.size() && result_path.compare(result_path.size() - ext.size(), ext.size(), ext) == 0;
  return (has_ext ? result_path.substr(0, result_path.size() - ext.size()) : result_path) + ".findings.json";
}

std::string dsn_password(const std::string& dsn) {
  if (dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0) {
    const size_t start = dsn.find("://") + 3;
    const size_t at = dsn.find('@', start);
    if (at == std::string::npos) return {};
    const size_t colon = dsn.find(':', start);
    return colon != std::string::npos && colon < at ? dsn.substr(colon + 1, at - colon - 1) : std::string();
  }
  for (size_t at = dsn.find("password"); at != std::string::npos; at = dsn.find("password", at + 8)) {
    if (at > 0 && dsn[at - 1] != ' ') continue;
    size_t i = at + 8;
    while (i < dsn.size() && dsn[i] == ' ') ++i;
    if (i >= dsn.size() || dsn[i] != '=') continue;
    ++i;
    while (i < dsn.size() && dsn[i] == ' ') ++i;
    if (i < dsn.size() && dsn[i] == '\'') {
      const size_t end = dsn.find('\'', i + 1);
      return dsn.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
    }
    const size_t end = dsn.find(' ', i);
    return dsn.substr(i, end == std::string::npos ? std::string::npos : end - i);
  }
  return {};
}

}  // namespace perfgate
