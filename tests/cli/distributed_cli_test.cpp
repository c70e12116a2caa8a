// A distributed run simulated with local processes: N `perfgate run --segment K/N` shards of the
// built binary against one loopback server, then `perfgate merge` and `perfgate gate` on their files.
// (Kubernetes cannot run in CI; docs/distributed.md says how the same commands run as an Indexed Job.)
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/child_process.h"
#include "core/files.h"
#include "core/run_result_io.h"
#include "core/segment.h"
#include "loadgen/support/test_server.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

struct Ran {
  int exit_code = -1;
  std::string output;
};

pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = testing::spawn_quiet(PERFGATE_BINARY, args);
  EXPECT_GT(pid, 0);
  return pid;
}

using testing::wait_exit;

Ran run(const std::string& args) {
  const std::string command = std::string(PERFGATE_BINARY) + " " + args + " 2>&1";
  Ran ran;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return ran;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) ran.output.append(buf, n);
  const int status = ::pclose(pipe);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

int64_t now_unix_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class DistributedCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("perfgate-distributed-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The arguments of shard K of N of a quick-mode run at `rate` for `duration`, all started at `start`.
  std::vector<std::string> shard_args(const std::string& url, int k, int n, const std::string& rate,
                                      const std::string& duration, const std::string& start) const {
    return {"run",        "--url",      url,         "--rate",
            rate,         "--duration", duration,    "--threads",
            "1",          "--quiet",    "--segment", std::to_string(k) + "/" + std::to_string(n),
            "--start-at", start,        "--out",     path("shard-" + std::to_string(k) + ".json")};
  }

  fs::path dir_;
};

TEST_F(DistributedCli, ShardsTogetherOfferExactlyTheScenariosLoadAndMergeIntoOneResult) {
  testing::TestServerOptions so;
  so.delay = milliseconds(1);
  auto server = testing::TestServer::start(so);
  ASSERT_TRUE(server.ok());
  const std::string url = (*server)->url() + "/reports/sales";
  for (int n : {1, 2, 4}) {
    SCOPED_TRACE("N = " + std::to_string(n));
    const int64_t served_before = (*server)->requests();
    // Far enough ahead for every process to be up and waiting.
    const std::string start = format_rfc3339_ms(now_unix_ms() + 800);
    std::vector<pid_t> shards;
    for (int k = 1; k <= n; ++k) shards.push_back(spawn(shard_args(url, k, n, "400", "1s", start)));
    // The server (this test process) profiled once, beside it, not by the shards.
    const pid_t profiler =
        spawn({"profile", "--pid", std::to_string(::getpid()), "--duration", "2500ms", "--out", path("profile.json")});
    for (pid_t pid : shards) EXPECT_EQ(wait_exit(pid), 0);
    EXPECT_EQ(wait_exit(profiler), 0);
    std::string files;
    int64_t shard_sum = 0;
    for (int k = 1; k <= n; ++k) {
      auto shard = read_run_result(path("shard-" + std::to_string(k) + ".json"));
      ASSERT_TRUE(shard.ok()) << shard.error().message;
      EXPECT_EQ(shard->segment, (Segment{k, n}));
      EXPECT_NEAR(*shard->target_rps, 400.0 / n, 1e-6);
      shard_sum += shard->total_requests();
      files += " " + path("shard-" + std::to_string(k) + ".json");
    }
    const Ran merged = run("merge" + files + " --profile " + path("profile.json") + " -o " + path("merged.json"));
    ASSERT_EQ(merged.exit_code, 0) << merged.output;
    auto m = read_run_result(path("merged.json"));
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->status, RunStatus::kComplete);
    EXPECT_EQ(m->total_requests(), shard_sum);
    EXPECT_EQ(m->total_requests(), 400);
    EXPECT_EQ(m->total_errors(), 0);
    // The server saw each arrival once: no shard offered another's.
    EXPECT_EQ((*server)->requests() - served_before, 400);
    ASSERT_TRUE(m->target_rps.has_value());
    EXPECT_NEAR(*m->target_rps, 400, 1e-6);
    EXPECT_NEAR(m->achieved_rps, *m->target_rps, 0.01 * *m->target_rps);
    ASSERT_TRUE(m->merge.has_value());
    EXPECT_EQ(m->merge->shards.size(), static_cast<size_t>(n));
    EXPECT_TRUE(m->merge->missing_segments.empty());
    ASSERT_TRUE(m->profile.has_value());
    EXPECT_GT(m->profile->summary.samples, 0);
    EXPECT_GT(m->profile->summary.peak_rss_bytes, 0);
    // Started on one instant, the shards share their per-second intervals.
    EXPECT_LE(m->timeline.size(), 2u);
    int64_t sent = 0;
    for (const auto& i : m->timeline) sent += i.sent;
    EXPECT_EQ(sent, 400);
    // gate, report and history read a merged result like any other.
    const Ran report = run("report " + path("merged.json") + " -o " + path("merged.html"));
    EXPECT_EQ(report.exit_code, 0) << report.output;
  }
}

// Each shard judged its spike on its slice of the load alone; the merge judges it again on the merged
// timeline, with the shards' --spike-p95.
TEST_F(DistributedCli, TheMergeJudgesSpikesOnTheMergedTimeline) {
  std::string files;
  for (int k = 1; k <= 2; ++k) {
    RunResult r;
    r.context.scenario_name = "spiky";
    r.context.scenario_hash = "abc";
    r.model = LoadModel::kOpen;
    r.segment = Segment{k, 2};
    r.start_unix_ms = now_unix_ms();
    r.duration_s = 12;
    r.phases = {PhaseInfo{"steady", 0, 3000, 5, 5, 0, 0, false}, PhaseInfo{"spike", 3000, 5000, 40, 40, 0, 0, false},
                PhaseInfo{"recovery", 5000, 12000, 5, 5, 0, 0, false}};
    EndpointStats e;
    e.name = "health";
    for (int64_t t = 0; t < 12; ++t) {
      // Slow during the spike and for 2 s after it, in both shards.
      const double p95 = t >= 3 && t < 7 ? 400'000 : 20'000;
      e.timeline.push_back(IntervalStats{t * 1000, 1000, 10, 0, p95 / 2, p95, p95, p95, p95, 10, 0, ""});
      e.latency.record(static_cast<int64_t>(p95));
    }
    e.requests = 120;
    r.timeline = e.timeline;
    r.endpoints.push_back(e);
    for (const auto& phase : r.phases) r.phase_stats.push_back(PhaseStats{phase.name, {e}});
    r.spikes.push_back(SpikeVerdict{"spike", 150'000, "--spike-p95", 20, 0, 0, std::nullopt, 0, "no_data"});
    const std::string file = path("spiky-" + std::to_string(k) + ".json");
    ASSERT_TRUE(write_run_result(r, file).ok());
    files += " " + file;
  }
  const Ran merged = run("merge" + files + " -o " + path("merged.json"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  auto result = read_run_result(path("merged.json"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->spikes.size(), 1u);
  const SpikeVerdict& v = result->spikes[0];
  EXPECT_EQ(v.limit_source, "--spike-p95");
  EXPECT_DOUBLE_EQ(v.p95_limit_us, 150'000);
  ASSERT_EQ(v.verdict, "recovered");
  ASSERT_TRUE(v.recovery_s.has_value());
  EXPECT_NEAR(*v.recovery_s, 2.0, 1e-9);
  EXPECT_EQ(v.requests, 240);
}

TEST_F(DistributedCli, AKilledShardMakesTheMergedResultPartialNamingItAndTheGateInconclusive) {
  auto server = testing::TestServer::start(testing::TestServerOptions{});
  ASSERT_TRUE(server.ok());
  const std::string url = (*server)->url() + "/reports/sales";
  const std::string start = format_rfc3339_ms(now_unix_ms() + 500);
  const pid_t survivor = spawn(shard_args(url, 1, 3, "150", "3s", start));
  const pid_t killed = spawn(shard_args(url, 2, 3, "150", "3s", start));
  const pid_t stopped = spawn(shard_args(url, 3, 3, "150", "3s", start));
  std::this_thread::sleep_for(milliseconds(1200));
  ::kill(killed, SIGKILL);
  ::kill(stopped, SIGTERM);
  EXPECT_EQ(wait_exit(killed), 128 + SIGKILL);
  EXPECT_EQ(wait_exit(stopped), 0);
  EXPECT_EQ(wait_exit(survivor), 0);
  ASSERT_FALSE(fs::exists(path("shard-2.json")));
  auto interrupted = read_run_result(path("shard-3.json"));
  ASSERT_TRUE(interrupted.ok()) << interrupted.error().message;
  EXPECT_EQ(interrupted->status, RunStatus::kPartial);

  const std::string files = path("shard-1.json") + " " + path("shard-2.json") + " " + path("shard-3.json");
  const Ran merged = run("merge " + files + " -o " + path("merged.json"));
  ASSERT_EQ(merged.exit_code, 0) << merged.output;
  EXPECT_NE(merged.output.find("missing segment(s) 2/3"), std::string::npos) << merged.output;
  EXPECT_NE(merged.output.find("interrupted or failed segment(s) 3/3"), std::string::npos) << merged.output;
  EXPECT_NE(merged.output.find("[PARTIAL: a segment is missing or was interrupted]"), std::string::npos)
      << merged.output;
  auto m = read_run_result(path("merged.json"));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->status, RunStatus::kPartial);
  EXPECT_EQ(m->merge->missing_segments, std::vector<int>{2});
  EXPECT_EQ(m->merge->partial_segments, std::vector<int>{3});
  EXPECT_EQ(m->total_requests(), 150 + interrupted->total_requests());

  ASSERT_TRUE(write_file_atomically(path("budgets.json"),
                                    R"({"schema_version": 1, "budgets": [{"rules": ["error_rate <= 1%"]}]})")
                  .ok());
  const Ran gate = run("gate " + path("merged.json") + " --budgets " + path("budgets.json"));
  EXPECT_NE(gate.output.find("INCONCLUSIVE"), std::string::npos) << gate.output;
  EXPECT_NE(gate.output.find("partial"), std::string::npos) << gate.output;
  EXPECT_EQ(run("gate " + path("merged.json") + " --budgets " + path("budgets.json") + " --strict").exit_code, 1);
}

TEST_F(DistributedCli, BadShardInputIsRefusedBeforeAnyLoadNamingTheFlagFileAndField) {
  auto server = testing::TestServer::start(testing::TestServerOptions{});
  ASSERT_TRUE(server.ok());
  const std::string url = (*server)->url() + "/reports/sales";
  const std::string soon = format_rfc3339_ms(now_unix_ms() + 300);

  Ran r = run("run --url " + url + " --rate 10 --duration 1s --quiet --segment 5/4 --out " + path("x.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--segment"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("out of range 1..4"), std::string::npos) << r.output;

  r = run("run --url " + url + " --rate 10 --duration 1s --quiet --segment 1/2 --start-at " +
          format_rfc3339_ms(now_unix_ms() - 60'000) + " --out " + path("x.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--start-at"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("allowed skew"), std::string::npos) << r.output;

  // A peer at the barrier that split the load into 3, not 2.
  fs::create_directories(path("barrier"));
  ASSERT_TRUE(
      write_file_atomically(path("barrier/ready-1-of-3.json"), R"({"segment": "1/3", "clock_unix_ms": 1})").ok());
  r = run("run --url " + url + " --rate 10 --duration 1s --quiet --segment 2/2 --barrier " + path("barrier") +
          " --out " + path("x.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("ready-1-of-3.json: segment:"), std::string::npos) << r.output;
  // A peer whose clock runs a minute ahead of this host's.
  fs::remove_all(path("barrier"));
  fs::create_directories(path("barrier"));
  ASSERT_TRUE(write_file_atomically(path("barrier/ready-1-of-2.json"), R"({"segment": "1/2", "clock_unix_ms": )" +
                                                                           std::to_string(now_unix_ms() + 60'000) + "}")
                  .ok());
  r = run("run --url " + url + " --rate 10 --duration 1s --quiet --segment 2/2 --barrier " + path("barrier") +
          " --out " + path("x.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("ready-1-of-2.json: clock_unix_ms:"), std::string::npos) << r.output;
  EXPECT_EQ((*server)->requests(), 0);
  EXPECT_FALSE(fs::exists(path("x.json")));

  // Shards of two different scenarios (another rate) are refused by the merge.
  const pid_t a = spawn({"run", "--url", url, "--rate", "20", "--duration", "500ms", "--quiet", "--segment", "1/2",
                         "--start-at", soon, "--out", path("a.json")});
  const pid_t b = spawn({"run", "--url", url, "--rate", "40", "--duration", "500ms", "--quiet", "--segment", "2/2",
                         "--start-at", soon, "--out", path("b.json")});
  ASSERT_EQ(wait_exit(a), 0);
  ASSERT_EQ(wait_exit(b), 0);
  r = run("merge " + path("a.json") + " " + path("b.json") + " -o " + path("m.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(path("b.json") + ": context.scenario_hash:"), std::string::npos) << r.output;
  // And so are overlapping segments.
  fs::copy_file(path("a.json"), path("a-again.json"));
  r = run("merge " + path("a.json") + " " + path("a-again.json") + " -o " + path("m.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(path("a-again.json") + ": segment: 1/2"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("m.json")));
}

TEST_F(DistributedCli, ShardsMeetAtABarrierAndStartOnOneInstant) {
  auto server = testing::TestServer::start(testing::TestServerOptions{});
  ASSERT_TRUE(server.ok());
  const std::string url = (*server)->url() + "/reports/sales";
  std::vector<pid_t> shards;
  for (int k = 1; k <= 2; ++k) {
    shards.push_back(spawn({"run", "--url", url, "--rate", "100", "--duration", "500ms", "--quiet", "--segment",
                            std::to_string(k) + "/2", "--barrier", path("barrier"), "--out",
                            path("shard-" + std::to_string(k) + ".json")}));
    std::this_thread::sleep_for(milliseconds(300));  // the second shard arrives later
  }
  for (pid_t pid : shards) EXPECT_EQ(wait_exit(pid), 0);
  auto one = read_run_result(path("shard-1.json"));
  auto two = read_run_result(path("shard-2.json"));
  ASSERT_TRUE(one.ok() && two.ok());
  // Both took the same start from the barrier files (one host, one clock: the same instant).
  EXPECT_NEAR(static_cast<double>(one->start_unix_ms), static_cast<double>(two->start_unix_ms), 2.0);
  EXPECT_EQ(one->total_requests() + two->total_requests(), 50);
}

}  // namespace
}  // namespace perfgate
