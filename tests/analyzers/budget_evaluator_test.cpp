#include "analyzers/budget_evaluator.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

// 100 requests of reports.sales at 1..100 ms (p95 = 95 ms), 2 of them errors, one a timeout.
RunResult sample_run() {
  RunResult r;
  r.duration_s = 10;
  r.achieved_rps = 10;
  EndpointStats e;
  e.name = "reports.sales";
  for (int64_t i = 1; i <= 100; ++i) e.latency.record(i * 1000);
  e.requests = 100;
  e.errors.add(Outcome::kStatus5xx);
  e.errors.add(Outcome::kTimeout);
  NamedMetric ttfe{"us", Histogram{}};
  for (int64_t i = 1; i <= 100; ++i) ttfe.histogram.record(i * 20'000);
  e.metrics["time_to_first_event_us"] = ttfe;
  e.tallies["x_cache"] = {{"HIT", 85}, {"MISS", 15}};
  for (int64_t t = 0; t < 10; ++t) {
    IntervalStats i;
    i.t_ms = t * 1000;
    i.duration_ms = 1000;
    i.requests = 10;
    i.p95_us = t < 5 ? 3'000'000 : 200'000;  // a spike for 5 s, then back to 200 ms
    e.timeline.push_back(i);
  }
  r.endpoints.push_back(e);
  EndpointStats auth;
  auth.name = "auth.login";
  auth.requests = 10;
  for (int i = 0; i < 10; ++i) auth.latency.record(10'000);
  r.endpoints.push_back(auth);
  r.phases = {PhaseInfo{"spike", 0, 3000, 0, 0, 0, 0, false}, PhaseInfo{"steady", 3000, 10000, 0, 0, 0, 0, false}};
  r.phase_stats.push_back(PhaseStats{"spike", {e}});
  Profile p;
  p.summary.peak_rss_bytes = 3'000'000'000;
  p.summary.mean_cpu_percent = 50;
  p.summary.cpu_us_per_request = 1500;
  p.summary.peak_pg_connections = 90;
  p.summary.max_connections = 100;
  p.summary.rss_slope_mb_per_hour = 40;
  p.summary.rss_slope_ci_mb_per_hour = 5;
  p.summary.samples = 100;
  r.profile = p;
  return r;
}

std::vector<CheckResult> eval(const std::string& rule, const BudgetScope& scope = {},
                              const Findings* findings = nullptr, double tolerance = 1.0,
                              const RunResult& run = sample_run()) {
  auto parsed = parse_budget_rule(rule);
  EXPECT_TRUE(parsed.ok()) << rule;
  BudgetSet set;
  BudgetEntry entry;
  entry.scope = scope;
  entry.rules.push_back(*parsed);
  entry.rules.back().tolerance = tolerance;
  entry.origin = "test:1";
  set.entries.push_back(entry);
  return evaluate_budgets(set, run, findings);
}

Verdict only(const std::string& rule, const BudgetScope& scope = {}, const Findings* findings = nullptr,
             double tolerance = 1.0) {
  auto checks = eval(rule, scope, findings, tolerance);
  EXPECT_EQ(checks.size(), 1u) << rule;
  return checks.empty() ? Verdict::kPass : checks[0].verdict;
}

const BudgetScope kSales{"reports.sales", "", ""};

TEST(BudgetEvaluator, LatencyCeilingPassesWarnsWithinToleranceAndFailsBeyond) {
  EXPECT_EQ(only("p95 <= 100ms", kSales), Verdict::kPass);
  EXPECT_EQ(only("p95 <= 80ms", kSales, nullptr, 1.5), Verdict::kWarn);
  auto checks = eval("p95 <= 50ms", kSales, nullptr, 1.5);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].verdict, Verdict::kFail);
  EXPECT_NEAR(checks[0].measured, 95'000, 100);
  EXPECT_EQ(checks[0].id, "budget:reports.sales:p95");
  const std::string& m = checks[0].message;
  EXPECT_NE(m.find("reports.sales"), std::string::npos) << m;
  EXPECT_NE(m.find("95.0ms"), std::string::npos) << m;
  EXPECT_NE(m.find("75.0ms"), std::string::npos) << "the toleranced limit: " << m;
  EXPECT_EQ(only("max < 100ms", kSales), Verdict::kFail);
  EXPECT_EQ(only("mean < 60ms", kSales), Verdict::kPass);
}

// A defaults file on an app without some categories: one note naming them, no check per rule; an
// entry naming an endpoint that matches nothing stays inconclusive.
TEST(BudgetEvaluator, CategoryBudgetsMatchingNothingAreOneNoteButAnUnmatchedEndpointIsInconclusive) {
  BudgetSet set;
  set.source = "budgets/seed-defaults.json";
  for (const char* category : {"sprints", "queues", "reports"}) {
    BudgetEntry entry;
    entry.scope = BudgetScope{"", category, ""};
    for (const char* rule : {"p95 < 1s", "p99 < 2s", "error_rate < 1%"})
      entry.rules.push_back(*parse_budget_rule(rule));
    entry.origin = "test:1";
    set.entries.push_back(entry);
  }
  BudgetEntry named;
  named.scope = BudgetScope{"capacity.plan", "", ""};
  named.rules.push_back(*parse_budget_rule("p95 < 1s"));
  named.origin = "test:9";
  set.entries.push_back(named);
  std::vector<std::string> notes;
  const auto checks = evaluate_budgets(set, sample_run(), nullptr, notes);
  int inconclusive = 0;
  for (const auto& c : checks) inconclusive += c.verdict == Verdict::kInconclusive;
  EXPECT_EQ(inconclusive, 1) << "only the named endpoint";
  EXPECT_EQ(checks.size(), 4u) << "three reports rules and the named endpoint";
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("sprints, queues"), std::string::npos) << notes[0];
  EXPECT_NE(notes[0].find("seed-defaults.json"), std::string::npos) << notes[0];
}

TEST(BudgetEvaluator, CategoryAndPatternEntriesCheckEveryMatchingEndpoint) {
  EXPECT_EQ(eval("p95 < 1s", BudgetScope{"", "reports", ""}).size(), 1u);
  auto all = eval("p95 < 1s", BudgetScope{"*", "", ""});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].endpoint, "auth.login");
  auto none = eval("p95 < 1s", BudgetScope{"queues.*", "", ""});
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].verdict, Verdict::kInconclusive);
  EXPECT_NE(none[0].message.find("no endpoint matches"), std::string::npos);
}

TEST(BudgetEvaluator, GlobalEntryMergesEndpoints) {
  auto checks = eval("error_rate <= 1%");
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_NEAR(checks[0].measured, 2.0 / 110.0, 1e-9);
  EXPECT_EQ(checks[0].verdict, Verdict::kFail);
  EXPECT_EQ(checks[0].id, "budget:run:error_rate");
  EXPECT_EQ(only("rps >= 10"), Verdict::kPass);
  EXPECT_EQ(only("rps >= 12"), Verdict::kFail);
}

TEST(BudgetEvaluator, ErrorRateTimeoutShareAndThroughputPerEndpoint) {
  EXPECT_EQ(only("error_rate <= 2%", kSales), Verdict::kPass);
  EXPECT_EQ(only("error_rate < 2%", kSales), Verdict::kFail);
  auto t = eval("timeout_share(90ms) <= 5%", kSales);
  EXPECT_NEAR(t[0].measured, 0.10, 0.011) << "requests at 91..100 ms are slower than 90 ms";
  EXPECT_EQ(t[0].verdict, Verdict::kFail);
  auto only_outcome = eval("timeout_share(10s) <= 0%", kSales);
  EXPECT_DOUBLE_EQ(only_outcome[0].measured, 0.01) << "the timeout outcome counts even when fast";
  EXPECT_EQ(only("rps >= 10/s", kSales), Verdict::kPass);
}

TEST(BudgetEvaluator, StreamMetricsAndTallyShares) {
  auto ttfe = eval("time_to_first_event.p95 < 1.5s", kSales);
  EXPECT_NEAR(ttfe[0].measured, 1'900'000, 2'000);
  EXPECT_EQ(ttfe[0].verdict, Verdict::kFail);
  EXPECT_EQ(only("time_to_first_event.p50 < 1.5s", kSales), Verdict::kPass);
  auto missing = eval("completion.p95 < 10s", kSales);
  EXPECT_EQ(missing[0].verdict, Verdict::kInconclusive);
  EXPECT_NE(missing[0].message.find("time_to_first_event_us"), std::string::npos) << "lists what exists";
  EXPECT_EQ(only("tally(x_cache, hit) >= 80%", kSales), Verdict::kPass);
  EXPECT_EQ(only("tally(x_cache, hit) > 90%", kSales), Verdict::kFail);
  EXPECT_EQ(only("tally(age, 0) > 90%", kSales), Verdict::kInconclusive);
}

TEST(BudgetEvaluator, ServerMemoryCpuAndPostgresFromTheProfile) {
  auto rss = eval("peak_rss <= 2GB");
  EXPECT_EQ(rss[0].verdict, Verdict::kFail);
  EXPECT_NE(rss[0].message.find("GiB"), std::string::npos) << rss[0].message;
  EXPECT_EQ(only("cpu < 80%"), Verdict::kPass);
  EXPECT_EQ(only("cpu_per_request < 1ms"), Verdict::kFail);
  EXPECT_EQ(only("pg_connections < 80%"), Verdict::kFail);
  EXPECT_EQ(only("pg_connections <= 90"), Verdict::kPass);
  RunResult no_profile = sample_run();
  no_profile.profile.reset();
  EXPECT_EQ(eval("peak_rss <= 2GB", {}, nullptr, 1.0, no_profile)[0].verdict, Verdict::kInconclusive);
}

TEST(BudgetEvaluator, MemorySlopeFailsOnlyWhenItsIntervalIsAboveTheLimit) {
  EXPECT_EQ(only("rss_slope < 30MB/h"), Verdict::kFail);  // 40 +/- 5: clearly above
  EXPECT_EQ(only("rss_slope < 38MB/h"), Verdict::kWarn);  // interval includes 38
  EXPECT_EQ(only("rss_slope < 50MB/h"), Verdict::kPass);
  RunResult short_run = sample_run();
  short_run.profile->summary.samples = 2;
  EXPECT_EQ(eval("rss_slope < 50MB/h", {}, nullptr, 1.0, short_run)[0].verdict, Verdict::kInconclusive);
}

TEST(BudgetEvaluator, ALeakNeedsAnIntervalClearOfZeroAndAProjectionOverBudget) {
  // 40 +/- 5 MB/h: over 24 h that is 960 MB.
  auto leak = eval("rss_growth(24h) <= 500MB");
  EXPECT_EQ(leak[0].verdict, Verdict::kFail) << leak[0].message;
  EXPECT_NEAR(leak[0].measured, 960e6, 1e6);
  EXPECT_NE(leak[0].message.find("leak"), std::string::npos) << leak[0].message;
  EXPECT_EQ(only("rss_growth(24h) <= 1GB"), Verdict::kPass);  // real growth, within budget
  RunResult noisy = sample_run();
  noisy.profile->summary.rss_slope_ci_mb_per_hour = 45;  // the interval includes zero: not a leak
  auto flat = eval("rss_growth(24h) <= 500MB", {}, nullptr, 1.0, noisy);
  EXPECT_EQ(flat[0].verdict, Verdict::kPass) << flat[0].message;
  EXPECT_NE(flat[0].message.find("no leak"), std::string::npos) << flat[0].message;
  RunResult short_run = sample_run();
  short_run.profile->summary.samples = 2;
  EXPECT_EQ(eval("rss_growth(24h) <= 500MB", {}, nullptr, 1.0, short_run)[0].verdict, Verdict::kInconclusive);
  EXPECT_FALSE(parse_budget_rule("rss_growth(soon) <= 5MB"));
}

TEST(BudgetEvaluator, ACpuDriftNeedsAnIntervalClearOfZeroAndAProjectionOverBudget) {
  RunResult run = sample_run();
  ProfileSummary& s = run.profile->summary;
  // From 1 ms per request, +10 +/- 4 us per hour: over 24 h +240 us, +24%.
  s.cpu_per_request_start_us = 1000;
  s.cpu_per_request_slope_us_per_hour = 10;
  s.cpu_per_request_slope_ci_us_per_hour = 4;
  s.cpu_per_request_intervals = 600;
  auto drift = eval("cpu_per_request_drift(24h) <= 10%", {}, nullptr, 1.0, run);
  ASSERT_EQ(drift.size(), 1u);
  EXPECT_EQ(drift[0].verdict, Verdict::kFail) << drift[0].message;
  EXPECT_NEAR(drift[0].measured, 24.0, 1e-9);
  EXPECT_NE(drift[0].message.find("drift: CPU per request grows"), std::string::npos) << drift[0].message;
  EXPECT_EQ(eval("cpu_per_request_drift(24h) <= 30%", {}, nullptr, 1.0, run)[0].verdict, Verdict::kPass);
  // The run's measured duration (10 s) when no span is written: a tiny projection.
  EXPECT_EQ(eval("cpu_per_request_drift <= 10%", {}, nullptr, 1.0, run)[0].verdict, Verdict::kPass);
  s.cpu_per_request_slope_ci_us_per_hour = 12;  // the interval includes zero: no drift
  auto noisy = eval("cpu_per_request_drift(24h) <= 10%", {}, nullptr, 1.0, run);
  EXPECT_EQ(noisy[0].verdict, Verdict::kPass) << noisy[0].message;
  EXPECT_NE(noisy[0].message.find("no drift"), std::string::npos) << noisy[0].message;
  s.cpu_per_request_slope_us_per_hour = -100;  // a falling cost is no drift either
  EXPECT_EQ(eval("cpu_per_request_drift(24h) <= 10%", {}, nullptr, 1.0, run)[0].verdict, Verdict::kPass);
  s.cpu_per_request_intervals = 4;
  EXPECT_EQ(eval("cpu_per_request_drift(24h) <= 10%", {}, nullptr, 1.0, run)[0].verdict, Verdict::kInconclusive);
  RunResult unprofiled = sample_run();
  unprofiled.profile.reset();
  EXPECT_EQ(eval("cpu_per_request_drift(24h) <= 10%", {}, nullptr, 1.0, unprofiled)[0].verdict, Verdict::kInconclusive);
  EXPECT_FALSE(parse_budget_rule("cpu_per_request_drift(soon) <= 5%"));
  EXPECT_FALSE(parse_budget_rule("cpu_per_request_drift(24h) <= fast"));
}

TEST(BudgetEvaluator, FindingsBudgetsFailOnSureFindingsAndWarnOnPossibleOnes) {
  Findings f;
  f.queries_per_request["reports.sales"] = 25;
  Finding n1;
  n1.kind = FindingKind::kNPlusOne;
  n1.endpoint = "reports.sales";
  n1.summary = "orders loaded one by one";
  n1.confidence = Confidence::kConfirmed;
  Finding slow;
  slow.kind = FindingKind::kSlowQuery;
  slow.query = "SELECT sum(x) FROM sales";
  slow.evidence["mean_ms"] = 740;
  Finding idx;
  idx.kind = FindingKind::kMissingIndex;
  idx.confidence = Confidence::kPossible;
  f.findings = {n1, slow, idx};
  auto n = eval("no n_plus_one", kSales, &f);
  EXPECT_EQ(n[0].verdict, Verdict::kFail);
  EXPECT_NE(n[0].message.find("orders loaded one by one"), std::string::npos);
  EXPECT_EQ(only("no n_plus_one", BudgetScope{"auth.login", "", ""}, &f), Verdict::kPass);
  EXPECT_EQ(only("no missing_index", {}, &f), Verdict::kWarn);
  EXPECT_EQ(only("no n_plus_one", kSales, nullptr), Verdict::kInconclusive);
  EXPECT_EQ(only("queries_per_request <= 10", kSales, &f), Verdict::kFail);
  EXPECT_EQ(only("queries_per_request <= 30", {}, &f), Verdict::kPass);
  auto s = eval("slow_query_mean <= 500ms", {}, &f);
  EXPECT_DOUBLE_EQ(s[0].measured, 740'000);
  EXPECT_EQ(s[0].verdict, Verdict::kFail);
  f.inconclusive = true;
  EXPECT_EQ(only("no duplicate_index", {}, &f), Verdict::kInconclusive);
}

TEST(BudgetEvaluator, FindingsForEndpointsTheRunDoesNotKnowMakeAnEndpointRuleInconclusiveNeverPass) {
  Finding probed;  // analyze --probe-url .../reports/sales?limit=50
  probed.kind = FindingKind::kNPlusOne;
  probed.confidence = Confidence::kConfirmed;
  probed.endpoint = "GET /reports/sales?limit=50";
  probed.query = "select * from products where id = $1";
  Findings by_url;
  by_url.findings = {probed};
  auto n = eval("no n_plus_one", kSales, &by_url);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].verdict, Verdict::kInconclusive) << n[0].message;
  EXPECT_NE(n[0].message.find("GET /reports/sales?limit=50"), std::string::npos) << n[0].message;
  EXPECT_NE(n[0].message.find("name no endpoint of this run"), std::string::npos) << n[0].message;

  // A quick-mode run names its endpoint by method and path: the same finding is that endpoint's.
  RunResult quick = sample_run();
  quick.endpoints[0].name = "GET /reports/sales";
  EXPECT_EQ(eval("no n_plus_one", BudgetScope{"GET /reports/sales", "", ""}, &by_url, 1.0, quick)[0].verdict,
            Verdict::kFail);

  // Run-delta findings belong to the whole run: an endpoint rule cannot pass on them...
  Finding run_wide = probed;
  run_wide.endpoint = "";
  Findings delta;
  delta.source = "run-delta";
  delta.findings = {run_wide};
  EXPECT_EQ(only("no n_plus_one", kSales, &delta), Verdict::kInconclusive);
  EXPECT_EQ(only("no n_plus_one", {}, &delta), Verdict::kFail);  // the whole run's rule sees it
  // A run of one endpoint (quick mode): the whole run's findings are that endpoint's.
  RunResult single = quick;
  single.endpoints.resize(1);
  EXPECT_EQ(eval("no n_plus_one", BudgetScope{"GET /reports/sales", "", ""}, &delta, 1.0, single)[0].verdict,
            Verdict::kFail);
  // ...unless the endpoint was probed alone (its own statements were measured) or the same query is
  // attributed to another endpoint of the run.
  delta.queries_per_request["reports.sales"] = 2;
  EXPECT_EQ(only("no n_plus_one", kSales, &delta), Verdict::kPass);
  delta.queries_per_request.clear();
  Finding named = probed;
  named.endpoint = "auth.login";
  delta.findings.push_back(named);
  EXPECT_EQ(only("no n_plus_one", kSales, &delta), Verdict::kPass);
}

TEST(BudgetEvaluator, RecoveryMeasuresTimeUntilPerSecondLatencyIsBackUnderBudget) {
  const BudgetScope spike{"reports.sales", "", "spike"};
  auto ok = eval("recovery.p95 < 1s within 5s", spike);  // spike ends at 3 s, back under from 5 s
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].verdict, Verdict::kPass) << ok[0].message;
  EXPECT_DOUBLE_EQ(ok[0].measured, 2'000'000);
  EXPECT_EQ(ok[0].id, "budget:reports.sales:spike:recovery.p95");
  EXPECT_EQ(only("recovery.p95 < 1s within 1s", spike), Verdict::kFail);
  EXPECT_EQ(only("recovery.p95 < 100ms within 5s", spike), Verdict::kFail);
  EXPECT_EQ(only("recovery.p95 < 100ms within 60s", spike), Verdict::kInconclusive) << "run ended before the window";
  EXPECT_EQ(only("recovery.p95 < 1s within 5s", BudgetScope{"reports.sales", "", "ramp"}), Verdict::kInconclusive);
}

TEST(BudgetEvaluator, PhaseEntriesUseThatPhasesStatistics) {
  auto checks = eval("p95 < 1s", BudgetScope{"*", "", "spike"});
  ASSERT_EQ(checks.size(), 1u) << "auth.login has no spike-phase statistics";
  EXPECT_EQ(checks[0].phase, "spike");
}

TEST(BudgetEvaluator, SaturatedGeneratorTurnsLatencyFailuresInconclusive) {
  RunResult r = sample_run();
  r.generator.saturated = true;
  auto checks = eval("p95 <= 50ms", kSales, nullptr, 1.0, r);
  EXPECT_EQ(checks[0].verdict, Verdict::kInconclusive);
  EXPECT_NE(checks[0].message.find("saturated"), std::string::npos);
  EXPECT_EQ(eval("error_rate <= 1%", kSales, nullptr, 1.0, r)[0].verdict, Verdict::kFail) << "errors are the service's";
}

TEST(BudgetEvaluator, WarnSeverityNeverFails) {
  auto parsed = parse_budget_rule("p95 < 1ms");
  BudgetSet set;
  set.entries.push_back(BudgetEntry{kSales, {*parsed}, "t:1"});
  set.entries[0].rules[0].severity = BudgetSeverity::kWarn;
  EXPECT_EQ(evaluate_budgets(set, sample_run(), nullptr)[0].verdict, Verdict::kWarn);
}

}  // namespace
}  // namespace perfgate
