#include "poll_state.h"

#include <algorithm>

namespace perfgate {

void PollState::begin(MonoTime due, std::chrono::nanoseconds interval, std::chrono::nanoseconds deadline) {
  due_ = due;
  last_sent_ = due;
  interval_ = interval;
  deadline_ = deadline;
  polls_ = 0;
}

void PollState::on_sent(MonoTime sent) {
  last_sent_ = sent;
  ++polls_;
}

PollState::Decision PollState::on_response(MonoTime done, bool held) {
  if (held) return {Next::kDone, done};
  // The cadence is one interval from send to send, as a client polling on a timer does; a response
  // slower than the interval is followed at once rather than piling requests up.
  const MonoTime next = std::max(done, last_sent_ + interval_);
  if (next > deadline()) return {Next::kDeadline, std::max(done, deadline())};
  return {Next::kRetry, next};
}

}  // namespace perfgate
