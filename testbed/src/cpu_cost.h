#pragma once
// The soak CPU knob of perfgate-testbed (--cpu-per-request-us, --cpu-growth-us): every request burns
// a known amount of CPU that grows with the number of requests served before it, so a soak's measured
// CPU-per-request drift can be checked against the truth (tests/integration/soak_test.cpp).

#include <atomic>
#include <cstdint>

namespace perfgate::testbed_service {

/// Per-request CPU burner. Thread-safe.
class CpuCost {
 public:
  /// `base_us` (>= 0): CPU microseconds the first request burns; `growth_us` (>= 0): added for every
  /// request served before. At a steady arrival rate R the cost drifts by growth_us x R per second.
  CpuCost(double base_us, double growth_us);

  /// Burns base_us + growth_us x (requests burned before) microseconds of the calling thread's CPU
  /// time (busy, measured on CLOCK_THREAD_CPUTIME_ID, so a preempted thread still burns the full
  /// amount), and counts this request.
  void burn();

 private:
  const double base_us_;
  const double growth_us_;
  std::atomic<int64_t> served_{0};
};

}  // namespace perfgate::testbed_service
