#pragma once
// The spike-recovery knob of perfgate-testbed (--overload-rps, --recover-after-ms): a service that
// sheds load above a rate and stays degraded for a known time after the load falls back, so a spike
// scenario's measured recovery can be checked against the truth (tests/integration/spike_test.cpp).

#include <chrono>
#include <deque>
#include <mutex>

namespace perfgate::testbed_service {

/// What to do with one arriving request.
struct OverloadDecision {
  bool shed = false;                   ///< answer 503 at once: above the rate the service takes
  std::chrono::milliseconds delay{0};  ///< serve it this much later: degraded after an overload
};

/// Arrival-rate watcher. Thread-safe.
class Overload {
 public:
  /// `max_rps` (> 0): arrivals per second taken, measured over the last 250 ms; `recover_after`:
  /// how long after the rate was last above `max_rps` responses stay degraded; `degraded`: the delay
  /// added to each of them.
  Overload(double max_rps, std::chrono::milliseconds recover_after, std::chrono::milliseconds degraded);

  /// Records an arrival at `now` and decides its fate: shed while the window holds more than its
  /// share of `max_rps`, delayed until `recover_after` past the last shed arrival, else untouched.
  OverloadDecision on_arrival(std::chrono::steady_clock::time_point now);

 private:
  static constexpr std::chrono::milliseconds kWindow{250};
  const double max_in_window_;
  const std::chrono::milliseconds recover_after_;
  const std::chrono::milliseconds degraded_;
  std::mutex mutex_;
  std::deque<std::chrono::steady_clock::time_point> arrivals_;  // taken arrivals within the window
  std::chrono::steady_clock::time_point last_overload_{};
  bool overloaded_once_ = false;
};

}  // namespace perfgate::testbed_service
