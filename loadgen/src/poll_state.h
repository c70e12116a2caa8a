#pragma once
// The polling state machine of one step (seed 002's job): after each response, done when the
// conditions held, otherwise the next poll one interval after the previous one was sent, or a
// deadline miss when that would start after the deadline. Pure: times are passed in.

#include <chrono>
#include <cstdint>

#include "core/clock.h"

namespace perfgate {

class PollState {
 public:
  enum class Next { kDone, kRetry, kDeadline };
  struct Decision {
    Next next = Next::kDone;
    MonoTime at{0};  ///< kRetry: when to send the next poll; kDeadline: when the deadline passed
  };

  /// Starts polling; `due` is when the step became due (the deadline counts from it).
  void begin(MonoTime due, std::chrono::nanoseconds interval, std::chrono::nanoseconds deadline);
  /// A poll request was sent at `sent`.
  void on_sent(MonoTime sent);
  /// A response completed at `done`; `held` says whether every `until` condition held.
  Decision on_response(MonoTime done, bool held);

  /// Requests sent so far.
  [[nodiscard]] int64_t polls() const { return polls_; }
  [[nodiscard]] MonoTime due() const { return due_; }
  [[nodiscard]] MonoTime deadline() const { return due_ + deadline_; }

 private:
  MonoTime due_{0};
  MonoTime last_sent_{0};
  std::chrono::nanoseconds interval_{0};
  std::chrono::nanoseconds deadline_{0};
  int64_t polls_ = 0;
};

}  // namespace perfgate
