#pragma once
// Live progress of a run on a terminal or a log: a RunObserver that prints one line per interval.

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "loadgen/engine.h"

namespace perfgate {

/// How progress is printed.
enum class ProgressStyle {
  kUpdatingLine,   ///< a terminal: one line rewritten in place every interval
  kPeriodicLines,  ///< a log or pipe: one plain line every `period`
};

/// Prints elapsed/total, phase, current vs target rate, last-interval p50/p95/p99, errors and
/// schedule lag, plus a saturation warning. Calls come from the engine's coordinating thread only.
class ConsoleProgress final : public RunObserver {
 public:
  /// `out` (not owned, e.g. stderr) must outlive the observer.
  ConsoleProgress(std::FILE* out, ProgressStyle style, std::chrono::seconds period = std::chrono::seconds(10));

  /// Appends `extra()` to every progress line (e.g. the watched server's RSS and CPU); called on
  /// the engine's coordinating thread, so `extra` must be safe to call from there. Empty: nothing.
  void set_extra_text(std::function<std::string()> extra) { extra_ = std::move(extra); }

  void on_interval(const LiveStatus& status) override;
  void on_finish(RunResult& result) override;

 private:
  std::FILE* out_;
  ProgressStyle style_;
  std::chrono::seconds period_;
  std::chrono::nanoseconds next_print_{0};
  int64_t errors_ = 0;
  bool line_open_ = false;
  std::function<std::string()> extra_;
};

}  // namespace perfgate
