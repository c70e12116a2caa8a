#include <gtest/gtest.h>

#include "analyzers/compare.h"
#include "analyzers/synthetic_run.h"

namespace perfgate {
namespace {

using testing::make_run;
using testing::SyntheticRun;

const CheckResult* find_check(const Comparison& c, const std::string& id) {
  for (const auto& r : c.checks) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

SyntheticRun spec(uint64_t seed, double median_ms = 100) {
  SyntheticRun s;
  s.seed = seed;
  s.endpoints[0].median_ms = median_ms;
  return s;
}

TEST(CompareRuns, AnAaPairPassesAndAClearSlowdownFailsWithFigures) {
  const RunResult base = make_run(spec(1));
  const Comparison aa = compare_runs(base, make_run(spec(2)), CompareOptions{});
  for (const auto& c : aa.checks) EXPECT_EQ(c.verdict, Verdict::kPass) << c.message;
  const Comparison ab = compare_runs(base, make_run(spec(3, 150)), CompareOptions{});
  const CheckResult* p95 = find_check(ab, "baseline:reports.sales:p95_shift");
  ASSERT_NE(p95, nullptr);
  EXPECT_EQ(p95->verdict, Verdict::kFail);
  EXPECT_NEAR(p95->change, 0.5, 0.15);
  ASSERT_TRUE(p95->p_value.has_value());
  EXPECT_LT(*p95->p_value, 0.001);
  EXPECT_NE(p95->message.find("reports.sales"), std::string::npos);
  EXPECT_NE(p95->message.find("vs baseline"), std::string::npos);
}

TEST(CompareRuns, ASmallClearShiftOnlyWarnsAndImprovementsPass) {
  SyntheticRun quiet = spec(1);
  quiet.endpoints[0].second_noise = 0.01;
  quiet.endpoints[0].rps = 400;
  quiet.seconds = 60;
  SyntheticRun slower = quiet;
  slower.seed = 2;
  slower.endpoints[0].median_ms = 107;
  const Comparison small = compare_runs(make_run(quiet), make_run(slower), CompareOptions{});
  EXPECT_EQ(find_check(small, "baseline:reports.sales:p50_shift")->verdict, Verdict::kWarn);
  SyntheticRun faster = quiet;
  faster.seed = 3;
  faster.endpoints[0].median_ms = 50;
  const Comparison better = compare_runs(make_run(quiet), make_run(faster), CompareOptions{});
  EXPECT_EQ(find_check(better, "baseline:reports.sales:p95_shift")->verdict, Verdict::kPass);
}

TEST(CompareRuns, TooFewIntervalsAreInconclusive) {
  SyntheticRun s = spec(1);
  s.seconds = 5;
  const Comparison c = compare_runs(make_run(s), make_run(spec(2)), CompareOptions{});
  const CheckResult* p95 = find_check(c, "baseline:reports.sales:p95_shift");
  EXPECT_EQ(p95->verdict, Verdict::kInconclusive);
  EXPECT_NE(p95->message.find("too few intervals"), std::string::npos);
}

TEST(CompareRuns, WarmUpIntervalsAreNotSamples) {
  SyntheticRun s = spec(1);
  s.seconds = 8;
  s.warmup_seconds = 30;
  const Comparison c = compare_runs(make_run(s), make_run(spec(2)), CompareOptions{});
  EXPECT_EQ(find_check(c, "baseline:reports.sales:p95_shift")->verdict, Verdict::kInconclusive);
}

TEST(CompareRuns, DifferentScenarioRateModelOrSaturationMakesEverythingInconclusive) {
  const RunResult base = make_run(spec(1));
  RunResult other_scenario = make_run(spec(2, 300));
  other_scenario.context.scenario_hash = "fff999";
  const Comparison c = compare_runs(base, other_scenario, CompareOptions{});
  ASSERT_FALSE(c.checks.empty());
  EXPECT_EQ(c.checks[0].id, "baseline:run:comparable");
  for (const auto& r : c.checks) EXPECT_EQ(r.verdict, Verdict::kInconclusive) << r.message;

  RunResult other_rate = make_run(spec(2));
  other_rate.target_rps = 80;
  EXPECT_EQ(compare_runs(base, other_rate, CompareOptions{}).checks[0].verdict, Verdict::kInconclusive);
  RunResult closed = make_run(spec(2));
  closed.model = LoadModel::kClosed;
  EXPECT_EQ(compare_runs(base, closed, CompareOptions{}).checks[0].id, "baseline:run:comparable");
  RunResult saturated = make_run(spec(2));
  saturated.generator.saturated = true;
  saturated.generator.requests_behind = saturated.total_requests() / 10;
  saturated.generator.note = "lagged 40 ms";
  const Comparison s = compare_runs(base, saturated, CompareOptions{});
  EXPECT_NE(s.checks[0].message.find("saturated"), std::string::npos);
  for (const auto& r : s.checks) EXPECT_EQ(r.verdict, Verdict::kInconclusive) << r.message;
}

// A busy machine makes a few requests leave late; the engine flags that, but it does not change the
// offered load or move a p50/p95 by more than the late share, so the comparison stands with a note.
TEST(CompareRuns, ASlightlyLateGeneratorStillComparesWithANoteButAShortfallDoesNot) {
  const RunResult base = make_run(spec(1));
  RunResult late = make_run(spec(2));
  late.generator.saturated = true;
  late.generator.requests_behind = late.total_requests() * 2 / 100;
  late.generator.note = "other processes held the CPUs";
  const Comparison c = compare_runs(base, late, CompareOptions{});
  ASSERT_FALSE(c.checks.empty());
  EXPECT_NE(c.checks[0].id, "baseline:run:comparable");
  for (const auto& r : c.checks) EXPECT_NE(r.verdict, Verdict::kInconclusive) << r.message;
  ASSERT_EQ(c.notes.size(), 1u);
  EXPECT_NE(c.notes[0].find("2.0% of requests over 1 ms late in this run"), std::string::npos) << c.notes[0];

  late.achieved_rps = *late.target_rps * 0.9;
  EXPECT_EQ(compare_runs(base, late, CompareOptions{}).checks[0].id, "baseline:run:comparable") << "plan not offered";
  late.achieved_rps = *late.target_rps;
  late.generator.requests_behind = late.total_requests() * 3 / 100;
  EXPECT_EQ(compare_runs(late, base, CompareOptions{}).checks[0].id, "baseline:run:comparable") << "3% late";
}

TEST(CompareRuns, ErrorRateRiseFailsOnlyWhenClearAndAboveTheFloor) {
  SyntheticRun b = spec(1);
  b.endpoints[0].error_rate = 0.001;
  SyntheticRun c = spec(2);
  c.endpoints[0].error_rate = 0.05;
  const Comparison worse = compare_runs(make_run(b), make_run(c), CompareOptions{});
  const CheckResult* err = find_check(worse, "baseline:reports.sales:error_rate");
  ASSERT_NE(err, nullptr);
  EXPECT_EQ(err->verdict, Verdict::kFail) << err->message;
  SyntheticRun slight = spec(3);
  slight.endpoints[0].error_rate = 0.003;
  EXPECT_EQ(find_check(compare_runs(make_run(b), make_run(slight), CompareOptions{}), "baseline:reports.sales:error_rate")->verdict,
            Verdict::kPass);
}

TEST(CompareRuns, MissingEndpointIsInconclusiveAndNewOneIsNoted) {
  SyntheticRun b = spec(1);
  b.endpoints.push_back(testing::SyntheticEndpoint{"auth.login", 10, 0.3, 0.1, 20, 0});
  SyntheticRun c = spec(2);
  c.endpoints.push_back(testing::SyntheticEndpoint{"users.list", 10, 0.3, 0.1, 20, 0});
  const Comparison r = compare_runs(make_run(b), make_run(c), CompareOptions{});
  EXPECT_EQ(find_check(r, "baseline:auth.login:present")->verdict, Verdict::kInconclusive);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("users.list"), std::string::npos);
}

TEST(CompareRuns, PeakMemoryGrowthBeyondThresholdsFails) {
  RunResult b = make_run(spec(1));
  RunResult c = make_run(spec(2));
  b.profile = Profile{};
  c.profile = Profile{};
  b.profile->summary.peak_rss_bytes = 500'000'000;
  c.profile->summary.peak_rss_bytes = 700'000'000;
  EXPECT_EQ(find_check(compare_runs(b, c, CompareOptions{}), "baseline:run:peak_rss")->verdict, Verdict::kFail);
  c.profile->summary.peak_rss_bytes = 560'000'000;
  EXPECT_EQ(find_check(compare_runs(b, c, CompareOptions{}), "baseline:run:peak_rss")->verdict, Verdict::kWarn);
  c.profile->summary.peak_rss_bytes = 510'000'000;
  EXPECT_EQ(find_check(compare_runs(b, c, CompareOptions{}), "baseline:run:peak_rss")->verdict, Verdict::kPass);
  c.profile.reset();
  EXPECT_EQ(find_check(compare_runs(b, c, CompareOptions{}), "baseline:run:peak_rss")->verdict, Verdict::kInconclusive);
}

TEST(CompareRuns, PerPhaseChecksAppearWhenTheRunHasSeveralPhases) {
  SyntheticRun s = spec(1);
  RunResult b = make_run(s);
  RunResult c = make_run(spec(2));
  for (RunResult* r : {&b, &c}) {
    r->phases = {PhaseInfo{"ramp", 0, 15000, 10, 40, 0, 0, false}, PhaseInfo{"steady", 15000, 30000, 40, 40, 0, 0, false}};
  }
  const Comparison r = compare_runs(b, c, CompareOptions{});
  const CheckResult* steady = find_check(r, "baseline:reports.sales:steady:p95_shift");
  ASSERT_NE(steady, nullptr);
  EXPECT_EQ(steady->verdict, Verdict::kPass);
  EXPECT_EQ(steady->phase, "steady");
  for (RunResult* run : {&b, &c}) {
    run->phases = {PhaseInfo{"ramp", 0, 5000, 10, 40, 0, 0, false}, PhaseInfo{"steady", 5000, 30000, 40, 40, 0, 0, false}};
  }
  const Comparison short_ramp = compare_runs(b, c, CompareOptions{});
  EXPECT_EQ(find_check(short_ramp, "baseline:reports.sales:ramp:p95_shift"), nullptr);
  EXPECT_NE(find_check(short_ramp, "baseline:reports.sales:steady:p95_shift"), nullptr);
  ASSERT_EQ(short_ramp.notes.size(), 1u);
  EXPECT_NE(short_ramp.notes[0].find("phase ramp is shorter"), std::string::npos);
}

// The gate's promise: A/A on a noisy machine passes, a real 20% slowdown is caught.
TEST(CompareFalseAlarms, AtMostFivePercentOfNoisyAaPairsFailAndNinetyPercentOfTwentyPercentShiftsAreCaught) {
  const int pairs = 200;
  int aa_failures = 0, detected = 0;
  for (int i = 0; i < pairs; ++i) {
    SyntheticRun base = spec(1000 + static_cast<uint64_t>(i));
    base.endpoints[0].second_noise = 0.15;
    base.endpoints[0].rps = 30;
    SyntheticRun same = base;
    same.seed = 5000 + static_cast<uint64_t>(i);
    SyntheticRun shifted = same;
    shifted.endpoints[0].median_ms *= 1.2;
    const RunResult b = make_run(base);
    auto failed = [](const Comparison& c) {
      for (const auto& r : c.checks) {
        if (r.verdict == Verdict::kFail) return true;
      }
      return false;
    };
    aa_failures += failed(compare_runs(b, make_run(same), CompareOptions{}));
    detected += failed(compare_runs(b, make_run(shifted), CompareOptions{}));
  }
  RecordProperty("aa_failures", aa_failures);
  RecordProperty("shifts_detected", detected);
  EXPECT_LE(aa_failures, pairs * 5 / 100) << aa_failures << " of " << pairs << " A/A pairs failed";
  EXPECT_GE(detected, pairs * 90 / 100) << detected << " of " << pairs << " 20% shifts detected";
}

}  // namespace
}  // namespace perfgate
