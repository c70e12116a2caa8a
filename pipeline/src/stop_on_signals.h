#pragma once
// Graceful stop on Ctrl-C for commands that drive a run: the first SIGINT/SIGTERM asks the engine to
// stop (the partial result is still written); a second one kills, as users expect.

#include <csignal>

#include "loadgen/engine.h"

namespace perfgate::pipeline_detail {

/// While alive, SIGINT and SIGTERM call `stop.request_stop()` once and then revert to the handlers
/// that were installed before (so a second signal acts as it did before: default death, or the
/// throw-away clusters' cleanup). One instance at a time per process; not thread-safe to construct.
class StopOnSignals {
 public:
  explicit StopOnSignals(StopSignal& stop);
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

}  // namespace perfgate::pipeline_detail
