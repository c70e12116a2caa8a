#include "analyzers/history.h"

#include <gtest/gtest.h>

#include <random>

#include "analyzers/compare.h"
#include "analyzers/synthetic_run.h"

namespace perfgate {
namespace {

RunSummary summary_with_p95(int64_t id, const std::string& hash, double p95_us,
                            const std::string& status = "complete") {
  RunSummary s;
  s.id = id;
  s.scenario_name = "scenario-" + hash;
  s.scenario_hash = hash;
  s.commit = "c" + std::to_string(id);
  s.status = status;
  s.start_time = "2026-12-04T10:00:00Z";
  EndpointSummary e;
  e.name = "reports.sales";
  e.requests = 100;
  e.p50_us = p95_us / 2;
  e.p95_us = p95_us;
  e.p99_us = p95_us * 1.5;
  s.endpoints.push_back(e);
  return s;
}

TEST(HistoryChanges, NameTheFirstRunAndCommitOfAStep) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0, 0.03);
  std::vector<RunSummary> runs;
  for (int i = 1; i <= 30; ++i)
    runs.push_back(summary_with_p95(i, "h1", 20000 * (i >= 17 ? 1.25 : 1.0) * (1 + noise(rng))));
  const auto changes = find_history_changes(runs);
  std::vector<HistoryChange> p95;
  for (const auto& c : changes) {
    if (c.metric == "p95") p95.push_back(c);
  }
  ASSERT_EQ(p95.size(), 1u);
  EXPECT_EQ(p95[0].first_run_id, 17);
  EXPECT_EQ(p95[0].first_commit, "c17");
  EXPECT_EQ(p95[0].endpoint, "reports.sales");
  EXPECT_TRUE(p95[0].regression());
}

TEST(HistoryChanges, NeverCompareAcrossScenarios) {
  // Two scenarios interleaved, one 3x slower than the other: each is flat, so there is no change.
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0, 0.03);
  std::vector<RunSummary> runs;
  for (int i = 1; i <= 40; ++i) {
    const bool second = i % 2 == 0 || i > 30;
    runs.push_back(summary_with_p95(i, second ? "h2" : "h1", (second ? 60000 : 20000) * (1 + noise(rng))));
  }
  EXPECT_TRUE(find_history_changes(runs).empty());
}

TEST(HistoryChanges, LeavePartialAndFailedRunsOut) {
  std::vector<RunSummary> runs;
  for (int i = 1; i <= 20; ++i) runs.push_back(summary_with_p95(i, "h1", 20000 + (i % 3) * 100));
  for (int i = 21; i <= 26; ++i) runs.push_back(summary_with_p95(i, "h1", 90000, i % 2 ? "partial" : "failed"));
  EXPECT_TRUE(find_history_changes(runs).empty());
}

TEST(PoolBaselineRuns, MergesHistogramsExactlyAndLaysTimelinesEndToEnd) {
  std::vector<RunResult> runs;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    testing::SyntheticRun spec;
    spec.seed = seed;
    spec.seconds = 12;
    spec.warmup_seconds = 2;
    runs.push_back(testing::make_run(spec));
  }
  auto pooled = pool_baseline_runs(runs, "test");
  ASSERT_TRUE(pooled.ok()) << pooled.error().message;
  ASSERT_EQ(pooled->endpoints.size(), 1u);
  const EndpointStats& e = pooled->endpoints[0];
  EXPECT_EQ(e.requests, runs[0].endpoints[0].requests * 3);
  EXPECT_EQ(e.latency.total_count(), runs[0].endpoints[0].latency.total_count() +
                                         runs[1].endpoints[0].latency.total_count() +
                                         runs[2].endpoints[0].latency.total_count());
  ASSERT_EQ(e.timeline.size(), 3u * 14u);
  for (size_t i = 1; i < e.timeline.size(); ++i) EXPECT_GT(e.timeline[i].t_ms, e.timeline[i - 1].t_ms);
  // Every run's warm-up stays out of the samples a comparison takes: 3 x 12 measured seconds.
  EXPECT_EQ(interval_samples(e.timeline, pooled->phases, "p95", 0, INT64_MAX).size(), 36u);
  EXPECT_EQ(pooled->labels.at("pooled_runs"), "3");
}

TEST(PoolBaselineRuns, RefusesMixedScenariosAndNothing) {
  testing::SyntheticRun a, b;
  b.scenario_hash = "other";
  EXPECT_FALSE(pool_baseline_runs({testing::make_run(a), testing::make_run(b)}, "x").ok());
  EXPECT_FALSE(pool_baseline_runs({}, "x").ok());
}

TEST(PoolBaselineRuns, APooledBaselineCatchesASlowdownItsRunsShare) {
  std::vector<RunResult> base;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    testing::SyntheticRun spec;
    spec.seed = seed;
    spec.seconds = 20;
    base.push_back(testing::make_run(spec));
  }
  testing::SyntheticRun slow;
  slow.seed = 99;
  slow.seconds = 30;
  slow.endpoints[0].median_ms = 150;
  auto pooled = pool_baseline_runs(base, "test");
  ASSERT_TRUE(pooled.ok());
  const Comparison c = compare_runs(*pooled, testing::make_run(slow), CompareOptions{});
  bool failed = false;
  for (const auto& check : c.checks) failed = failed || check.verdict == Verdict::kFail;
  EXPECT_TRUE(failed);
}

TEST(SummarizeRun, TakesIdentityFromTheResultAndQueriesFromFindings) {
  testing::SyntheticRun spec;
  RunResult r = testing::make_run(spec);
  r.labels["git_sha"] = "abcdef";
  r.labels["branch"] = "main";
  r.labels["label"] = "nightly";
  r.status = RunStatus::kPartial;
  Findings f;
  f.queries_per_request["reports.sales"] = 41;
  const RunSummary s = summarize_run(r, &f);
  EXPECT_EQ(s.commit, "abcdef");
  EXPECT_EQ(s.branch, "main");
  EXPECT_EQ(s.label, "nightly");
  EXPECT_FALSE(is_good_run(s));
  ASSERT_EQ(s.endpoints.size(), 1u);
  EXPECT_EQ(s.endpoints[0].queries_per_request.value_or(0), 41);
  EXPECT_NEAR(s.endpoints[0].p95_us, static_cast<double>(r.endpoints[0].latency.value_at_percentile(95)), 1);
}

}  // namespace
}  // namespace perfgate
