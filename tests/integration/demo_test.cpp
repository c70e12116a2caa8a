// `perfgate demo` end to end, as a newcomer runs it: the built binary starts its own PostgreSQL and
// report service, offers load, analyzes, gates and reports, and leaves nothing running.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "core/files.h"
#include "core/gate_report.h"
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
  const std::string output = run_and_capture(
      std::string(PERFGATE_BINARY) + " demo --duration 15s --data-scale 0.25 --quiet --out " + out.string() + " 2>&1",
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
  // Regression: the demo's profile gets each phase's requests, so a phase-scoped CPU budget is
  // checked against a real figure (it used to be 0 in every phase).
  bool phase_with_requests = false;
  for (const auto& phase : result->phase_stats) {
    int64_t requests = 0;
    for (const auto& e : phase.endpoints) requests += e.kind == EndpointKind::kStep ? 0 : e.requests;
    if (requests == 0) continue;
    phase_with_requests = true;
    ASSERT_EQ(result->profile->phases.count(phase.phase), 1u) << phase.phase;
    EXPECT_GT(result->profile->phases.at(phase.phase).cpu_us_per_request, 0) << phase.phase;
  }
  EXPECT_TRUE(phase_with_requests);
  EXPECT_GT(result->profile->summary.cpu_us_per_request, 0);
  // The samples are on the run's timeline: none from before the first request was due (the
  // offset itself is checked exactly in tests/pipeline/run_session_test.cpp, on the same RunSession).
  for (const auto& timeline : result->profile->processes) {
    ASSERT_FALSE(timeline.samples.empty());
    EXPECT_GE(timeline.samples.front().t_ms, 0);
  }

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

// The demo's output directory is checked before anything is started: an unwritable --out exits 2
// and leaves no PostgreSQL, no report service and no data directory behind (it used to die with an
// uncaught filesystem_error after starting both, leaving the cluster and its directory in /tmp).
TEST(Demo, UnwritableOutExitsBeforeStartingAnythingAndLeavesNothingBehind) {
  char dir[] = "/tmp/perfgate-demo-tmpdir-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  ::chmod(dir, 0755);  // the throw-away cluster would run as the postgres user
  int code = -1;
  const std::string output = run_and_capture("TMPDIR=" + std::string(dir) + " " + std::string(PERFGATE_BINARY) +
                                                 " demo --duration 2s --quiet --out /proc/x/y 2>&1",
                                             code);
  EXPECT_EQ(code, 2) << output;
  EXPECT_NE(output.find("--out"), std::string::npos) << output;
  EXPECT_EQ(output.find("terminate called"), std::string::npos) << output;
  EXPECT_TRUE(printed_pids(output).empty()) << output;
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(dir)) left.push_back(entry.path().string());
  EXPECT_TRUE(left.empty()) << left.front();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace perfgate
