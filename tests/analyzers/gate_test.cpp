#include "analyzers/gate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "analyzers/baseline.h"
#include "analyzers/synthetic_run.h"
#include "core/files.h"
#include "core/run_result_io.h"

namespace perfgate {
namespace {

BudgetSet budgets(const std::string& rule, const std::string& endpoint = "") {
  BudgetSet set;
  set.source = "b.json";
  set.entries.push_back(BudgetEntry{BudgetScope{endpoint, "", ""}, {*parse_budget_rule(rule)}, "b.json:1"});
  return set;
}

TEST(Gate, CombinesBudgetsAndBaselineIntoOneOverallVerdict) {
  const RunResult base = testing::make_run(testing::SyntheticRun{});
  testing::SyntheticRun slow_spec;
  slow_spec.seed = 9;
  slow_spec.endpoints[0].median_ms = 200;
  const RunResult slow = testing::make_run(slow_spec);
  const BudgetSet loose = budgets("p95 < 10s", "reports.*");
  GateInputs in;
  in.result = &slow;
  in.result_path = "r.json";
  in.budgets = &loose;
  GateReport only_budget = run_gate(in);
  EXPECT_EQ(only_budget.overall, Verdict::kPass);
  EXPECT_EQ(only_budget.budgets_path, "b.json");
  in.baseline = &base;
  in.baseline_path = "base.json";
  GateReport both = run_gate(in);
  EXPECT_EQ(both.overall, Verdict::kFail);
  EXPECT_FALSE(gate_passes(both, Strictness::kDefault));
  EXPECT_EQ(both.baseline_path, "base.json");
}

TEST(Gate, InconclusiveAndWarnPassByDefaultButNotWhenStrict) {
  GateReport r;
  r.checks.resize(2);
  r.checks[1].verdict = Verdict::kInconclusive;
  r.overall = combine_verdicts(r.checks);
  EXPECT_EQ(r.overall, Verdict::kInconclusive);
  EXPECT_TRUE(gate_passes(r, Strictness::kDefault));
  EXPECT_FALSE(gate_passes(r, Strictness::kStrict));
  r.checks[1].verdict = Verdict::kWarn;
  r.overall = combine_verdicts(r.checks);
  EXPECT_EQ(r.overall, Verdict::kWarn);
  EXPECT_FALSE(gate_passes(r, Strictness::kStrict));
  r.checks.push_back(CheckResult{});
  r.checks.back().verdict = Verdict::kFail;
  EXPECT_EQ(combine_verdicts(r.checks), Verdict::kFail);
}

TEST(Gate, PartialRunIsShownAsInconclusiveAndRepeatedIdsAreMadeUnique) {
  RunResult r = testing::make_run(testing::SyntheticRun{});
  r.partial = true;
  r.status = "partial";
  BudgetSet set = budgets("p95 < 10s", "reports.sales");
  set.entries.push_back(set.entries[0]);
  GateInputs in;
  in.result = &r;
  in.budgets = &set;
  const GateReport report = run_gate(in);
  ASSERT_EQ(report.checks.size(), 3u);
  EXPECT_EQ(report.checks[0].id, "run:complete");
  EXPECT_EQ(report.checks[0].verdict, Verdict::kInconclusive);
  EXPECT_EQ(report.checks[2].id, "budget:reports.sales:p95#2");
  EXPECT_EQ(report.overall, Verdict::kInconclusive);
}

TEST(Gate, APartialBaselineIsShownAsInconclusive) {
  const RunResult r = testing::make_run(testing::SyntheticRun{});
  RunResult base = r;
  base.status = "failed";
  GateInputs in;
  in.result = &r;
  in.baseline = &base;
  const GateReport report = run_gate(in);
  ASSERT_FALSE(report.checks.empty());
  EXPECT_EQ(report.checks[0].id, "baseline:run:complete");
  EXPECT_EQ(report.overall, Verdict::kInconclusive);
}

TEST(GateReportJson, RoundTripsEveryField) {
  GateReport r;
  r.overall = Verdict::kFail;
  r.result_path = "r.json";
  r.baseline_path = "b.json";
  r.notes = {"a note"};
  CheckResult c;
  c.id = "baseline:reports.sales:p95_shift";
  c.kind = "baseline";
  c.endpoint = "reports.sales";
  c.phase = "steady";
  c.metric = "p95_shift";
  c.verdict = Verdict::kFail;
  c.measured = 1500;
  c.limit = 1000;
  c.unit = "us";
  c.change = 0.5;
  c.p_value = 0.0001;
  c.message = "slower \"quoted\"";
  c.change_low = 0.31;
  c.threshold = 0.05;  // change_high absent: the data could not bound it
  r.checks = {c, CheckResult{}};
  auto back = gate_report_from_json(gate_report_to_json(r), "g.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->overall, Verdict::kFail);
  EXPECT_EQ(back->notes, r.notes);
  ASSERT_EQ(back->checks.size(), 2u);
  const CheckResult& b = back->checks[0];
  EXPECT_EQ(b.id, c.id);
  EXPECT_EQ(b.phase, "steady");
  EXPECT_DOUBLE_EQ(*b.limit, 1000);
  EXPECT_DOUBLE_EQ(*b.p_value, 0.0001);
  EXPECT_EQ(b.message, c.message);
  EXPECT_DOUBLE_EQ(*b.change_low, 0.31);
  EXPECT_FALSE(b.change_high.has_value());
  EXPECT_DOUBLE_EQ(*b.threshold, 0.05);
  EXPECT_FALSE(back->checks[1].limit.has_value());
  EXPECT_FALSE(back->checks[1].threshold.has_value());
  EXPECT_EQ(gate_report_to_json(r).find("change_low", gate_report_to_json(r).rfind("\"id\"")), std::string::npos)
      << "a check without an interval writes no interval fields";
  auto bad = gate_report_from_json("{\"schema_version\": 1,\n \"overall\": \"maybe\"}", "g.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("g.json:2:"), std::string::npos) << bad.error().message;
}

TEST(FormatChangeInterval, ShowsTheChangeItsIntervalAndTheThresholdOrNothing) {
  CheckResult c;
  c.unit = "us";
  EXPECT_EQ(format_change_interval(c), "") << "budgets and memory checks have no interval";
  c.change = 0.145;
  c.change_low = 0.112;
  c.change_high = 0.179;
  c.threshold = 0.05;
  EXPECT_EQ(format_change_interval(c), "+14.5% [+11.2%, +17.9%], counts from +5.0%");
  c.change_high.reset();
  EXPECT_EQ(format_change_interval(c), "+14.5% [+11.2%, ?], counts from +5.0%");
  c.unit = "ratio";
  c.change = 0.012;
  c.change_low = -0.001;
  c.change_high = 0.025;
  c.threshold = 0.005;
  EXPECT_EQ(format_change_interval(c), "+1.20 [-0.10, +2.50] points, counts from +0.50 points");
}

TEST(FormatCheckValue, PrintsEachUnitForPeople) {
  EXPECT_EQ(format_check_value(0.0123, "ratio"), "1.23%");
  EXPECT_EQ(format_check_value(12.0, "count"), "12");
  EXPECT_EQ(format_check_value(45.25, "rps"), "45.2/s");
  EXPECT_EQ(format_check_value(12.5, "mb_per_hour"), "12.5 MB/h");
}

class BaselineSave : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("perfgate-baseline-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(BaselineSave, CopiesACompleteRunAndNeverReplacesAGoodBaselineWithABadRun) {
  RunResult good = testing::make_run(testing::SyntheticRun{});
  ASSERT_TRUE(write_run_result(good, path("good.json")).ok());
  ASSERT_TRUE(save_baseline(path("good.json"), path("base.json")).ok());
  EXPECT_EQ(*read_file(path("base.json")), *read_file(path("good.json")));

  RunResult partial = good;
  partial.partial = true;
  partial.status = "partial";
  ASSERT_TRUE(write_run_result(partial, path("partial.json")).ok());
  Status refused = save_baseline(path("partial.json"), path("base.json"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(refused.error().message.find("partial"), std::string::npos);
  RunResult failed = good;
  failed.status = "failed";
  ASSERT_TRUE(write_run_result(failed, path("failed.json")).ok());
  EXPECT_FALSE(save_baseline(path("failed.json"), path("base.json")).ok());
  ASSERT_TRUE(write_file_atomically(path("junk.json"), "{not json").ok());
  EXPECT_EQ(save_baseline(path("junk.json"), path("base.json")).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(save_baseline(path("missing.json"), path("base.json")).error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(*read_file(path("base.json")), *read_file(path("good.json"))) << "the good baseline is untouched";
}

}  // namespace
}  // namespace perfgate
