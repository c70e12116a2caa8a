#pragma once
// What the coordinator gathered during a run, and the assembly of the final RunResult from it.

#include <chrono>
#include <vector>

#include "core/run_result.h"
#include "run_plan.h"
#include "worker.h"

namespace perfgate {

/// The run as the coordinator saw it: timelines, health totals, how it ended.
struct RunRecord {
  std::vector<IntervalStats> timeline;                         // whole run
  std::vector<std::vector<IntervalStats>> endpoint_timelines;  // by endpoint
  IntervalAccum totals;                                        // health counters over the whole run
  int64_t sent = 0;
  std::chrono::nanoseconds elapsed{0};  // when the last request finished, or the stop
  std::chrono::nanoseconds ran{0};      // from the schedule's start until the last worker exited
  bool stopped = false;                 // stopped before the schedule ended
  bool gave_up = false;                 // stopped because nothing connected for give_up_after
  double cpu_percent = 0;
  int64_t rss_idle_bytes = -1;    // before the first request
  int64_t rss_peak_bytes = -1;    // highest sampled during the run
  int64_t peak_open_streams = 0;  // most streams open at once (sampled)
  int64_t start_unix_ms = 0;      // wall-clock instant of the schedule's t = 0
};

/// Turns one interval's merged figures into the whole-run point and appends per-endpoint points.
void append_interval(RunRecord& record, const IntervalAccum& interval, int64_t t_ms, int64_t duration_ms);

/// kFailed when the run gave up or no request succeeded (none completed, or all were errors),
/// else kPartial when stopped before the end, else kComplete.
RunStatus run_status(const RunRecord& record, int64_t requests, int64_t errors);

/// Health so far: lag statistics, requests behind and a saturation verdict with its reason.
GeneratorHealth health_of(const RunRecord& record, const RunPlan& plan);

/// PhaseInfo for every planned phase.
std::vector<PhaseInfo> phase_infos(const RunPlan& plan);

/// Builds the result: merges every worker's cells by phase and endpoint, excludes warm-up from the
/// overall figures, and computes rates over the measured (non-warm-up) time actually run.
RunResult assemble_result(const Scenario& scenario, const RunPlan& plan, const std::vector<const Worker*>& workers,
                          const RunRecord& record);

}  // namespace perfgate
