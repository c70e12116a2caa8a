#include "reports/trend_report.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/report_fixture.h"

namespace perfgate {
namespace {

using testing::make_trend_run;

TEST(TrendRegressions, MarksARunWorseThanTheMedianOfThePreviousRuns) {
  const std::vector<double> values = {100, 102, 98, 101, 99, 125, 100};
  EXPECT_EQ(find_trend_regressions(values), (std::vector<size_t>{5}));
}

TEST(TrendRegressions, ToleratesChangesWithinTheThreshold) {
  EXPECT_TRUE(find_trend_regressions({100, 109, 100, 109.9}).empty());
}

TEST(TrendRegressions, ComparesOnlyWithTheLastKRuns) {
  // The old fast runs leave the window: 150 after four runs at ~150 is not a regression.
  const std::vector<double> values = {50, 50, 150, 151, 149, 150, 152};
  TrendOptions options;
  options.window = 3;
  EXPECT_EQ(find_trend_regressions(values, options), (std::vector<size_t>{2, 3}));
}

TEST(TrendRegressions, SkipsMissingValuesAndNeverFlagsTheFirst) {
  const double nan = std::nan("");
  EXPECT_TRUE(find_trend_regressions({}).empty());
  EXPECT_TRUE(find_trend_regressions({500}).empty());
  EXPECT_EQ(find_trend_regressions({nan, 100, nan, 200}), (std::vector<size_t>{3}));
}

TEST(TrendRegressions, AnAbsoluteFloorIgnoresTinyRises) {
  TrendOptions options;
  options.min_absolute_increase = 0.5;
  EXPECT_EQ(find_trend_regressions({0.1, 0.2, 0.3, 1.5}, options), (std::vector<size_t>{3}));
}

TEST(TrendReport, SmallErrorRateRisesAreNotRegressions) {
  std::vector<RunResult> runs;
  runs.reserve(6);
  for (int i = 0; i < 6; ++i) runs.push_back(make_trend_run(i, 100000, 0.001 * i, 200 * 1048576LL));
  const std::string html = render_trend_html(runs);
  EXPECT_NE(html.find("No run was worse than the runs before it."), std::string::npos);
}

TEST(TrendReport, ChartsEachEndpointAndListsRegressions) {
  std::vector<RunResult> runs;
  runs.reserve(6);
  const double medians[] = {100000, 101000, 99000, 100500, 160000, 100000};
  for (int i = 0; i < 6; ++i) runs.push_back(make_trend_run(i, medians[i], 0.0, (200 + i) * 1048576LL));
  const std::string html = render_trend_html(runs);
  EXPECT_NE(html.find("aria-label=\"reports.sales - latency\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"reports.sales - error rate\""), std::string::npos);
  EXPECT_NE(html.find("Peak memory"), std::string::npos);
  EXPECT_NE(html.find("class=\"mark\""), std::string::npos);
  EXPECT_NE(html.find("<td class=\"text\">run 5, 03-05 10:00</td><td class=\"text\">reports.sales</td><td>p95</td>"),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(TrendReport, RunsOfOneDayAreTellApartByTimeLabelAndCommit) {
  std::vector<RunResult> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(make_trend_run(0, 100000, 0.0, 200 * 1048576LL));
    runs.back().context.start_time = "2026-12-04T1" + std::to_string(i) + ":3" + std::to_string(i) + ":00Z";
  }
  runs[1].labels["git_sha"] = "0123456789abcdef";
  runs[2].labels["label"] = "after-fix";
  const std::string html = render_trend_html(runs);
  EXPECT_NE(html.find(">12-04 10:30</text>"), std::string::npos);                     // x tick: day and time
  EXPECT_NE(html.find(">01234567</text>"), std::string::npos);                        // x tick: the commit
  EXPECT_NE(html.find(">after-fix</text>"), std::string::npos);                       // x tick: the label
  EXPECT_NE(html.find("- run 2, 12-04 11:31, 01234567</title>"), std::string::npos);  // tooltips name the run
  EXPECT_EQ(html.find(" at 0</title>"), std::string::npos);
}

TEST(TrendReport, PartialAndFailedRunsAreDrawnHollowAndNeverMarked) {
  std::vector<RunResult> runs;
  runs.reserve(6);
  for (int i = 0; i < 6; ++i) runs.push_back(make_trend_run(i, 100000, 0.0, 200 * 1048576LL));
  runs[4] = make_trend_run(4, 400000, 0.0, 200 * 1048576LL);
  runs[4].status = RunStatus::kPartial;
  runs[4].partial = true;
  const std::string html = render_trend_html(runs);
  EXPECT_NE(html.find("class=\"flagged\""), std::string::npos);
  EXPECT_NE(html.find("(partial run)</title>"), std::string::npos);
  EXPECT_EQ(html.find("class=\"mark\""), std::string::npos);
}

TEST(TrendReport, DrawsAChangePointBeforeTheFirstRunOfANewLevel) {
  std::vector<RunResult> runs;
  runs.reserve(16);
  for (int i = 0; i < 16; ++i)
    runs.push_back(make_trend_run(i, i >= 8 ? 150000 : 100000 + (i % 3) * 1000, 0.0, 200 * 1048576LL));
  TrendOptions options;
  HistoryChange change;
  change.scenario_name = "s";
  change.endpoint = "reports.sales";
  change.metric = "p95";
  change.change = ChangePoint{8, 100000, 150000, 0.5, 1e-9};
  change.first_run_id = 9;
  change.first_commit = "abc123";
  options.changes.push_back(change);
  const std::string html = render_trend_html(runs, options);
  EXPECT_NE(html.find("<g class=\"marker\"><title>change point: p95 +"), std::string::npos);
  EXPECT_NE(html.find("from run 9 (abc123)</title>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Change points</h2>"), std::string::npos);
}

TEST(TrendReport, SaysSoWhenThereAreNoRuns) {
  EXPECT_NE(render_trend_html({}).find("No runs to show."), std::string::npos);
}

}  // namespace
}  // namespace perfgate
