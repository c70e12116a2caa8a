#include "cpu_cost.h"

#include <time.h>

namespace perfgate::testbed_service {
namespace {

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

}  // namespace

CpuCost::CpuCost(double base_us, double growth_us) : base_us_(base_us), growth_us_(growth_us) {}

void CpuCost::burn() {
  const int64_t before = served_.fetch_add(1, std::memory_order_relaxed);
  const double cost_us = base_us_ + growth_us_ * static_cast<double>(before);
  // CPU time, not wall time: the knob plants a cost per request, which a sleep would not be, and on
  // a loaded machine a wall-clock busy loop would burn less than asked whenever it was preempted.
  const double until = thread_cpu_us() + cost_us;
  while (thread_cpu_us() < until) {
  }
}

}  // namespace perfgate::testbed_service
