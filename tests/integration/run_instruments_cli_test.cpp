// `perfgate run`'s profiler and analyzer flags: refusals before any load is sent, the spawned
// server's life cycle, and a DSN password that never reaches the output or the result.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <thread>

#include "core/files.h"
#include "core/findings.h"
#include "core/run_result_io.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

// Nothing listens on port 1; these runs must be refused before the first request anyway.
const std::string kNowhere = "http://127.0.0.1:1/";

class RunInstrumentsCli : public testing::TempDirTest {};

TEST_F(RunInstrumentsCli, AWatchedPidThatDoesNotExistIsAUsageError) {
  const auto ran = run_perfgate({"run", "--url", kNowhere, "--rate", "1", "--duration", "1s", "--quiet", "--out",
                                 path("r.json"), "--watch-pid", "999999999"});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find("--watch-pid: pid 999999999: no such process"), std::string::npos) << ran.output;
  EXPECT_FALSE(std::filesystem::exists(path("r.json")));
}

TEST_F(RunInstrumentsCli, AnInvalidWatchPatternIsAUsageError) {
  const auto ran = run_perfgate({"run", "--url", kNowhere, "--rate", "1", "--duration", "1s", "--quiet", "--out",
                                 path("r.json"), "--watch-pattern", "perfgate-testbed(["});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find("--watch-pattern: process pattern 'perfgate-testbed(['"), std::string::npos) << ran.output;
}

TEST_F(RunInstrumentsCli, ReadyWithoutSpawnAndFindingsWithoutPgAreUsageErrors) {
  auto ran = run_perfgate(
      {"run", "--url", kNowhere, "--rate", "1", "--duration", "1s", "--quiet", "--ready", "http://127.0.0.1:1/health"});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find("--ready: needs --spawn"), std::string::npos) << ran.output;
  ran = run_perfgate(
      {"run", "--url", kNowhere, "--rate", "1", "--duration", "1s", "--quiet", "--findings-out", path("f.json")});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find("--findings-out: needs --pg"), std::string::npos) << ran.output;
}

TEST_F(RunInstrumentsCli, UnreachablePostgresIsAToolFailureNamingTheDsnWithoutItsPassword) {
  const auto ran =
      run_perfgate({"run", "--url", kNowhere, "--rate", "1", "--duration", "1s", "--quiet", "--out", path("r.json"),
                    "--pg", "host=127.0.0.1 port=1 dbname=shop user=app password=hunter2 connect_timeout=2"});
  EXPECT_EQ(ran.exit_code, 3) << ran.output;
  EXPECT_NE(ran.output.find("host=127.0.0.1 port=1 dbname=shop user=app"), std::string::npos) << ran.output;
  EXPECT_EQ(ran.output.find("hunter2"), std::string::npos) << ran.output;
  EXPECT_FALSE(std::filesystem::exists(path("r.json")));
}

TEST_F(RunInstrumentsCli, ASpawnedServerThatNeverGetsReadyIsAToolFailureAndIsStopped) {
  const std::string marker = path("started");
  const auto ran =
      run_perfgate({"run", "--url", kNowhere, "--rate", "1", "--duration", "1s", "--quiet", "--spawn",
                    "echo $$ > " + marker + "; exec sleep 30", "--ready",
                    "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/health", "--ready-timeout", "1s"});
  EXPECT_EQ(ran.exit_code, 3) << ran.output;
  auto pid_text = read_file(marker);
  ASSERT_TRUE(pid_text.ok());
  const pid_t pid = std::stoi(*pid_text);
  EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << "spawned server " << pid << " still running";
}

TEST_F(RunInstrumentsCli, ASpawnedServerIsProfiledAndStoppedAfterTheRunAndThePasswordIsNotRecorded) {
  PgCluster* cluster = testing::shared_cluster();
  ASSERT_NE(cluster, nullptr);
  const int port = testing::free_port();
  const std::string marker = path("pid");
  const std::string command =
      "echo $$ > " + marker + "; exec " + testing::testbed_command("perfgate", port, "--seed --scale 0.01");
  // Loopback connections are trusted by the test cluster, so the password is only carried along.
  const std::string dsn = cluster->dsn() + " password=hunter2";
  // An endpoint with real work (an N+1 of 41 statements): CPU time is read in 10 ms clock ticks, and
  // 40 requests to /health can finish inside a single tick on a busy machine.
  const auto ran =
      run_perfgate({"run", "--url", "http://127.0.0.1:" + std::to_string(port) + "/reports/sales?limit=20", "--rate",
                    "20", "--duration", "2s", "--out", path("r.json"), "--spawn", command, "--ready",
                    "http://127.0.0.1:" + std::to_string(port) + "/health", "--sample-interval", "50ms", "--pg", dsn});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(ran.output.find("hunter2"), std::string::npos) << ran.output;
  EXPECT_NE(ran.output.find("server rss"), std::string::npos) << "live line: " << ran.output;
  EXPECT_NE(ran.output.find("pg "), std::string::npos) << "live line: " << ran.output;
  auto result = read_run_result(path("r.json"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->context.command_line.find("hunter2"), std::string::npos) << result->context.command_line;
  ASSERT_TRUE(result->profile.has_value());
  ASSERT_FALSE(result->profile->processes.empty());
  // 2 s at 50 ms, minus start-up: at least 30 instants, all on the run's timeline.
  EXPECT_GE(result->profile->summary.samples, 30);
  for (const auto& t : result->profile->processes) {
    for (const auto& s : t.samples) EXPECT_GE(s.t_ms, 0);
  }
  EXPECT_GT(result->profile->summary.peak_rss_bytes, 1'000'000);
  EXPECT_GT(result->profile->summary.cpu_us_per_request, 0);
  EXPECT_GT(result->profile->phases.begin()->second.cpu_us_per_request, 0);
  EXPECT_FALSE(result->profile->postgres.empty());
  auto findings_text = read_file(path("r.findings.json"));
  ASSERT_TRUE(findings_text.ok()) << findings_text.error().message;
  EXPECT_EQ(findings_text->find("hunter2"), std::string::npos);
  auto findings = read_findings(path("r.findings.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  EXPECT_EQ(findings->source, "run-delta");
  auto pid_text = read_file(marker);
  ASSERT_TRUE(pid_text.ok());
  const pid_t pid = std::stoi(*pid_text);
  EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << "spawned server " << pid << " still running";
}

TEST_F(RunInstrumentsCli, EvictionsFromPgStatStatementsDuringTheRunMakeTheFindingsInconclusive) {
  auto service = testing::start_testbed("perfgate", 0.01);
  ASSERT_NE(service, nullptr);
  PgClusterOptions small;
  small.settings["pg_stat_statements.max"] = "100";  // the smallest PostgreSQL accepts
  auto cluster = PgCluster::start(small);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  // Statements with 1..200 output columns are 200 entries (aliases and constants would not count).
  std::string flood;
  std::string columns = "1";
  for (int i = 0; i < 200; ++i, columns += ", 1") flood += "select " + columns + ";\n";
  std::thread during([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_TRUE((*cluster)->psql(flood).ok());
  });
  const auto ran = run_perfgate({"run", "--url", service->base_url() + "/health", "--rate", "10", "--duration", "2s",
                                 "--quiet", "--out", path("r.json"), "--pg", (*cluster)->dsn()});
  during.join();
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_NE(ran.output.find("findings are INCONCLUSIVE"), std::string::npos) << ran.output;
  auto findings = read_findings(path("r.findings.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  EXPECT_TRUE(findings->inconclusive);
}

}  // namespace
}  // namespace perfgate
