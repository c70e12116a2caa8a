#include "cli/instruments.h"

#include <cmath>

#include "analyzers/query_analyzer.h"
#include "core/units.h"

namespace perfgate::cli {

void add_instrument_flags(CLI::App* cmd, InstrumentOptions& o) {
  cmd->add_option("--watch-pid,--pid", o.watch_pids, "Profile this server process and its children (repeatable)");
  cmd->add_option("--watch-pattern,--pattern", o.watch_pattern,
                  "Profile processes whose command line matches this regex (ECMAScript)");
  cmd->add_flag_callback(
      "--no-children", [&o] { o.children = ChildProcesses::kExclude; },
      "Do not include child processes of watched processes");
  cmd->add_option("--spawn", o.spawn, "Start this server command (sh -c), profile it, stop it at the end");
  cmd->add_option("--ready", o.ready_url, "With --spawn: wait until this loopback URL answers 200");
  cmd->add_option("--ready-timeout", o.ready_timeout, "How long to wait for --ready (default 30s)");
  cmd->add_option("--sample-interval,--interval", o.sample_interval, "Process sampling interval (default 100ms)");
  cmd->add_option("--pg", o.pg_dsn, "PostgreSQL DSN: sample activity (run: and analyse its pg_stat_statements delta)");
  cmd->add_option("--pg-interval", o.pg_interval,
                  "PostgreSQL sampling interval (default: the sample interval, at least 1s)");
}

void add_telemetry_flags(CLI::App* cmd, InstrumentOptions& o) {
  cmd->add_option("--metrics-listen", o.metrics_listen,
                  "Serve Prometheus metrics on http://HOST:PORT/metrics during the run (e.g. 127.0.0.1:9464)");
  cmd->add_option("--metrics-file", o.metrics_file, "Write the final Prometheus exposition to this file");
  cmd->add_option("--metrics-linger", o.metrics_linger,
                  "After a scraped run, serve /metrics until one more scrape, at most this long (default 15s)");
  cmd->add_option("--otlp-endpoint", o.otlp_endpoint,
                  "Push metrics as OTLP/HTTP JSON to this collector (e.g. http://127.0.0.1:4318)");
  cmd->add_option("--otlp-interval", o.otlp_interval, "Time between OTLP pushes (default 5s)");
}

void print_telemetry_summary(std::FILE* out, const RunResult& r) {
  if (!r.telemetry) return;
  const TelemetryInfo& t = *r.telemetry;
  if (!t.metrics_file.empty() && t.metrics_file_error.empty())
    std::fprintf(out, "metrics: %s\n", t.metrics_file.c_str());
  if (!t.otlp_endpoint.empty()) {
    std::fprintf(out, "otlp: %lld of %lld pushes to %s failed%s%s\n", static_cast<long long>(t.otlp_failed_pushes),
                 static_cast<long long>(t.otlp_pushes), t.otlp_endpoint.c_str(),
                 t.otlp_last_error.empty() ? "" : "; last: ", t.otlp_last_error.c_str());
  }
}

void print_instrument_summary(std::FILE* out, const RunResult& r, const Findings* findings,
                              const std::string& findings_path) {
  if (r.profile) {
    const Profile& p = *r.profile;
    const ProfileSummary& s = p.summary;
    if (!p.processes.empty()) {
      std::fprintf(out,
                   "server: %zu process(es), peak RSS %s, mean CPU %.0f%% of a core, %.0f us CPU/request, "
                   "RSS slope %+.1f MB/h (+/- %.1f)",
                   p.processes.size(), format_bytes(static_cast<double>(s.peak_rss_bytes)).c_str(), s.mean_cpu_percent,
                   s.cpu_us_per_request, s.rss_slope_mb_per_hour, s.rss_slope_ci_mb_per_hour);
      if (s.cpu_per_request_intervals >= 3) {
        const double slope = s.cpu_per_request_slope_us_per_hour;
        std::fprintf(out, ", CPU/request drift %s%s/h (+/- %s)", slope < 0 ? "-" : "+",
                     format_duration_us(std::fabs(slope)).c_str(),
                     format_duration_us(s.cpu_per_request_slope_ci_us_per_hour).c_str());
      }
      std::fputc('\n', out);
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
      std::fprintf(out,
                   "findings are INCONCLUSIVE: pg_stat_statements lost entries or was reset during the run "
                   "(see the notes; raise pg_stat_statements.max)\n");
    }
    std::fprintf(out, "findings: %s\n", findings_path.c_str());
  }
}

}  // namespace perfgate::cli
