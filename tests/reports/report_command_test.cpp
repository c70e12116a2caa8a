// The built binary's `report` and `trend` subcommands, end to end on files written in the test.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/files.h"
#include "core/findings.h"
#include "core/gate_report.h"
#include "core/run_result_io.h"
#include "reports/report_fixture.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(PERFGATE_BINARY_DIR) / "artifacts" / "report-command" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const auto fixture = testing::make_report_fixture();
    ASSERT_TRUE(write_run_result(fixture.result, (dir_ / "result.json").string()).ok());
    ASSERT_TRUE(write_run_result(fixture.baseline, (dir_ / "baseline.json").string()).ok());
  }

  // Runs perfgate with `args`; returns its exit code and fills stdout_.
  int perfgate(const std::string& args) {
    const std::string command =
        std::string(PERFGATE_BIN) + " " + args + " >" + (dir_ / "stdout").string() + " 2>" + (dir_ / "stderr").string();
    const int status = std::system(command.c_str());
    stdout_ = read_file((dir_ / "stdout").string()).value();
    stderr_ = read_file((dir_ / "stderr").string()).value();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  std::string stdout_, stderr_;
};

TEST_F(ReportCommand, WritesAnHtmlReportWithTheBaselineOverlaid) {
  ASSERT_EQ(perfgate("report " + path("result.json") + " --baseline " + path("baseline.json") + " -o " +
                     path("out/report.html")),
            0)
      << stderr_;
  const std::string html = read_file(path("out/report.html")).value();
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find(">baseline</text>"), std::string::npos);
  EXPECT_NE(html.find("id=\"changes\""), std::string::npos);
}

TEST_F(ReportCommand, PrintsMarkdownToStandardOutput) {
  ASSERT_EQ(perfgate("report " + path("result.json") + " --format markdown -o -"), 0) << stderr_;
  EXPECT_EQ(stdout_.rfind("## perfgate: peak", 0), 0u) << stdout_;
  EXPECT_NE(stdout_.find("| reports.sales |"), std::string::npos);
}

TEST_F(ReportCommand, AMissingResultIsAUsageError) {
  EXPECT_EQ(perfgate("report " + path("absent.json") + " -o " + path("r.html")), 2);
  EXPECT_NE(stderr_.find("absent.json"), std::string::npos) << stderr_;
  EXPECT_FALSE(fs::exists(path("r.html")));
}

TEST_F(ReportCommand, AnUnknownFormatIsAUsageError) {
  EXPECT_EQ(perfgate("report " + path("result.json") + " --format pdf -o " + path("r.pdf")), 2);
}

TEST_F(ReportCommand, RendersFindingsAndGateFilesFromTheAnalyzers) {
  Findings findings;
  Finding f;
  f.kind = FindingKind::kMissingIndex;
  f.summary = "missing index on transactions (region)";
  f.suggestion = "CREATE INDEX CONCURRENTLY ON transactions (region);";
  findings.findings.push_back(f);
  ASSERT_TRUE(write_findings(findings, path("findings.json")).ok());
  GateReport gate;
  gate.overall = Verdict::kFail;
  CheckResult check;
  check.id = "budget:reports.sales:p95";
  check.verdict = Verdict::kFail;
  check.message = "reports.sales p95 1.84s exceeds 1.00s";
  gate.checks.push_back(check);
  ASSERT_TRUE(write_gate_report(gate, path("gate.json")).ok());
  ASSERT_EQ(perfgate("report " + path("result.json") + " --findings " + path("findings.json") + " --gate " +
                     path("gate.json") + " -o " + path("r.html")),
            0)
      << stderr_;
  const std::string html = read_file(path("r.html")).value();
  EXPECT_NE(html.find("CREATE INDEX CONCURRENTLY ON transactions (region);"), std::string::npos);
  EXPECT_NE(html.find("reports.sales p95 1.84s exceeds 1.00s"), std::string::npos);
}

TEST_F(ReportCommand, TrendReadsEveryResultInADirectoryAndSkipsOtherJson) {
  fs::create_directories(dir_ / "runs");
  for (int i = 0; i < 4; ++i) {
    const RunResult run = testing::make_trend_run(i, i == 3 ? 180000 : 100000, 0, 300 * 1048576LL);
    ASSERT_TRUE(write_run_result(run, path("runs/run" + std::to_string(i) + ".json")).ok());
  }
  ASSERT_TRUE(write_file_atomically(path("runs/gate.json"), "{\"checks\": []}").ok());
  ASSERT_EQ(perfgate("trend " + path("runs") + " -o " + path("trend.html")), 0) << stderr_;
  EXPECT_NE(stderr_.find("skipping"), std::string::npos) << stderr_;
  const std::string html = read_file(path("trend.html")).value();
  EXPECT_NE(html.find("Trend over 4 runs"), std::string::npos);
  EXPECT_NE(html.find("class=\"mark\""), std::string::npos);
}

TEST_F(ReportCommand, TrendOfAMissingFileIsAUsageError) {
  EXPECT_EQ(perfgate("trend " + path("nothing.json") + " -o " + path("trend.html")), 2);
}

}  // namespace
}  // namespace perfgate
