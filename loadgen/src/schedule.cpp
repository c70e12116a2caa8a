#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>

namespace perfgate {
namespace {

constexpr double kNsPerS = 1e9;

double to_seconds(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

// Smallest tau >= 0 with  rate0 * tau + slope * tau^2 / 2 == need  (need > 0 lies within the segment).
// The rationalised root 2c / (b + sqrt(b^2 + 2ac)) avoids cancellation when slope is tiny and works
// for ramps down as well as up.
long double solve_within(long double rate0, long double slope, long double need) {
  if (need <= 0) return 0;
  if (slope == 0) return need / rate0;
  const long double disc = std::max<long double>(0, rate0 * rate0 + 2 * slope * need);
  return 2 * need / (rate0 + std::sqrt(disc));
}

}  // namespace

Result<PiecewiseLinear> PiecewiseLinear::create(double start_value, const std::vector<Stage>& stages) {
  if (stages.empty()) return invalid_input("stages: at least one stage is needed");
  if (!(start_value >= 0)) return invalid_input("start target: must be >= 0");
  PiecewiseLinear curve;
  double t = 0;
  double value = start_value;
  double area = 0;
  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& stage = stages[i];
    if (stage.duration.count() < 0) return invalid_input("stages[" + std::to_string(i) + "].duration: must be >= 0");
    if (!(stage.target >= 0)) return invalid_input("stages[" + std::to_string(i) + "].target: must be >= 0");
    const double d = to_seconds(stage.duration);
    if (d > 0) {
      curve.segments_.push_back(ShapeSegment{t, t + d, value, stage.target});
      curve.cumulative_.push_back(area);
      area += (value + stage.target) / 2 * d;
    }
    t += d;
    value = stage.target;
  }
  if (curve.segments_.empty()) return invalid_input("stages: total duration must be > 0");
  return curve;
}

double PiecewiseLinear::value_at(double t_s) const {
  for (const auto& s : segments_) {
    if (t_s >= s.start_s && t_s < s.end_s) {
      return s.from + (s.to - s.from) * (t_s - s.start_s) / (s.end_s - s.start_s);
    }
  }
  return 0;
}

double PiecewiseLinear::integral_to(double t_s) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    const auto& s = segments_[i];
    if (t_s < s.end_s) {
      const double tau = std::max(0.0, t_s - s.start_s);
      const double slope = (s.to - s.from) / (s.end_s - s.start_s);
      return cumulative_[i] + s.from * tau + slope * tau * tau / 2;
    }
  }
  const auto& last = segments_.back();
  return cumulative_.back() + (last.from + last.to) / 2 * (last.end_s - last.start_s);
}

double PiecewiseLinear::peak() const {
  double p = 0;
  for (const auto& s : segments_) p = std::max({p, s.from, s.to});
  return p;
}

ArrivalSchedule::ArrivalSchedule(PiecewiseLinear rate) : rate_(std::move(rate)) {
  // Request i exists when the integral over the whole run exceeds i; the epsilon keeps 500/s x 15 s at
  // exactly 7500 despite floating-point noise in the area.
  const double total = rate_.integral_to(rate_.duration_s());
  total_requests_ = static_cast<int64_t>(std::ceil(total - 1e-9));
}

Result<ArrivalSchedule> ArrivalSchedule::create(double start_rate, const std::vector<Stage>& stages) {
  auto curve = PiecewiseLinear::create(start_rate, stages);
  if (!curve) return curve.error();
  return ArrivalSchedule(std::move(*curve));
}

std::optional<std::chrono::nanoseconds> ArrivalSchedule::due_time(int64_t index) const {
  if (index < 0 || index >= total_requests_) return std::nullopt;
  const auto& segs = rate_.segments();
  const long double target = static_cast<long double>(index);
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    const long double start_area = rate_.integral_to(s.start_s);
    const long double end_area =
        i + 1 < segs.size() ? rate_.integral_to(segs[i + 1].start_s) : rate_.integral_to(rate_.duration_s());
    // The first segment whose accumulated area passes `index` holds the due time; zero-rate stretches
    // never do, so a pause at the start delays request 0 instead of firing it at t = 0.
    if (end_area > target || (i + 1 == segs.size())) {
      if (target < start_area) continue;
      const long double slope = (s.to - s.from) / (s.end_s - s.start_s);
      const long double tau = solve_within(s.from, slope, target - start_area);
      const long double t = std::min<long double>(s.start_s + tau, s.end_s);
      return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(t * kNsPerS)));
    }
  }
  return std::nullopt;
}

double ArrivalSchedule::rate_at(std::chrono::nanoseconds t) const {
  return rate_.value_at(static_cast<double>(t.count()) / kNsPerS);
}

Result<VuSchedule> VuSchedule::create(double start_vus, const std::vector<Stage>& stages) {
  auto curve = PiecewiseLinear::create(start_vus, stages);
  if (!curve) return curve.error();
  return VuSchedule(std::move(*curve));
}

int64_t VuSchedule::active_at(std::chrono::nanoseconds t) const {
  // The epsilon stops 9.999999 (a ramp's float noise) from losing a whole user.
  return static_cast<int64_t>(std::floor(curve_.value_at(static_cast<double>(t.count()) / kNsPerS) + 1e-9));
}

int64_t VuSchedule::peak() const { return static_cast<int64_t>(std::floor(curve_.peak() + 1e-9)); }

EndpointPicker::EndpointPicker(const std::vector<double>& weights, uint64_t seed) : rng_(seed) {
  double sum = 0;
  for (double w : weights) {
    sum += std::max(0.0, w);
    cumulative_.push_back(sum);
  }
}

size_t EndpointPicker::next() {
  if (cumulative_.size() <= 1) return 0;
  // 53 random bits -> [0, 1) exactly as doubles allow; std::uniform_real_distribution is not
  // guaranteed identical across standard libraries, and a seed must reproduce the same mix.
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53 * cumulative_.back();
  const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  return std::min(static_cast<size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

std::vector<PhasePlan> plan_phases(const LoadShape& shape) {
  std::vector<PhasePlan> phases;
  std::chrono::nanoseconds t{0};
  double value = shape.start_target;
  for (const auto& stage : shape.stages) {
    const std::string name = stage.phase.empty() ? "main" : stage.phase;
    const auto end = t + std::chrono::duration_cast<std::chrono::nanoseconds>(stage.duration);
    if (!phases.empty() && phases.back().name == name) {
      phases.back().end = end;
      phases.back().target_end = stage.target;
    } else if (stage.duration.count() > 0) {
      phases.push_back(PhasePlan{name, t, end, value, stage.target, name == "warm-up" || name == "warmup"});
    }
    t = end;
    value = stage.target;
  }
  return phases;
}

size_t phase_index_at(const std::vector<PhasePlan>& phases, std::chrono::nanoseconds t) {
  for (size_t i = 0; i < phases.size(); ++i) {
    if (t < phases[i].end) return i;
  }
  return phases.empty() ? 0 : phases.size() - 1;
}

}  // namespace perfgate
