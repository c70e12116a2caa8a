#include "overload.h"

namespace perfgate::testbed_service {

Overload::Overload(double max_rps, std::chrono::milliseconds recover_after, std::chrono::milliseconds degraded)
    : max_in_window_(max_rps * std::chrono::duration<double>(kWindow).count()),
      recover_after_(recover_after),
      degraded_(degraded) {}

OverloadDecision Overload::on_arrival(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  while (!arrivals_.empty() && now - arrivals_.front() >= kWindow) arrivals_.pop_front();
  OverloadDecision d;
  // Only taken arrivals fill the window: a shed request costs the service nothing, so the rate it
  // takes stays at max_rps however hard the spike pushes, and the shedding ends with the spike.
  if (static_cast<double>(arrivals_.size()) + 1 > max_in_window_) {
    d.shed = true;
    last_overload_ = now;
    overloaded_once_ = true;
    return d;
  }
  arrivals_.push_back(now);
  // Degraded from the first shed request until recover_after past the last one: the service is
  // still paying for the spike (caches refilling, queues draining) while the load is back to normal.
  if (overloaded_once_ && now - last_overload_ < recover_after_) d.delay = degraded_;
  return d;
}

}  // namespace perfgate::testbed_service
