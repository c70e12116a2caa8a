#pragma once
// Arrival schedules: when request i is due (open model), how many virtual users are active (closed
// model), which endpoint an arrival goes to, and the phases a load shape is divided into.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/result.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// One straight piece of a piecewise-linear load shape: the value goes from `from` to `to` over
/// [start, end) (seconds since run start).
struct ShapeSegment {
  double start_s = 0;
  double end_s = 0;
  double from = 0;
  double to = 0;
};

/// The piecewise-linear curve a LoadShape describes (rate in arrivals/s, or virtual users).
/// Immutable after construction; safe to share between threads.
class PiecewiseLinear {
 public:
  /// Builds the curve from a start value and stages; errors (kInvalidInput) on a negative target or
  /// duration, or no stages.
  static Result<PiecewiseLinear> create(double start_value, const std::vector<Stage>& stages);

  /// The value at `t_s` seconds (0 outside [0, duration)).
  [[nodiscard]] double value_at(double t_s) const;
  /// Integral of the curve over [0, t_s] (arrivals due by then, for a rate curve).
  [[nodiscard]] double integral_to(double t_s) const;
  /// Largest value of the curve.
  [[nodiscard]] double peak() const;
  /// Total length in seconds.
  [[nodiscard]] double duration_s() const { return segments_.empty() ? 0 : segments_.back().end_s; }
  [[nodiscard]] const std::vector<ShapeSegment>& segments() const { return segments_; }

 private:
  std::vector<ShapeSegment> segments_;
  std::vector<double> cumulative_;  // integral at each segment's start
};

/// Open model: request i (0-based) is due at the first instant the integral of the rate exceeds i,
/// computed exactly per segment (linear rate -> quadratic integral), so due times never drift.
/// Immutable; safe to share between threads.
class ArrivalSchedule {
 public:
  /// Builds a schedule from arrivals/s values; errors as PiecewiseLinear::create.
  static Result<ArrivalSchedule> create(double start_rate, const std::vector<Stage>& stages);

  /// Due time of request `index` since the run's start, or nullopt if it falls at or after the end.
  [[nodiscard]] std::optional<std::chrono::nanoseconds> due_time(int64_t index) const;
  /// Number of requests the schedule issues in total.
  [[nodiscard]] int64_t total_requests() const { return total_requests_; }
  /// Target arrival rate (per second) at `t` since the run's start.
  [[nodiscard]] double rate_at(std::chrono::nanoseconds t) const;
  [[nodiscard]] const PiecewiseLinear& rate() const { return rate_; }

 private:
  explicit ArrivalSchedule(PiecewiseLinear rate);
  PiecewiseLinear rate_;
  int64_t total_requests_ = 0;
};

/// Closed model: how many virtual users are active at a time (the floor of the VU curve, so a ramp
/// from 0 to 10 over 10 s adds one user per second). Immutable; safe to share between threads.
class VuSchedule {
 public:
  static Result<VuSchedule> create(double start_vus, const std::vector<Stage>& stages);
  /// Active virtual users at `t` since the run's start (0 at or after the end).
  [[nodiscard]] int64_t active_at(std::chrono::nanoseconds t) const;
  /// Largest number of users ever active.
  [[nodiscard]] int64_t peak() const;
  [[nodiscard]] const PiecewiseLinear& curve() const { return curve_; }

 private:
  explicit VuSchedule(PiecewiseLinear curve) : curve_(std::move(curve)) {}
  PiecewiseLinear curve_;
};

/// Weighted choice of an endpoint with a seeded generator: the same seed gives the same sequence.
/// Not thread-safe: one picker per worker.
class EndpointPicker {
 public:
  /// `weights` must be non-empty with a positive sum (negative weights count as 0).
  EndpointPicker(const std::vector<double>& weights, uint64_t seed);
  /// Index of the next endpoint, in [0, weights.size()).
  size_t next();

 private:
  std::vector<double> cumulative_;
  std::mt19937_64 rng_;
};

/// A phase of the run: consecutive stages with the same phase name ("main" when unnamed).
struct PhasePlan {
  std::string name;
  std::chrono::nanoseconds start{0};
  std::chrono::nanoseconds end{0};
  double target_start = 0;  ///< rate or VUs at the phase's start
  double target_end = 0;
  bool excluded = false;  ///< warm-up: kept on the timeline, not in the results
};

/// Splits a load shape into phases. "warm-up" / "warmup" phases are excluded.
std::vector<PhasePlan> plan_phases(const LoadShape& shape);

/// Index of the phase containing `t` (the last phase for t past the end, 0 before the start).
size_t phase_index_at(const std::vector<PhasePlan>& phases, std::chrono::nanoseconds t);

}  // namespace perfgate
