// The built perfgate binary on synthesised result files: exit codes, outputs and refusals.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "analyzers/synthetic_run.h"
#include "core/files.h"
#include "core/gate_report.h"
#include "core/run_result_io.h"
#include "reports/xml_check.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string output;
};

class GateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("perfgate-gate-cli-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A quiet machine: an A/A pair's interval then rules out the minimum effect (a pass).
    testing::SyntheticRun spec;
    spec.endpoints[0].second_noise = 0.01;
    spec.endpoints[0].rps = 400;
    spec.target_rps = 400;
    write("base.json", testing::make_run(spec));
    spec.seed = 2;
    write("same.json", testing::make_run(spec));
    spec.seed = 3;
    spec.endpoints[0].median_ms = 180;
    write("slow.json", testing::make_run(spec));
    ASSERT_TRUE(write_file_atomically(path("budgets.json"), R"({
      // loose enough for both runs' p95 (about 190 ms and 350 ms)
      "schema_version": 1,
      "budgets": [{"category": "reports", "p95": "2s", "tolerance": 1.5}, {"rules": ["error_rate <= 1%"]}]
    })")
                    .ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const RunResult& r) { ASSERT_TRUE(write_run_result(r, path(name)).ok()); }

  Ran run(const std::string& args, const std::string& env = "") const {
    const std::string command = env + " " + PERFGATE_BINARY + " " + args + " 2>&1";
    Ran ran;
    std::FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return ran;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) ran.output.append(buf, n);
    const int status = pclose(pipe);
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return ran;
  }

  fs::path dir_;
};

TEST_F(GateCli, AnAaRunPassesAndWritesJsonJunitAndTheStepSummary) {
  ASSERT_TRUE(write_file_atomically(path("summary.md"), "earlier step\n").ok());
  const Ran r = run("gate " + path("same.json") + " --baseline " + path("base.json") + " --budgets " +
                        path("budgets.json") + " --out " + path("gate.json") + " --junit " + path("junit.xml"),
                    "GITHUB_STEP_SUMMARY=" + path("summary.md"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("gate: PASS"), std::string::npos) << r.output;
  auto report = gate_report_from_json(*read_file(path("gate.json")), "gate.json");
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(report->overall, Verdict::kPass);
  const std::string xml = *read_file(path("junit.xml"));
  EXPECT_EQ(testing::xml_problem(xml), "") << xml;
  EXPECT_NE(xml.find("failures=\"0\""), std::string::npos);
  auto summary = read_file(path("summary.md"));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->rfind("earlier step\n## perfgate gate: PASS", 0), 0u) << "appended, not replaced: " << *summary;
}

TEST_F(GateCli, ARegressionExitsOneAndSaysByHowMuchAgainstWhat) {
  const Ran r = run("gate " + path("slow.json") + " --baseline " + path("base.json") + " --junit " + path("junit.xml") +
                    " --markdown " + path("gate.md"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL: reports.sales per-second p95 regressed"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("vs baseline"), std::string::npos);
  const std::string xml = *read_file(path("junit.xml"));
  EXPECT_EQ(testing::xml_problem(xml), "");
  EXPECT_NE(xml.find("<failure message=\"reports.sales per-second p95 regressed"), std::string::npos) << xml;
  EXPECT_NE(read_file(path("gate.md"))->find("| FAIL |"), std::string::npos);
  const Ran budget = run("gate " + path("slow.json") + " --budgets " + path("budgets.json"));
  EXPECT_EQ(budget.exit_code, 0) << "within budget, no baseline: " << budget.output;
}

TEST_F(GateCli, InconclusivePassesVisiblyUnlessStrict) {
  RunResult other = *read_run_result(path("same.json"));
  other.context.scenario_hash = "different";
  write("other.json", other);
  const Ran r = run("gate " + path("other.json") + " --baseline " + path("base.json"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("gate: INCONCLUSIVE"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("different scenario"), std::string::npos);
  EXPECT_EQ(run("gate " + path("other.json") + " --baseline " + path("base.json") + " --strict").exit_code, 1);
}

TEST_F(GateCli, SeedDefaultsJudgeEachCategoryAndShowWhatCannotBeJudged) {
  testing::SyntheticRun spec;
  spec.endpoints = {testing::SyntheticEndpoint{"reports.sales", 500, 0.3, 0.1, 20, 0},
                    testing::SyntheticEndpoint{"users.list", 150, 0.3, 0.1, 20, 0}};
  write("seeded.json", testing::make_run(spec));
  const Ran r = run("gate " + path("seeded.json") + " --budgets " + PERFGATE_SOURCE_DIR "/budgets/seed-defaults.json");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("FAIL: users.list p95"), std::string::npos)
      << "users p95 ~245 ms > 1.5 x 150 ms: " << r.output;
  EXPECT_NE(r.output.find("x1.5 tolerance: 225.0ms"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("FAIL: reports.sales"), std::string::npos)
      << "reports p95 ~820 ms is within 1 s: " << r.output;
  EXPECT_NE(r.output.find("INCONCLUSIVE: whole run peak_rss"), std::string::npos) << "no profile: " << r.output;
  EXPECT_NE(r.output.find("INCONCLUSIVE: whole run slow_query_mean"), std::string::npos) << "no findings: " << r.output;
}

TEST_F(GateCli, BadInputExitsTwoWithFileLineAndColumn) {
  ASSERT_TRUE(
      write_file_atomically(path("bad.json"), "{\"schema_version\": 1,\n \"budgets\": [{\"p95\": \"soon\"}]}").ok());
  const Ran bad = run("gate " + path("same.json") + " --budgets " + path("bad.json"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find(path("bad.json") + ":2:"), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("budgets[0].p95"), std::string::npos) << bad.output;
  EXPECT_EQ(run("gate " + path("same.json")).exit_code, 2) << "nothing to check";
  EXPECT_EQ(run("gate " + path("missing.json") + " --baseline " + path("base.json")).exit_code, 2);
}

TEST_F(GateCli, BaselineSaveRefusesAPartialRunAndKeepsTheGoodBaseline) {
  const Ran saved = run("baseline save " + path("base.json") + " --to " + path("perfgate-baseline.json"));
  EXPECT_EQ(saved.exit_code, 0) << saved.output;
  RunResult partial = *read_run_result(path("slow.json"));
  partial.partial = true;
  partial.status = RunStatus::kPartial;
  write("partial.json", partial);
  const Ran refused = run("baseline save " + path("partial.json") + " --to " + path("perfgate-baseline.json"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("partial"), std::string::npos);
  EXPECT_EQ(*read_file(path("perfgate-baseline.json")), *read_file(path("base.json")));
}

}  // namespace
}  // namespace perfgate
