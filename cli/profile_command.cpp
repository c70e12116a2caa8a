// perfgate profile: watch processes and PostgreSQL for a fixed time, without generating load, and
// write a result file holding only the profile (docs/profiler.md).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "cli/command.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/run_context.h"
#include "core/run_result_io.h"
#include "core/units.h"
#include "profiler/pg_sampler.h"
#include "profiler/profiler.h"
#include "profiler/spawned_server.h"

namespace perfgate::cli {
namespace {

struct ProfileOptions {
  std::vector<int64_t> pids;
  std::string pattern;
  bool no_children = false;
  std::string pg_dsn;
  std::string spawn;
  std::string ready_url;
  std::string ready_timeout = "30s";
  std::string duration;
  std::string interval = "100ms";
  std::string pg_interval = "1s";
  std::string out;
  std::string command_line;
};

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int /*sig*/) { g_interrupted.store(true); }

Result<std::chrono::milliseconds> parse_ms(const std::string& flag, const std::string& text) {
  auto d = parse_duration(text);
  if (!d) return d.error().with_context(flag);
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

void print_summary(const Profile& p) {
  const ProfileSummary& s = p.summary;
  std::printf("processes watched: %zu, samples: %lld every %lld ms\n", p.processes.size(),
              static_cast<long long>(s.samples), static_cast<long long>(p.interval_ms));
  if (!p.processes.empty()) {
    std::printf("peak RSS (summed): %s   mean CPU: %.1f%% of a core   RSS slope: %+.1f MB/h (+/- %.1f)\n",
                format_bytes(static_cast<double>(s.peak_rss_bytes)).c_str(), s.mean_cpu_percent,
                s.rss_slope_mb_per_hour, s.rss_slope_ci_mb_per_hour);
  }
  if (!p.postgres.empty()) {
    std::printf("PostgreSQL: peak %lld connections of max %lld\n", static_cast<long long>(s.peak_pg_connections),
                static_cast<long long>(s.max_connections));
  }
  for (const auto& note : p.notes) std::printf("  note: %s\n", note.c_str());
}

// The command line as recorded in the result (STYLE rule 6), with any DSN password redacted.
std::string describe_command(const ProfileOptions& o) {
  std::string c = "perfgate profile";
  for (const int64_t pid : o.pids) c += " --pid " + std::to_string(pid);
  if (!o.pattern.empty()) c += " --pattern '" + o.pattern + "'";
  if (o.no_children) c += " --no-children";
  if (!o.pg_dsn.empty()) c += " --pg '" + redact_dsn(o.pg_dsn) + "'";
  if (!o.spawn.empty()) c += " --spawn '" + o.spawn + "'";
  if (!o.ready_url.empty()) c += " --ready " + o.ready_url;
  c += " --duration " + o.duration + " --interval " + o.interval;
  if (!o.pg_dsn.empty()) c += " --pg-interval " + o.pg_interval;
  return c + " --out " + o.out;
}

ExitCode run_profile(const ProfileOptions& o) {
  auto duration = parse_ms("--duration", o.duration);
  if (!duration) return report_error(duration.error());
  auto interval = parse_ms("--interval", o.interval);
  if (!interval) return report_error(interval.error());
  auto pg_interval = parse_ms("--pg-interval", o.pg_interval);
  if (!pg_interval) return report_error(pg_interval.error());
  auto ready_timeout = parse_ms("--ready-timeout", o.ready_timeout);
  if (!ready_timeout) return report_error(ready_timeout.error());
  if (duration->count() <= 0) return report_error(invalid_input("--duration: must be > 0 (got " + o.duration + ")"));
  if (!o.ready_url.empty() && o.spawn.empty()) {
    return report_error(invalid_input("--ready: needs --spawn 'CMD' (the server whose readiness it checks)"));
  }
  if (auto st = check_output_path(o.out, "--out"); !st) return report_error(st.error());

  ProfilerOptions options;
  options.processes.pids = o.pids;
  options.processes.pattern = o.pattern;
  options.processes.children = o.no_children ? ChildProcesses::kExclude : ChildProcesses::kInclude;
  options.interval = *interval;
  options.pg_dsn = o.pg_dsn;
  options.pg_interval = *pg_interval;

  struct sigaction sa {};
  struct sigaction old_int {};
  struct sigaction old_term {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);

  std::unique_ptr<SpawnedServer> server;
  if (!o.spawn.empty()) {
    auto started = SpawnedServer::start(SpawnOptions{o.spawn, o.ready_url, *ready_timeout, std::chrono::seconds(5)});
    if (!started) return report_error(started.error());
    server = std::move(*started);
    options.processes.pids.push_back(server->pid());
  }

  RunResult result;
  result.context = collect_run_context();
  result.context.command_line = o.command_line;
  result.model = LoadModel::kClosed;
  const Clock& clock = SteadyClock::instance();
  const MonoTime run_start = clock.now();
  auto profiler = Profiler::start(options, clock, run_start);
  if (!profiler) return report_error(profiler.error());

  const bool progress = isatty(STDERR_FILENO) != 0;
  const MonoTime end = run_start + *duration;
  MonoTime next_progress = run_start + std::chrono::seconds(1);
  while (!g_interrupted.load() && clock.now() < end) {
    std::this_thread::sleep_for(std::min<MonoTime>(end - clock.now(), std::chrono::milliseconds(50)));
    if (progress && clock.now() >= next_progress) {
      next_progress += std::chrono::seconds(1);
      const LiveSnapshot live = (*profiler)->live();
      std::fprintf(stderr, "\rprofile: %5.1f/%.1f s  rss %s  cpu %.1f%%  processes %lld",
                   std::chrono::duration<double>(clock.now() - run_start).count(),
                   std::chrono::duration<double>(*duration).count(),
                   format_bytes(static_cast<double>(live.rss_bytes)).c_str(), live.cpu_percent,
                   static_cast<long long>(live.processes));
      if (live.pg_connections >= 0) std::fprintf(stderr, "  pg %lld conns", static_cast<long long>(live.pg_connections));
    }
  }
  if (progress) std::fputc('\n', stderr);
  const int64_t elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - run_start).count();
  PhaseInfo phase;
  phase.name = "profile";
  phase.end_ms = elapsed_ms;
  result.phases = {phase};
  result.profile = (*profiler)->finish(result.phases, 0);
  profiler->reset();
  if (server) server->stop();
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);

  result.duration_s = static_cast<double>(elapsed_ms) / 1000.0;
  if (g_interrupted.load()) {
    result.partial = true;
    result.status = "partial";
  }
  // The samples cannot be taken again: when --out fails now, they go next to it or to a temp file.
  Error first = io_error("");
  auto written = write_file_or_fallback(o.out, run_result_to_json(result), &first);
  if (!written) return report_error(written.error());
  print_summary(*result.profile);
  std::printf("wrote %s%s\n", written->c_str(), result.partial ? " (partial: interrupted)" : "");
  if (*written != o.out) return report_error(io_error(first.message + "; the profile was written to " + *written + " instead"));
  return ExitCode::kPass;
}

}  // namespace

void add_profile_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<ProfileOptions>();
  CLI::App* cmd = app.add_subcommand(
      "profile", "Sample processes (/proc) and PostgreSQL for a fixed time and write a profile-only result");
  cmd->add_option("--pid", o->pids, "Watch this process id (repeatable)");
  cmd->add_option("--pattern", o->pattern, "Watch processes whose command line matches this regex (ECMAScript)");
  cmd->add_flag("--no-children", o->no_children, "Do not include child processes of watched processes");
  cmd->add_option("--pg", o->pg_dsn, "Sample PostgreSQL activity with this libpq DSN");
  cmd->add_option("--spawn", o->spawn, "Start this server command (sh -c), watch it, stop it at the end");
  cmd->add_option("--ready", o->ready_url, "Wait until this loopback URL answers 200 before sampling");
  cmd->add_option("--ready-timeout", o->ready_timeout, "How long to wait for --ready (default 30s)");
  cmd->add_option("--duration", o->duration, "How long to sample, e.g. 10s, 5m")->required();
  cmd->add_option("--interval", o->interval, "Process sampling interval (default 100ms)");
  cmd->add_option("--pg-interval", o->pg_interval, "PostgreSQL sampling interval (default 1s)");
  cmd->add_option("--out", o->out, "Write the result JSON here")->required();
  cmd->callback([o, &slot] {
    o->command_line = describe_command(*o);
    slot.run = [o] { return run_profile(*o); };
  });
}

}  // namespace perfgate::cli
