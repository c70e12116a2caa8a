// `perfgate demo` end to end, as a newcomer runs it: the built binary starts its own PostgreSQL and
// report service, offers load, analyzes, gates and reports, and leaves nothing running.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <vector>
#include <string>

#include "analyzers/verdict.h"
#include "core/files.h"
#include "core/run_result_io.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

std::string run_and_capture(const std::string& command, int& exit_code) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

// The PIDs the demo printed for the servers it started ("..., pid 1234").
std::vector<long> printed_pids(const std::string& output) {
  std::vector<long> pids;
  const std::regex pid_re("pid ([0-9]+)");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), pid_re); it != std::sregex_iterator(); ++it) {
    pids.push_back(std::stol((*it)[1]));
  }
  return pids;
}

TEST(Demo, RunsEndToEndAndItsGateFailsThePathologicalEndpointsOnly) {
  const fs::path out = fs::temp_directory_path() / ("perfgate-demo-test-" + std::to_string(::getpid()));
  fs::remove_all(out);
  int code = -1;
  const std::string output = run_and_capture(std::string(PERFGATE_BINARY) + " demo --duration 15s --data-scale 0.25 --quiet --out " +
                                                 out.string() + " 2>&1",
                                             code);
  ASSERT_EQ(code, 0) << output;
  for (const char* file : {"result.json", "findings.json", "gate.json", "junit.xml", "report.html", "report.md"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  auto result = read_run_result((out / "result.json").string());
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_GT(result->total_requests(), 100);
  ASSERT_TRUE(result->profile.has_value());
  EXPECT_FALSE(result->profile->processes.empty());
  EXPECT_FALSE(result->profile->postgres.empty());

  auto gate_text = read_file((out / "gate.json").string());
  ASSERT_TRUE(gate_text.ok());
  auto gate = gate_report_from_json(*gate_text, "gate.json");
  ASSERT_TRUE(gate.ok()) << gate.error().message;
  std::map<std::string, Verdict> verdicts;
  for (const auto& c : gate->checks) verdicts[c.id] = c.verdict;
  EXPECT_EQ(verdicts.at("budget:reports.sales:no_n_plus_one"), Verdict::kFail);
  EXPECT_EQ(verdicts.at("budget:reports.sales:queries_per_request"), Verdict::kFail);
  EXPECT_EQ(verdicts.at("budget:reports.by_region:no_missing_index"), Verdict::kFail);
  EXPECT_EQ(verdicts.at("budget:reports.sales_fixed:no_n_plus_one"), Verdict::kPass);
  EXPECT_EQ(verdicts.at("budget:reports.sales_fixed:queries_per_request"), Verdict::kPass);
  EXPECT_EQ(verdicts.at("budget:reports.by_user:no_missing_index"), Verdict::kPass);
  EXPECT_NE(output.find("reports.sales no_n_plus_one"), std::string::npos) << output;
  EXPECT_NE(output.find("CREATE INDEX CONCURRENTLY ON transactions (region)"), std::string::npos) << output;

  // Every server the demo started (PostgreSQL and the report service) is gone.
  const auto pids = printed_pids(output);
  EXPECT_EQ(pids.size(), 2u) << output;
  for (const long pid : pids) EXPECT_NE(::kill(static_cast<pid_t>(pid), 0), 0) << "pid " << pid << " still running";
  fs::remove_all(out);
}

}  // namespace
}  // namespace perfgate
