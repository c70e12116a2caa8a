#include "stop_on_signals.h"

namespace perfgate::pipeline_detail {
namespace {

StopSignal* g_stop = nullptr;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

// Async-signal-safe: one atomic store, then the previous handlers come back so that a second
// Ctrl-C is not swallowed while the partial result is being written.
extern "C" void on_stop_signal(int) {
  if (g_stop != nullptr) g_stop->request_stop();
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

}  // namespace

StopOnSignals::StopOnSignals(StopSignal& stop) {
  g_stop = &stop;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
  g_previous_int = old_int_;
  g_previous_term = old_term_;
}

StopOnSignals::~StopOnSignals() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  g_stop = nullptr;
}

}  // namespace perfgate::pipeline_detail
