// Spike verdicts over hand-built results: which phases are spikes, the baseline limit, recovery.
#include "analyzers/spikes.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

PhaseInfo phase(const std::string& name, int64_t start_ms, int64_t end_ms, double rps) {
  PhaseInfo p;
  p.name = name;
  p.start_ms = start_ms;
  p.end_ms = end_ms;
  p.target_rps_start = p.target_rps_end = rps;
  return p;
}

PhaseStats stats(const std::string& name, int64_t requests, int64_t errors, int64_t latency_us) {
  PhaseStats ps;
  ps.phase = name;
  EndpointStats e;
  e.name = "GET /";
  e.requests = requests;
  e.errors.add(Outcome::kStatus5xx, errors);
  e.latency.record(latency_us, requests);
  ps.endpoints.push_back(std::move(e));
  return ps;
}

// 10 s before at 10/s (p95 20 ms), 5 s spike at 50/s, 10 s after; per-second p95 slow until `slow_until_s`.
RunResult run_with_spike(int slow_until_s) {
  RunResult r;
  r.phases = {phase("steady", 0, 10'000, 10), phase("burst", 10'000, 15'000, 50), phase("after", 15'000, 25'000, 10)};
  r.phase_stats = {stats("steady", 100, 0, 20'000), stats("burst", 250, 50, 900'000), stats("after", 100, 0, 30'000)};
  for (int s = 0; s < 25; ++s) {
    IntervalStats i;
    i.t_ms = s * int64_t{1000};
    i.duration_ms = 1000;
    i.requests = 10;
    i.p50_us = i.p90_us = i.p95_us = i.p99_us = i.max_us = s >= 10 && s < slow_until_s ? 900'000 : 20'000;
    r.timeline.push_back(i);
  }
  return r;
}

TEST(Spikes, AJumpToTwiceTheRateFollowedByLessIsASpikeWithItsErrorShareAndRecovery) {
  const auto verdicts = judge_spikes(run_with_spike(18), std::nullopt);
  ASSERT_EQ(verdicts.size(), 1u);
  const SpikeVerdict& v = verdicts[0];
  EXPECT_EQ(v.phase, "burst");
  EXPECT_EQ(v.limit_source, "baseline");
  EXPECT_NEAR(v.p95_limit_us, 40'000, 40'000 * 0.01);  // 2 x the 20 ms p95 before it
  EXPECT_EQ(v.requests, 250);
  EXPECT_DOUBLE_EQ(v.error_share, 0.2);
  EXPECT_EQ(v.verdict, "recovered");
  ASSERT_TRUE(v.recovery_s);
  EXPECT_DOUBLE_EQ(*v.recovery_s, 3.0);  // slow through second 17, the spike ended at 15
  EXPECT_DOUBLE_EQ(v.observed_after_s, 10.0);
}

TEST(Spikes, StillSlowWhenTheRunEndsIsNotRecovered) {
  const auto verdicts = judge_spikes(run_with_spike(25), 100'000.0);
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_EQ(verdicts[0].verdict, "not_recovered");
  EXPECT_FALSE(verdicts[0].recovery_s);
  EXPECT_EQ(verdicts[0].limit_source, "--spike-p95");
}

TEST(Spikes, ARampWithNothingAfterItOrAGentleRiseIsNoSpike) {
  RunResult r = run_with_spike(18);
  r.phases.pop_back();  // the burst is the last phase: no "after" to recover in
  EXPECT_TRUE(judge_spikes(r, std::nullopt).empty());
  r = run_with_spike(18);
  r.phases[1].target_rps_start = r.phases[1].target_rps_end = 15;  // 1.5 x: a step, not a spike
  EXPECT_TRUE(judge_spikes(r, std::nullopt).empty());
  r.phases[1].name = "spike";  // named so by the scenario
  EXPECT_EQ(judge_spikes(r, std::nullopt).size(), 1u);
}

}  // namespace
}  // namespace perfgate
