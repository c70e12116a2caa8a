#include "analyzers/limit_search.h"

#include <gtest/gtest.h>

#include <cmath>

#include "analyzers/budget_evaluator.h"

namespace perfgate {
namespace {

// A simulated service of known capacity: below it every request takes `fast_us`, above it the
// queue grows and latency with it; errors appear above `error_from_rps`.
struct SimulatedService {
  double capacity_rps = 237;
  double fast_us = 10'000;
  double error_from_rps = 1e9;
  double generator_max_rps = 1e9;
  std::vector<double> offered;

  RunResult step(double rate) {
    offered.push_back(rate);
    RunResult r;
    r.duration_s = 10;
    EndpointStats e;
    e.name = "GET /";
    const int64_t n = static_cast<int64_t>(rate * r.duration_s);
    e.requests = n;
    const double latency = rate <= capacity_rps ? fast_us : fast_us + (rate - capacity_rps) / capacity_rps * 5e6;
    e.latency.record(static_cast<int64_t>(latency), n);
    e.service_time.record(static_cast<int64_t>(latency), n);
    if (rate >= error_from_rps) e.errors.add(Outcome::kStatus5xx, n / 10);
    r.endpoints.push_back(std::move(e));
    r.achieved_rps = std::min(rate, capacity_rps);
    if (rate > generator_max_rps) {
      // Behind schedule: the lateness grows through the step and is counted as latency.
      r.generator.saturated = true;
      r.generator.cause = "cpu";
      r.generator.note = "generator could not keep up";
      r.generator.max_schedule_lag_us = 3e6;
      // The service answered in time once each request was sent.
      r.endpoints.back().latency.reset();
      r.endpoints.back().latency.record(2'500'000, n);
      r.endpoints.back().service_time.reset();
      r.endpoints.back().service_time.record(static_cast<int64_t>(fast_us), n);
    }
    return r;
  }
};

BudgetSet slo(const std::string& text, SloMeasurability can = {}) {
  auto s = parse_slo(text, "--find-limit", can);
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? *s : BudgetSet{};
}

LimitSearchPlan plan(double start, double max) {
  LimitSearchPlan p;
  p.start_rps = start;
  p.max_rps = max;
  p.hold = std::chrono::seconds(10);
  p.warm_up = std::chrono::seconds(2);
  p.budget = std::chrono::hours(1);
  return p;
}

Result<RunResult> search(SimulatedService& s, const std::string& text, const LimitSearchPlan& p) {
  return find_limit(slo(text), text, p, [&s](double rate) -> Result<RunResult> { return s.step(rate); });
}

TEST(LimitSearch, BracketsTheCapacityWithinThePrecision) {
  SimulatedService service;
  auto r = search(service, "p95 < 100ms, error_rate < 1%", plan(10, 10'000));
  ASSERT_TRUE(r);
  const LimitSearch& s = *r->limit_search;
  EXPECT_EQ(s.verdict, "found");
  ASSERT_TRUE(s.max_sustainable_rps && s.first_failing_rps);
  EXPECT_LE(*s.max_sustainable_rps, service.capacity_rps + 100e3 / 5e6 * service.capacity_rps);
  EXPECT_GT(*s.first_failing_rps, service.capacity_rps);
  EXPECT_LE(*s.first_failing_rps - *s.max_sustainable_rps, 0.05 * *s.max_sustainable_rps);
  EXPECT_EQ(s.broken_first, "p95");
  EXPECT_EQ(s.steps.size(), service.offered.size());
  // Geometric until the first bad step: 10, 20, 40, 80, 160, 320; then bisection inside (160, 320).
  ASSERT_GE(service.offered.size(), 7u);
  EXPECT_DOUBLE_EQ(service.offered[5], 320);
  EXPECT_DOUBLE_EQ(service.offered[6], 240);
  EXPECT_EQ(r->endpoints.front().requests, static_cast<int64_t>(*s.max_sustainable_rps * 10));
}

TEST(LimitSearch, NamesTheRuleThatBrokeFirst) {
  SimulatedService service;
  service.error_from_rps = 100;  // errors long before latency grows
  auto r = search(service, "p95 < 100ms, error_rate < 1%", plan(10, 10'000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit_search->broken_first, "error_rate");
  EXPECT_LT(*r->limit_search->max_sustainable_rps, 100);
}

TEST(LimitSearch, StillGoodAtTheMaximumIsAboveMaxNotANumberMadeUp) {
  SimulatedService service;
  auto r = search(service, "p95 < 100ms", plan(10, 100));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit_search->verdict, "above_max");
  EXPECT_EQ(*r->limit_search->max_sustainable_rps, 100);
  EXPECT_FALSE(r->limit_search->first_failing_rps);
  EXPECT_DOUBLE_EQ(service.offered.back(), 100);
}

TEST(LimitSearch, FailingAtTheFirstStepIsBelowStart) {
  SimulatedService service;
  auto r = search(service, "p95 < 100ms", plan(500, 1000));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit_search->verdict, "below_start");
  EXPECT_FALSE(r->limit_search->max_sustainable_rps);
  EXPECT_EQ(*r->limit_search->first_failing_rps, 500);
  EXPECT_EQ(service.offered.size(), 1u);
}

TEST(LimitSearch, AGeneratorThatCannotOfferTheRateIsNamedAndStops) {
  SimulatedService service;
  service.generator_max_rps = 50;  // the service could do 237; the generator only 50
  auto r = search(service, "p95 < 100ms", plan(10, 10'000));
  ASSERT_TRUE(r);
  const LimitSearch& s = *r->limit_search;
  EXPECT_EQ(s.verdict, "generator_limited");
  EXPECT_FALSE(s.first_failing_rps);
  EXPECT_EQ(*s.max_sustainable_rps, 40);
  EXPECT_EQ(s.steps.back().verdict, "generator_limited");
  EXPECT_NE(s.note.find("could not offer 80"), std::string::npos) << s.note;
}

TEST(LimitSearch, ASlowServiceTimeIsTheServersBreachEvenWhenTheGeneratorWasLate) {
  SimulatedService service;
  RunResult r = service.step(400);  // p95 far above 100 ms
  r.generator.saturated = true;
  r.generator.cause = "scheduler";
  r.generator.max_schedule_lag_us = 40'000;
  LimitStep step = judge_step(slo("p95 < 100ms"), 400, r);
  EXPECT_EQ(step.verdict, "bad") << "the service time itself breaks the SLO";
  // ... unless the generator did not even send the rate.
  PhaseInfo judged;
  judged.name = "step";
  judged.end_ms = 10'000;
  r.phases.push_back(judged);
  for (int i = 0; i < 10; ++i)
    r.timeline.push_back(IntervalStats{i * int64_t{1000}, 1000, 300, 0, 0, 0, 0, 0, 0, 300, 0, ""});
  step = judge_step(slo("p95 < 100ms"), 400, r);
  EXPECT_EQ(step.verdict, "generator_limited");
}

TEST(LimitSearch, ConnectionExhaustionIsTheServersSlownessAndIsJudged) {
  SimulatedService service;
  RunResult r = service.step(400);
  r.generator.saturated = true;
  r.generator.cause = "connections";
  const LimitStep step = judge_step(slo("p95 < 100ms"), 400, r);
  EXPECT_EQ(step.verdict, "bad");
  ASSERT_EQ(step.broken.size(), 1u);
  EXPECT_EQ(step.broken[0], "p95");
}

TEST(LimitSearch, ABreachWhileTheGeneratorWasBusyIsTheGeneratorsLimit) {
  SimulatedService service;
  RunResult r = service.step(400);  // p95 far above 100 ms, in the service time too
  r.generator.saturated = true;
  r.generator.cause = "cpu";
  r.generator.io_wait_percent = 2;  // responses waited to be read: the service time holds that wait
  LimitStep step = judge_step(slo("p95 < 100ms"), 400, r);
  EXPECT_EQ(step.verdict, "generator_limited");
  EXPECT_TRUE(step.broken.empty());
  // Within the SLO, a busy generator's step is still good: its delays only add latency.
  r = service.step(100);
  r.generator.saturated = true;
  r.generator.cause = "cpu";
  r.generator.io_wait_percent = 2;
  step = judge_step(slo("p95 < 100ms"), 100, r);
  EXPECT_EQ(step.verdict, "good");
}

TEST(LimitSearch, StopsWhenTheTimeBudgetEndsWithTheBracketSoFar) {
  SimulatedService service;
  LimitSearchPlan p = plan(10, 10'000);
  p.budget = std::chrono::seconds(12 * 7);  // seven steps of 12 s
  auto r = search(service, "p95 < 100ms", p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit_search->verdict, "time_budget");
  EXPECT_EQ(service.offered.size(), 7u);
  EXPECT_TRUE(r->limit_search->max_sustainable_rps && r->limit_search->first_failing_rps);
}

TEST(LimitSearch, AnUnmeasurableStepIsInconclusive) {
  SimulatedService service;
  auto r = find_limit(slo("time_to_first_event.p95 < 1s"), "time_to_first_event.p95 < 1s", plan(10, 100),
                      [&service](double rate) -> Result<RunResult> { return service.step(rate); });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit_search->verdict, "inconclusive");
  EXPECT_FALSE(r->limit_search->max_sustainable_rps);
}

TEST(ParseSlo, SplitsAtCommasOutsideParentheses) {
  auto s = parse_slo("p95 < 1s, tally(x_cache, hit) >= 80%,error_rate<1%", "--find-limit", {});
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->entries.size(), 1u);
  ASSERT_EQ(s->entries[0].rules.size(), 3u);
  EXPECT_EQ(s->entries[0].rules[1].label, "tally.x_cache.hit");
  EXPECT_EQ(s->entries[0].rules[2].metric, BudgetMetric::kErrorRate);
}

TEST(ParseSlo, NamesTheColumnOfABadRule) {
  auto s = parse_slo("p95 < 1s, p96x < 2s", "--find-limit", {});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(s.error().message.find("--find-limit: column 11: "), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("unknown metric"), std::string::npos) << s.error().message;
}

TEST(ParseSlo, RefusesServerMetricsWithoutAWatchedProcess) {
  auto s = parse_slo("p95 < 1s, peak_rss < 1GB", "--find-limit", {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("column 11"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("--watch-pid"), std::string::npos) << s.error().message;
  SloMeasurability can;
  can.server_profiled = true;
  EXPECT_TRUE(parse_slo("p95 < 1s, peak_rss < 1GB", "--find-limit", can));
  EXPECT_FALSE(parse_slo("pg_connections < 80%", "--find-limit", can));
  EXPECT_FALSE(parse_slo("no n_plus_one", "--find-limit", can));
  EXPECT_FALSE(parse_slo("max_sustainable_rps >= 50", "--find-limit", can));
}

TEST(MaxSustainableRpsBudget, JudgesTheSearchResult) {
  SimulatedService service;
  auto r = search(service, "p95 < 100ms", plan(10, 10'000));
  ASSERT_TRUE(r);
  auto budgets =
      budgets_from_json(R"({"schema_version": 1, "budgets": [{"rules": ["max_sustainable_rps >= 200"]}]})", "b.json");
  ASSERT_TRUE(budgets) << budgets.error().message;
  auto checks = evaluate_budgets(*budgets, *r, nullptr);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].verdict, Verdict::kPass) << checks[0].message;
  auto strict =
      budgets_from_json(R"({"schema_version": 1, "budgets": [{"rules": ["max_sustainable_rps >= 300"]}]})", "b.json");
  checks = evaluate_budgets(*strict, *r, nullptr);
  EXPECT_EQ(checks[0].verdict, Verdict::kFail) << checks[0].message;
  RunResult plain;
  checks = evaluate_budgets(*strict, plain, nullptr);
  EXPECT_EQ(checks[0].verdict, Verdict::kInconclusive);
}

}  // namespace
}  // namespace perfgate
