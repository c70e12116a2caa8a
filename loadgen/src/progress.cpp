#include "loadgen/progress.h"

#include "core/units.h"

namespace perfgate {

ConsoleProgress::ConsoleProgress(std::FILE* out, ProgressStyle style, std::chrono::seconds period)
    : out_(out), style_(style), period_(period) {}

void ConsoleProgress::on_interval(const LiveStatus& s) {
  errors_ += s.interval.errors;
  if (style_ == ProgressStyle::kPeriodicLines) {
    if (s.elapsed < next_print_) return;
    next_print_ = s.elapsed + period_;
  }
  const double seconds = static_cast<double>(s.interval.duration_ms) / 1000.0;
  const double rps = seconds > 0 ? static_cast<double>(s.interval.requests) / seconds : 0;
  // Past the schedule's end nothing is due any more; the last responses are draining. Showing the
  // phase and a "0/s target" there read as the run overrunning or the target collapsing.
  const bool draining = s.elapsed >= s.total && s.total.count() > 0;
  char target[48];
  if (draining)
    std::snprintf(target, sizeof target, "schedule done");
  else if (s.model == LoadModel::kOpen)
    std::snprintf(target, sizeof target, "%.0f/s target", s.target);
  else
    std::snprintf(target, sizeof target, "%.0f users", s.target);
  const std::string extra = extra_ ? extra_() : std::string();
  std::fprintf(
      out_,
      "%s[%5.1fs/%.0fs] %s%s  %7.0f req/s (%s)  p50 %s p95 %s p99 %s  errors %lld  lag %s  in flight %lld%s%s%s%s",
      style_ == ProgressStyle::kUpdatingLine ? "\r\033[K" : "", static_cast<double>(s.elapsed.count()) / 1e9,
      static_cast<double>(s.total.count()) / 1e9, draining ? "draining the last responses" : s.phase.c_str(),
      s.phase_excluded && !draining ? " (excluded)" : "", rps, target, format_duration_us(s.interval.p50_us).c_str(),
      format_duration_us(s.interval.p95_us).c_str(), format_duration_us(s.interval.p99_us).c_str(),
      static_cast<long long>(errors_), format_duration_us(s.interval.schedule_lag_us).c_str(),
      static_cast<long long>(s.in_flight), extra.empty() ? "" : "  ", extra.c_str(),
      s.health.saturated ? "  GENERATOR SATURATED" : "", style_ == ProgressStyle::kUpdatingLine ? "" : "\n");
  line_open_ = style_ == ProgressStyle::kUpdatingLine;
  std::fflush(out_);
}

void ConsoleProgress::on_finish(RunResult& result) {
  if (line_open_) std::fputc('\n', out_);
  line_open_ = false;
  if (result.generator.saturated) std::fprintf(out_, "warning: %s\n", result.generator.note.c_str());
  std::fflush(out_);
}

}  // namespace perfgate
