#pragma once
// The state one flow iteration carries between its steps: variable values, the current step's
// capture, polling and stream bookkeeping. Pooled per worker and reused.

#include <chrono>

#include "core/clock.h"
#include "flow_capture.h"
#include "loadgen/transport.h"
#include "poll_state.h"
#include "scenarios/template.h"

namespace perfgate {

struct FlowIteration {
  VariableValues values;
  StepCapture capture;
  PollState poll;
  bool polling = false;                  ///< the current step's poll has begun
  RequestSpec spec;                      ///< rendered request; its strings keep their capacity
  MonoTime sent{0};                      ///< when the current request was sent
  MonoTime cancel_at = MonoTime::max();  ///< stream cancel_after (time)
  std::chrono::nanoseconds think{0};     ///< think time spent between steps so far
};

}  // namespace perfgate
