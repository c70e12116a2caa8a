// perfgate profile: watch processes and PostgreSQL for a fixed time, without generating load, and
// write a result file holding only the profile (docs/profiler.md).
#include <unistd.h>

#include <cstdio>

#include "cli/command.h"
#include "cli/instruments.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/redact.h"
#include "core/run_result_io.h"
#include "core/units.h"
#include "pipeline/run_session.h"
#include "profiler/pg_sampler.h"

namespace perfgate::cli {
namespace {

struct ProfileOptions {
  InstrumentOptions instruments;
  std::string duration;
  std::string out;
  std::string command_line;
};

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
  const InstrumentOptions& w = o.instruments;
  std::string c = "perfgate profile";
  for (const int64_t pid : w.watch_pids) c += " --watch-pid " + std::to_string(pid);
  if (!w.watch_pattern.empty()) c += " --watch-pattern '" + w.watch_pattern + "'";
  if (w.children == ChildProcesses::kExclude) c += " --no-children";
  if (!w.pg_dsn.empty()) c += " --pg '" + redact_dsn(w.pg_dsn) + "'";
  if (!w.spawn.empty()) c += " --spawn '" + w.spawn + "'";
  if (!w.ready_url.empty()) c += " --ready " + w.ready_url;
  c += " --duration " + o.duration + " --sample-interval " + w.sample_interval;
  if (!w.pg_interval.empty()) c += " --pg-interval " + w.pg_interval;
  return c + " --out " + o.out;
}

ExitCode run_profile(const ProfileOptions& o) {
  auto duration = parse_duration(o.duration);
  if (!duration) return report_error(duration.error().with_context("--duration"));
  if (duration->count() <= 0) return report_error(invalid_input("--duration: must be > 0 (got " + o.duration + ")"));
  if (!o.instruments.any()) {
    return report_error(invalid_input("nothing to profile: give --watch-pid, --watch-pattern, --spawn or --pg"));
  }
  if (auto st = check_output_path(o.out, "--out"); !st) return report_error(st.error());
  const Clock& clock = SteadyClock::instance();
  auto session = RunSession::prepare(o.instruments, QueryCapture::kNone, clock);
  if (!session) return report_error(session.error());

  const bool progress = isatty(STDERR_FILENO) != 0;
  const auto total = std::chrono::duration_cast<std::chrono::milliseconds>(*duration);
  StopSignal stop;
  RunSession* watch = session->get();
  RunResult result = watch->watch(total, stop, [&](std::chrono::milliseconds elapsed) {
    if (!progress) return;
    std::fprintf(stderr, "\rprofile: %5.1f/%.1f s  %s", std::chrono::duration<double>(elapsed).count(),
                 std::chrono::duration<double>(total).count(), watch->live_text().c_str());
  });
  if (progress) std::fputc('\n', stderr);
  result.context.command_line = o.command_line;
  // The samples cannot be taken again: when --out fails now, they go next to it or to a temp file.
  Error first = io_error("");
  auto written = write_file_or_fallback(o.out, run_result_to_json(result), &first);
  if (!written) return report_error(written.error());
  if (result.profile) print_summary(*result.profile);
  std::printf("wrote %s%s\n", written->c_str(), result.partial ? " (partial: interrupted)" : "");
  if (*written != o.out)
    return report_error(io_error(first.message + "; the profile was written to " + *written + " instead"));
  return ExitCode::kPass;
}

}  // namespace

void add_profile_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<ProfileOptions>();
  CLI::App* cmd = app.add_subcommand(
      "profile", "Sample processes (/proc) and PostgreSQL for a fixed time and write a profile-only result");
  add_instrument_flags(cmd, o->instruments);
  cmd->add_option("--duration", o->duration, "How long to sample, e.g. 10s, 5m")->required();
  cmd->add_option("--out", o->out, "Write the result JSON here")->required();
  cmd->callback([o, &slot] {
    o->command_line = describe_command(*o);
    slot.run = [o] { return run_profile(*o); };
  });
}

}  // namespace perfgate::cli
