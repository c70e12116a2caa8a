#pragma once
// Injected time (STYLE.md, after Nighthawk): code that measures takes a Clock so that tests never sleep.

#include <chrono>
#include <cstdint>
#include <string>

namespace perfgate {

/// Monotonic nanoseconds since an arbitrary epoch; differences are durations.
using MonoTime = std::chrono::nanoseconds;

/// A source of monotonic time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current monotonic time. Never goes backwards.
  [[nodiscard]] virtual MonoTime now() const = 0;
};

/// CLOCK_MONOTONIC, the clock every interval in perfgate is measured with (never gettimeofday).
class SteadyClock final : public Clock {
 public:
  [[nodiscard]] MonoTime now() const override;
  /// A process-wide instance.
  static const SteadyClock& instance();
};

/// A clock tests move by hand. Not thread-safe: advance it from the test's thread only.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(MonoTime start = MonoTime{0}) : now_(start) {}
  [[nodiscard]] MonoTime now() const override { return now_; }
  void advance(MonoTime by) { now_ += by; }
  void set(MonoTime to) { now_ = to; }

 private:
  MonoTime now_;
};

/// Wall-clock time as ISO-8601 UTC with milliseconds, e.g. "2026-11-24T10:15:03.250Z".
std::string iso8601_utc_now();

}  // namespace perfgate
