#include "cli/run_summary.h"

#include "core/redact.h"
#include "core/units.h"

namespace perfgate::cli {

void print_run_summary(std::FILE* out, const RunResult& r, const std::string& result_path) {
  std::fprintf(out, "\n%s: %s model, %.1f s measured, %.1f req/s achieved", r.context.scenario_name.c_str(),
               r.model == LoadModel::kOpen ? "open" : "closed (latency is service time)", r.duration_s, r.achieved_rps);
  if (r.target_rps) std::fprintf(out, " of %.1f target", *r.target_rps);
  const char* mark = r.status == RunStatus::kFailed ? (r.total_requests() == 0 ? " [FAILED: nothing completed]"
                                                                               : " [FAILED: no request succeeded]")
                     : r.partial && r.merge         ? " [PARTIAL: a segment is missing or was interrupted]"
                     : r.partial                    ? " [PARTIAL: interrupted]"
                                                    : "";
  std::fprintf(out, "%s\n", mark);
  if (r.segment) {
    std::fprintf(out, "segment %s of a distributed run: merge every shard's result with 'perfgate merge'\n",
                 r.segment->to_string().c_str());
  }
  std::fprintf(out, "%-28s %9s %7s %9s %9s %9s %9s %9s | %9s %9s\n", "endpoint", "requests", "errors", "p50", "p90",
               "p95", "p99", "max", "svc p50", "svc p99");
  for (const auto& e : r.endpoints) {
    const LatencySummary s = LatencySummary::of(e.latency);
    const LatencySummary v = LatencySummary::of(e.service_time);
    std::fprintf(
        out, "%-28s %9lld %7lld %9s %9s %9s %9s %9s | %9s %9s\n", e.name.c_str(), static_cast<long long>(e.requests),
        static_cast<long long>(e.errors.total), format_duration_us(s.p50).c_str(), format_duration_us(s.p90).c_str(),
        format_duration_us(s.p95).c_str(), format_duration_us(s.p99).c_str(), format_duration_us(s.max).c_str(),
        format_duration_us(v.p50).c_str(), format_duration_us(v.p99).c_str());
    if (e.errors.total > 0) {
      std::fprintf(out, "  errors:");
      for (const auto& [category, n] : e.errors.by_category)
        std::fprintf(out, " %s=%lld", category.c_str(), static_cast<long long>(n));
      std::fprintf(out, "\n");
    }
  }
  if (r.model == LoadModel::kOpen) {
    std::fprintf(out, "latency is measured from each request's due time; svc = service time (send -> done)\n");
  }
  const auto& g = r.generator;
  std::fprintf(out, "generator: schedule lag mean %s max %s, %lld requests >1 ms late, CPU %.0f%%%s%s\n",
               format_duration_us(g.mean_schedule_lag_us).c_str(), format_duration_us(g.max_schedule_lag_us).c_str(),
               static_cast<long long>(g.requests_behind), g.cpu_percent, g.saturated ? " — SATURATED: " : "",
               g.saturated ? g.note.c_str() : "");
  if (const auto per_stream = g.rss_per_stream_bytes()) {
    std::fprintf(out, "streams: %lld open at peak, generator RSS %s idle -> %s peak, %s per open stream\n",
                 static_cast<long long>(g.peak_open_streams),
                 format_bytes(static_cast<double>(g.rss_idle_bytes)).c_str(),
                 format_bytes(static_cast<double>(g.rss_peak_bytes)).c_str(), format_bytes(*per_stream).c_str());
  }
  for (const auto& s : r.spikes) {
    std::fprintf(out, "spike %s: errors %.1f%% (%lld of %lld); ", s.phase.c_str(), s.error_share * 100,
                 static_cast<long long>(s.errors), static_cast<long long>(s.requests));
    if (s.recovery_s) {
      std::fprintf(out, "p95 back under %s %.1f s after it ended", format_duration_us(s.p95_limit_us).c_str(),
                   *s.recovery_s);
    } else {
      std::fprintf(out, "p95 not back under %s in the %.1f s observed after it",
                   format_duration_us(s.p95_limit_us).c_str(), s.observed_after_s);
    }
    std::fprintf(out, " (limit: %s)\n", s.limit_source == "baseline" ? "2 x the p95 before the spike" : "--spike-p95");
  }
  std::fprintf(out, "result: %s\n", result_path.c_str());
}

}  // namespace perfgate::cli
