#pragma once
// Seeded synthetic runs for the gate's tests: endpoints with log-normal latency, per-second noise
// that scales a whole second (a noisy machine), errors and phases.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/run_result.h"

namespace perfgate::testing {

struct SyntheticEndpoint {
  std::string name = "reports.sales";
  double median_ms = 100;      ///< median latency of one request
  double sigma = 0.4;          ///< log-normal shape of one request's latency
  double second_noise = 0.10;  ///< log-normal sd of a whole second's scale factor
  int rps = 40;
  double error_rate = 0;
};

struct SyntheticRun {
  std::vector<SyntheticEndpoint> endpoints{SyntheticEndpoint{}};
  int seconds = 30;
  int warmup_seconds = 0;
  uint64_t seed = 1;
  std::string scenario_hash = "abc123";
  double target_rps = 40;
};

inline RunResult make_run(const SyntheticRun& spec) {
  std::mt19937_64 rng(spec.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  RunResult r;
  r.context.scenario_name = "synthetic";
  r.context.scenario_hash = spec.scenario_hash;
  r.target_rps = spec.target_rps;
  r.duration_s = spec.seconds;
  if (spec.warmup_seconds > 0)
    r.phases.push_back(PhaseInfo{"warm-up", 0, spec.warmup_seconds * 1000LL, 0, 0, 0, 0, true});
  r.phases.push_back(PhaseInfo{"steady", spec.warmup_seconds * 1000LL, (spec.warmup_seconds + spec.seconds) * 1000LL,
                               spec.target_rps, spec.target_rps, 0, 0, false});
  Histogram second;
  for (const auto& s : spec.endpoints) {
    EndpointStats e;
    e.name = s.name;
    for (int t = 0; t < spec.warmup_seconds + spec.seconds; ++t) {
      const bool measured = t >= spec.warmup_seconds;
      const double scale = std::exp(s.second_noise * normal(rng));
      second.reset();
      IntervalStats i;
      i.t_ms = t * 1000LL;
      i.duration_ms = 1000;
      for (int k = 0; k < s.rps; ++k) {
        const auto us = static_cast<int64_t>(s.median_ms * 1000.0 * scale * std::exp(s.sigma * normal(rng)));
        const bool error = uniform(rng) < s.error_rate;
        second.record(us);
        ++i.requests;
        ++i.sent;
        if (error) ++i.errors;
        if (!measured) continue;
        e.latency.record(us);
        e.service_time.record(us);
        ++e.requests;
        if (error) e.errors.add(Outcome::kStatus5xx);
      }
      i.p50_us = static_cast<double>(second.value_at_percentile(50));
      i.p90_us = static_cast<double>(second.value_at_percentile(90));
      i.p95_us = static_cast<double>(second.value_at_percentile(95));
      i.p99_us = static_cast<double>(second.value_at_percentile(99));
      i.max_us = static_cast<double>(second.max());
      e.timeline.push_back(i);
    }
    r.endpoints.push_back(std::move(e));
  }
  r.achieved_rps = static_cast<double>(r.total_requests()) / spec.seconds;
  return r;
}

}  // namespace perfgate::testing
