#include "profiler/profile_summary.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

ProcessSample at(int64_t t_ms, int64_t rss_mb, double cpu) {
  ProcessSample s;
  s.t_ms = t_ms;
  s.rss_bytes = rss_mb * 1'000'000;
  s.cpu_percent = cpu;
  return s;
}

TEST(ProfileSummary, PeakIsTheLargestSumAtOneInstantNotTheSumOfPeaks) {
  Profile p;
  p.interval_ms = 100;
  ProcessTimeline a, b;
  a.samples = {at(100, 100, 10), at(200, 50, 10)};
  b.samples = {at(100, 20, 30), at(200, 60, 30)};
  p.processes = {a, b};
  summarize_profile(p, {}, 0);
  EXPECT_EQ(p.summary.peak_rss_bytes, 120'000'000);
  EXPECT_DOUBLE_EQ(p.summary.mean_cpu_percent, 40.0);
  EXPECT_EQ(p.summary.samples, 2);
}

TEST(ProfileSummary, CpuPerRequestIntegratesCpuOverEachSampleInterval) {
  Profile p;
  p.interval_ms = 100;
  ProcessTimeline a;
  // 50% of a core for 4 x 100 ms = 200 ms of CPU = 200000 us, over 1000 requests.
  a.samples = {at(100, 1, 50), at(200, 1, 50), at(300, 1, 50), at(400, 1, 50)};
  p.processes = {a};
  summarize_profile(p, {}, 1000);
  EXPECT_DOUBLE_EQ(p.summary.cpu_us_per_request, 200.0);
}

TEST(ProfileSummary, CpuPerRequestPerPhaseUsesThatPhasesRequests) {
  Profile p;
  p.interval_ms = 100;
  ProcessTimeline a;
  // "low": 2 x 100 ms at 50% = 100000 us over 100 requests; "high": 2 x 100 ms at 100% over 50.
  a.samples = {at(100, 1, 50), at(200, 1, 50), at(300, 1, 100), at(400, 1, 100)};
  p.processes = {a};
  summarize_profile(p, {PhaseInfo{"low", 0, 250}, PhaseInfo{"high", 250, 500}}, 150,
                    PhaseRequests{{"low", 100}, {"high", 50}});
  EXPECT_DOUBLE_EQ(p.phases["low"].cpu_us_per_request, 1000.0);
  EXPECT_DOUBLE_EQ(p.phases["high"].cpu_us_per_request, 4000.0);
  EXPECT_DOUBLE_EQ(p.summary.cpu_us_per_request, 2000.0);
}

TEST(ProfileSummary, CpuPerRequestDriftIsFittedOverTheTimelinesIntervals) {
  Profile p;
  p.interval_ms = 100;
  ProcessTimeline a;
  std::vector<IntervalStats> timeline;
  // 20 one-second intervals of 100 requests; second k uses (10 + 0.5 k)% of one core, sampled every
  // 100 ms: (1000 + 50 k) us per request. The drift: 50 us per second = 180 ms per hour.
  for (int64_t k = 0; k < 20; ++k) {
    for (int64_t j = 1; j <= 10; ++j)
      a.samples.push_back(at(k * 1000 + j * 100, 1, 10.0 + 0.5 * static_cast<double>(k)));
    IntervalStats i;
    i.t_ms = k * 1000;
    i.duration_ms = 1000;
    i.requests = 100;
    timeline.push_back(i);
  }
  // An interval the samples do not cover is left out rather than read as a drop in cost.
  timeline.push_back(IntervalStats{20'000, 1000, 100, 0, 0, 0, 0, 0, 0, 0, 0, ""});
  p.processes = {a};
  summarize_profile(p, {}, 2000, {}, timeline);
  EXPECT_EQ(p.summary.cpu_per_request_intervals, 20);
  EXPECT_NEAR(p.summary.cpu_per_request_slope_us_per_hour, 50.0 * 3600.0, 1e-6);
  EXPECT_NEAR(p.summary.cpu_per_request_start_us, 1000.0, 1e-6);
  EXPECT_LT(p.summary.cpu_per_request_slope_ci_us_per_hour, 1e-6);
  // Without a timeline (perfgate profile) there is nothing to fit.
  summarize_profile(p, {}, 2000);
  EXPECT_EQ(p.summary.cpu_per_request_intervals, 0);
  EXPECT_EQ(p.summary.cpu_per_request_slope_us_per_hour, 0);
}

TEST(ProfileSummary, ExcludesWarmUpFromTheOverallSlopeAndKeepsItAsAPhase) {
  Profile p;
  p.interval_ms = 1000;
  ProcessTimeline a;
  // Warm-up: a burst of allocation; afterwards exactly 36 MB per hour (0.01 MB/s).
  for (int64_t t = 0; t < 10'000; t += 1000) a.samples.push_back(at(t, 10 + t / 100, 5));
  for (int64_t t = 10'000; t < 110'000; t += 1000) {
    ProcessSample s = at(t, 0, 5);
    s.rss_bytes = 500'000'000 + (t - 10'000) * 10;  // 10 bytes per ms = 36 MB per hour
    a.samples.push_back(s);
  }
  p.processes = {a};
  PhaseInfo warm{"warm-up", 0, 10'000};
  warm.excluded = true;
  PhaseInfo steady{"steady", 10'000, 110'000};
  summarize_profile(p, {warm, steady}, 0);
  EXPECT_NEAR(p.summary.rss_slope_mb_per_hour, 36.0, 1e-6);
  EXPECT_NEAR(p.summary.rss_slope_ci_mb_per_hour, 0.0, 1e-6);
  EXPECT_EQ(p.summary.samples, 100);
  ASSERT_EQ(p.phases.count("warm-up"), 1u);
  EXPECT_EQ(p.phases["warm-up"].samples, 10);
  EXPECT_EQ(p.phases["steady"].peak_rss_bytes, 500'000'000 + 99'000 * 10);
}

TEST(ProfileSummary, ReportsPeakPostgresConnectionsInTheWindow) {
  Profile p;
  PgSample s1, s2, s3;
  s1.t_ms = 1000, s1.total = 4, s1.max_connections = 100;
  s2.t_ms = 2000, s2.total = 9, s2.max_connections = 100;
  s3.t_ms = 3000, s3.total = 2, s3.max_connections = 100;
  p.postgres = {s1, s2, s3};
  summarize_profile(p, {PhaseInfo{"late", 2500, 4000}}, 0);
  EXPECT_EQ(p.summary.peak_pg_connections, 9);
  EXPECT_EQ(p.summary.max_connections, 100);
  EXPECT_EQ(p.summary.samples, 3);
  EXPECT_EQ(p.phases["late"].peak_pg_connections, 2);
}

}  // namespace
}  // namespace perfgate
