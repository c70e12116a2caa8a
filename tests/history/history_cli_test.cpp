// perfgate history add/show, trend --store and gate --baseline-history through the built binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "analyzers/synthetic_run.h"
#include "core/files.h"
#include "core/run_result_io.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

class HistoryCli : public testing::TempDirTest {
 protected:
  // A synthetic result file: one endpoint at `median_ms`, `seconds` long, labelled with a commit.
  std::string write_run(const std::string& name, uint64_t seed, double median_ms, int seconds = 12) {
    testing::SyntheticRun spec;
    spec.seed = seed;
    spec.seconds = seconds;
    spec.endpoints[0].median_ms = median_ms;
    spec.endpoints[0].second_noise = 0.03;
    RunResult r = testing::make_run(spec);
    r.context.start_time = "2026-12-04T10:" + std::to_string(10 + seed % 50) + ":00Z";
    r.labels["git_sha"] = "sha" + std::to_string(seed);
    EXPECT_TRUE(write_file_atomically(path(name), run_result_to_json(r)).ok());
    return path(name);
  }
};

TEST_F(HistoryCli, ShowNamesTheFirstRunAndCommitOfAChangeAndGatePoolsTheLastGoodRuns) {
  const std::string store = path("history");
  for (uint64_t i = 1; i <= 14; ++i) {
    const auto ran = run_perfgate(
        {"history", "add", write_run("r.json", i, i >= 8 ? 130 : 100), "--branch", "main", "--store", store});
    ASSERT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_NE(ran.output.find("added run " + std::to_string(i)), std::string::npos) << ran.output;
  }
  // Another branch's runs never enter main's history.
  ASSERT_EQ(
      run_perfgate({"history", "add", write_run("f.json", 99, 500), "--branch", "feature", "--store", store}).exit_code,
      0);

  const auto shown = run_perfgate({"history", "show", "--json", "--branch", "main", "--store", store});
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  const auto j = nlohmann::json::parse(shown.output);
  EXPECT_EQ(j["runs"].size(), 14u);
  bool p95_named = false;
  for (const auto& c : j["change_points"]) {
    if (c["metric"] != "p95") continue;
    EXPECT_EQ(c["first_run_id"], 8);
    EXPECT_EQ(c["first_commit"], "sha8");
    EXPECT_EQ(c["direction"], "regression");
    p95_named = true;
  }
  EXPECT_TRUE(p95_named) << shown.output;
  const auto text = run_perfgate({"history", "show", "--branch", "main", "--store", store});
  EXPECT_NE(text.output.find("REGRESSION"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("from run 8 commit sha8"), std::string::npos) << text.output;
  // A +30% step is below a 50% minimum magnitude.
  const auto strict = run_perfgate({"history", "show", "--branch", "main", "--store", store, "--min-magnitude", "0.5"});
  EXPECT_NE(strict.output.find("no change point"), std::string::npos) << strict.output;

  // The last 3 good runs of main (all at the slower level) pooled: a candidate at that level passes,
  // one 50% slower fails.
  const auto same =
      run_perfgate({"gate", write_run("same.json", 50, 130, 20), "--baseline-history", "main:3", "--store", store});
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("runs 12, 13, 14"), std::string::npos) << same.output;
  const auto slow =
      run_perfgate({"gate", write_run("slow.json", 51, 200, 20), "--baseline-history", "main:3", "--store", store});
  EXPECT_EQ(slow.exit_code, 1) << slow.output;

  const auto trend = run_perfgate({"trend", "--store", store, "--branch", "main", "-o", path("trend.html")});
  ASSERT_EQ(trend.exit_code, 0) << trend.output;
  const std::string html = *read_file(path("trend.html"));
  EXPECT_NE(html.find("change point: p95"), std::string::npos);
  EXPECT_NE(html.find("run 8, 12-04 10:18, sha8"), std::string::npos);  // tooltips name runs, not "at 7"
  EXPECT_EQ(html.find(" at 7<"), std::string::npos);
}

TEST_F(HistoryCli, ACorruptEntryOrAnUnreachableStoreIsNamedAndNothingIsHalfWritten) {
  const std::string store = path("history");
  ASSERT_EQ(run_perfgate({"history", "add", write_run("r.json", 1, 100), "--store", store}).exit_code, 0);
  std::ofstream(store + "/00000002.json") << "{\"kind\": \"perfgate-history-entry\", \"id\": ";
  const auto shown = run_perfgate({"history", "show", "--store", store});
  EXPECT_EQ(shown.exit_code, 2) << shown.output;
  EXPECT_NE(shown.output.find(store + "/00000002.json"), std::string::npos) << shown.output;
  const auto gate = run_perfgate({"gate", path("r.json"), "--baseline-history", "main", "--store", store});
  EXPECT_EQ(gate.exit_code, 2) << gate.output;

  const auto pg = run_perfgate(
      {"history", "add", path("r.json"), "--store", "postgresql://u:pw@127.0.0.1:1/none?connect_timeout=2"});
  EXPECT_EQ(pg.exit_code, 3) << pg.output;
  EXPECT_NE(pg.output.find("127.0.0.1:1"), std::string::npos) << pg.output;

  const auto not_a_result = run_perfgate({"history", "add", store + "/00000001.json", "--store", store});
  EXPECT_EQ(not_a_result.exit_code, 2) << not_a_result.output;
  EXPECT_FALSE(std::filesystem::exists(store + "/00000003.json"));
}

TEST_F(HistoryCli, TwentyTestbedRunsWithASlowdownFromRunElevenNameRunEleven) {
  ASSERT_NE(testing::start_testbed("history", 0.05), nullptr);  // seeds the database, then stops
  const int port = testing::free_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string store = path("history");
  for (int run = 1; run <= 20; ++run) {
    // The testbed's delay knob, switched on from run 11: every /reports response 50 ms later, a step
    // well above what a loaded 2-core machine adds to the p95 of a 1-second run.
    const std::string command = testing::testbed_command("history", port, run >= 11 ? "--delay-ms 50" : "");
    const std::string out = path("run" + std::to_string(run) + ".json");
    const auto ran = run_perfgate({"run", "--url", base + "/reports/by-user?user_id=7", "--rate", "40", "--duration",
                                   "1s", "--quiet", "--out", out, "--spawn", command, "--ready", base + "/health",
                                   "--label", "run-" + std::to_string(run), "--git-sha", "sha" + std::to_string(run)});
    ASSERT_EQ(ran.exit_code, 0) << ran.output;
    const auto added = run_perfgate({"history", "add", out, "--branch", "main", "--store", store});
    ASSERT_EQ(added.exit_code, 0) << added.output;
  }
  const auto shown = run_perfgate({"history", "show", "--json", "--store", store});
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  const auto j = nlohmann::json::parse(shown.output);
  ASSERT_EQ(j["runs"].size(), 20u);
  EXPECT_EQ(j["runs"][4]["label"], "run-5");
  // The step (~1 ms -> ~51 ms) is the change point of p95, named by run 11's commit and label; a
  // loaded CI machine may add a lesser change later on, never a larger one.
  bool p95_at_eleven = false;
  double step = 0, largest_other = 0;
  for (const auto& c : j["change_points"]) {
    if (c["metric"] != "p95" && c["metric"] != "p99") continue;
    const double change = c["relative_change"].is_number() ? c["relative_change"].get<double>() : 1e9;
    if (c["first_run_id"] == 11) {
      EXPECT_EQ(c["first_commit"], "sha11");
      EXPECT_EQ(c["first_label"], "run-11");
      EXPECT_EQ(c["direction"], "regression");
      p95_at_eleven = p95_at_eleven || c["metric"] == "p95";
      step = std::max(step, std::fabs(change));
    } else {
      largest_other = std::max(largest_other, std::fabs(change));
    }
  }
  EXPECT_TRUE(p95_at_eleven) << shown.output;
  EXPECT_GT(step, 1.0) << shown.output;
  EXPECT_LT(largest_other, step) << shown.output;
}

}  // namespace
}  // namespace perfgate
