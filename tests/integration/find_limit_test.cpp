// `perfgate run --find-limit` end to end: the built binary searching a loopback delay server of known
// capacity (bench/delay_server.cpp with a worker pool), and the SLO refusals before any load.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/child_process.h"
#include "core/run_result_io.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

using Ran = testing::CapturedRun;

Ran run(const std::string& args) { return testing::run_captured(std::string(PERFGATE_BINARY) + " " + args); }

// A loopback port nothing listens on right now (the kernel's choice for an ephemeral bind).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

class FindLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("perfgate-find-limit-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      testing::wait_exit(server_);
    }
    fs::remove_all(dir_);
  }
  // Starts the delay server: `workers` requests in service at once, `delay_ms` each.
  std::string start_server(int workers, int delay_ms) {
    const int port = free_port();
    server_ = testing::spawn_quiet(PERFGATE_DELAY_SERVER, {std::to_string(port), "--delay-ms", std::to_string(delay_ms),
                                                           "--workers", std::to_string(workers)});
    for (int i = 0; i < 200 && !accepts(port); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return "http://127.0.0.1:" + std::to_string(port) + "/";
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
  pid_t server_ = -1;
};

TEST_F(FindLimit, BracketsAPooledServersCapacityAndNamesTheLatencyRule) {
  // 2 workers x 20 ms: 100 requests/s at most. Below it p95 is ~20-40 ms; above it the queue grows
  // by (rate - 100) requests every second and p95 with it, far past 150 ms within a one-second hold.
  const std::string url = start_server(2, 20);
  const Ran r =
      run("run --url " + url + " --find-limit \"p95 < 150ms, error_rate < 1%\" --find-limit-start 25 " +
          "--find-limit-hold 1s --find-limit-warm-up 300ms --find-limit-precision 15% --find-limit-budget 30s " +
          "--quiet --out " + path("search.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto result = read_run_result(path("search.json"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->limit_search);
  const LimitSearch& s = *result->limit_search;
  EXPECT_EQ(s.verdict, "found") << r.output;
  ASSERT_TRUE(s.max_sustainable_rps && s.first_failing_rps) << r.output;
  // Loose bounds: this checks the search, not the machine; bench/find_limit.sh measures accuracy.
  EXPECT_GT(*s.max_sustainable_rps, 50) << r.output;
  EXPECT_LT(*s.max_sustainable_rps, 115) << r.output;
  EXPECT_GT(*s.first_failing_rps, *s.max_sustainable_rps);
  EXPECT_EQ(s.broken_first, "p95") << r.output;
  EXPECT_GE(s.steps.size(), 4u);
  for (const auto& step : s.steps) EXPECT_GT(step.latency.total_count(), 0);
  EXPECT_NE(r.output.find("max_sustainable_rps"), std::string::npos) << r.output;
  // The gate budgets the search's figure.
  {
    std::FILE* f = std::fopen(path("budgets.json").c_str(), "w");
    std::fputs(R"({"schema_version": 1, "budgets": [{"rules": ["max_sustainable_rps >= 40"]}]})", f);
    std::fclose(f);
  }
  const Ran gate = run("gate " + path("search.json") + " --budgets " + path("budgets.json"));
  EXPECT_EQ(gate.exit_code, 0) << gate.output;
}

TEST_F(FindLimit, ABadSloIsExit2WithItsColumnBeforeAnyLoad) {
  // Nothing listens on the port: a load would be exit 3, so exit 2 shows the check came first.
  const std::string url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  Ran r = run("run --url " + url + " --find-limit \"p95 < 1s, p96x < 2s\" --quiet --out " + path("a.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("column 11"), std::string::npos) << r.output;
  r = run("run --url " + url + " --find-limit \"p95 < 1s, peak_rss < 1GB\" --quiet --out " + path("a.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--watch-pid"), std::string::npos) << r.output;
  r = run("run --url " + url + " --vus 3 --find-limit \"p95 < 1s\" --quiet --out " + path("a.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_FALSE(fs::exists(path("a.json")));
}

}  // namespace
}  // namespace perfgate
