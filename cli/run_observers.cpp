#include "cli/run_observers.h"

#include <algorithm>
#include <optional>

#include "analyzers/query_analyzer.h"
#include "analyzers/query_session.h"
#include "core/units.h"
#include "profiler/pg_sampler.h"
#include "profiler/process_sampler.h"
#include "profiler/profile_summary.h"
#include "profiler/profiler.h"
#include "profiler/spawned_server.h"

namespace perfgate::cli {
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

// Moves every sample from the profiler's clock (t = 0 when it started, before the run) onto the
// run's timeline and drops what was sampled before the first request was due.
void shift_to_run_timeline(Profile& profile, int64_t offset_ms) {
  for (auto& timeline : profile.processes) {
    for (auto& s : timeline.samples) s.t_ms -= offset_ms;
    std::erase_if(timeline.samples, [](const ProcessSample& s) { return s.t_ms < 0; });
    if (timeline.exited_at_ms >= 0) timeline.exited_at_ms = std::max<int64_t>(0, timeline.exited_at_ms - offset_ms);
  }
  for (auto& s : profile.postgres) s.t_ms -= offset_ms;
  std::erase_if(profile.postgres, [](const PgSample& s) { return s.t_ms < 0; });
}

PhaseRequests requests_by_phase(const RunResult& result) {
  PhaseRequests out;
  for (const auto& phase : result.phase_stats) {
    for (const auto& e : phase.endpoints) {
      if (e.kind != "step") out[phase.phase] += e.requests;
    }
  }
  return out;
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

struct RunInstruments::State {
  const Clock* clock = nullptr;
  std::string password;
  std::unique_ptr<SpawnedServer> server;  // declared first: destroyed last, after the samplers stop
  std::unique_ptr<Profiler> profiler;
  std::unique_ptr<RunDeltaCapture> capture;
  ProfilerOptions profiler_options;
  MonoTime profiler_start{0};
  std::optional<MonoTime> run_start;
  bool run_start_measured = false;
};

RunInstruments::RunInstruments(std::unique_ptr<State> state) : state_(std::move(state)) {}

RunInstruments::~RunInstruments() {
  // The profiler reads the server's /proc entries, so it stops before the server does.
  state_->profiler.reset();
  state_->capture.reset();
  stop_server();
}

Result<std::unique_ptr<RunInstruments>> RunInstruments::prepare(const InstrumentFlags& flags, const Clock& clock) {
  if (flags.watch_pids.empty() && flags.watch_pattern.empty() && flags.spawn.empty() && flags.pg_dsn.empty()) {
    if (!flags.ready_url.empty()) return invalid_input("--ready: needs --spawn 'CMD' (the server whose readiness it checks)");
    return std::unique_ptr<RunInstruments>();
  }
  if (!flags.ready_url.empty() && flags.spawn.empty()) {
    return invalid_input("--ready: needs --spawn 'CMD' (the server whose readiness it checks)");
  }
  auto interval = parse_ms("--sample-interval", flags.sample_interval);
  if (!interval) return interval.error();
  if (interval->count() < 1) return invalid_input("--sample-interval: must be >= 1ms (got " + flags.sample_interval + ")");
  auto ready_timeout = parse_ms("--ready-timeout", flags.ready_timeout);
  if (!ready_timeout) return ready_timeout.error();

  auto state = std::make_unique<State>();
  state->clock = &clock;
  state->password = dsn_password(flags.pg_dsn);
  ProfilerOptions options;
  options.processes.pids = flags.watch_pids;
  options.processes.pattern = flags.watch_pattern;
  options.interval = *interval;
  options.pg_dsn = flags.pg_dsn;
  // Connection counts change slowly next to request rates; a second keeps the sampler's own
  // statements out of the service's statistics without losing the pool's plateau.
  options.pg_interval = std::max<std::chrono::milliseconds>(*interval, std::chrono::seconds(1));

  if (!flags.spawn.empty()) {
    // A mistyped PID or pattern is reported before a server is started for nothing.
    if (!options.processes.empty()) {
      auto check = ProcessSampler::create(options.processes, clock.now());
      if (!check) return flag_error(check.error(), state->password);
    }
    install_spawn_signal_cleanup();
    auto server = SpawnedServer::start(SpawnOptions{flags.spawn, flags.ready_url, *ready_timeout, std::chrono::seconds(5)});
    if (!server) return Error{server.error().code, scrub(server.error().message, state->password)}.with_context("--spawn");
    state->server = std::move(*server);
    options.processes.pids.push_back(state->server->pid());
  }
  state->profiler_start = clock.now();
  state->profiler_options = options;
  auto profiler = Profiler::start(options, clock, state->profiler_start);
  if (!profiler) return flag_error(profiler.error(), state->password);
  state->profiler = std::move(*profiler);
  if (!flags.pg_dsn.empty()) {
    auto capture = RunDeltaCapture::begin(flags.pg_dsn);
    if (!capture) {
      return Error{capture.error().code, scrub(capture.error().message, state->password)}.with_context(
          "--pg " + redact_dsn(flags.pg_dsn));
    }
    state->capture = std::move(*capture);
  }
  return std::unique_ptr<RunInstruments>(new RunInstruments(std::move(state)));
}

Status RunInstruments::restart_profiler() {
  if (state_->profiler) return {};
  state_->profiler_start = state_->clock->now();
  state_->run_start.reset();
  state_->run_start_measured = false;
  auto profiler = Profiler::start(state_->profiler_options, *state_->clock, state_->profiler_start);
  if (!profiler) return Error{profiler.error().code, scrub(profiler.error().message, state_->password)};
  state_->profiler = std::move(*profiler);
  return {};
}

void RunInstruments::on_start(const std::vector<PhaseInfo>& /*phases*/) { state_->run_start = state_->clock->now(); }

void RunInstruments::on_interval(const LiveStatus& status) {
  // The engine's timeline starts a moment after on_start; the first interval tells exactly when.
  if (state_->run_start_measured) return;
  state_->run_start = state_->clock->now() - status.elapsed;
  state_->run_start_measured = true;
}

void RunInstruments::on_finish(RunResult& result) {
  if (!state_->profiler) return;
  const MonoTime run_start = state_->run_start.value_or(state_->profiler_start);
  const int64_t offset_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(run_start - state_->profiler_start).count();
  const PhaseRequests per_phase = requests_by_phase(result);
  Profile profile = state_->profiler->finish(result.phases, result.total_requests(), per_phase);
  state_->profiler.reset();
  shift_to_run_timeline(profile, offset_ms);
  summarize_profile(profile, result.phases, result.total_requests(), per_phase);
  result.profile = std::move(profile);
}

std::string RunInstruments::live_text() const {
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

bool RunInstruments::has_query_capture() const { return state_->capture != nullptr; }

Result<Findings> RunInstruments::analyze(double requests) {
  if (!state_->capture) return invalid_input("--findings-out: needs --pg DSN");
  auto findings = state_->capture->finish(requests);
  state_->capture.reset();
  if (!findings) return Error{findings.error().code, scrub(findings.error().message, state_->password)};
  return findings;
}

void RunInstruments::stop_server() {
  if (state_->server) state_->server->stop();
}

std::string default_findings_path(const std::string& result_path) {
  const std::string ext = ".json";
  const bool has_ext = result_path.size() > ext.size() &&
                       result_path.compare(result_path.size() - ext.size(), ext.size(), ext) == 0;
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

void print_instrument_summary(std::FILE* out, const RunResult& r, const Findings* findings,
                              const std::string& findings_path) {
  if (r.profile) {
    const Profile& p = *r.profile;
    const ProfileSummary& s = p.summary;
    if (!p.processes.empty()) {
      std::fprintf(out, "server: %zu process(es), peak RSS %s, mean CPU %.0f%% of a core, %.0f us CPU/request, "
                        "RSS slope %+.1f MB/h (+/- %.1f)\n",
                   p.processes.size(), format_bytes(static_cast<double>(s.peak_rss_bytes)).c_str(), s.mean_cpu_percent,
                   s.cpu_us_per_request, s.rss_slope_mb_per_hour, s.rss_slope_ci_mb_per_hour);
    }
    if (!p.postgres.empty()) {
      std::fprintf(out, "postgres: peak %lld connections of max %lld\n", static_cast<long long>(s.peak_pg_connections),
                   static_cast<long long>(s.max_connections));
    }
    for (const auto& note : p.notes) std::fprintf(out, "  note: %s\n", note.c_str());
  }
  if (findings != nullptr) {
    std::fputs(findings_summary(*findings).c_str(), out);
    if (findings->inconclusive) {
      std::fprintf(out, "findings are INCONCLUSIVE: pg_stat_statements lost entries or was reset during the run "
                        "(see the notes; raise pg_stat_statements.max)\n");
    }
    std::fprintf(out, "findings: %s\n", findings_path.c_str());
  }
}

int64_t requests_in_all_phases(const RunResult& result) {
  int64_t n = 0;
  for (const auto& phase : result.phase_stats) {
    for (const auto& e : phase.endpoints) {
      if (e.kind != "step") n += e.requests;
    }
  }
  return result.phase_stats.empty() ? result.total_requests() : n;
}

}  // namespace perfgate::cli
