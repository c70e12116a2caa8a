// `perfgate run --find-limit` end to end: the built binary searching a loopback delay server of known
// capacity (bench/delay_server.cpp with a worker pool), a server far faster than the generator
// (bench/instant_server.cpp), and the SLO refusals before any load.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/child_process.h"
#include "core/run_result_io.h"
#include "support/temp_dir.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

using Ran = testing::CapturedRun;

Ran run(const std::string& args) { return testing::run_captured(std::string(PERFGATE_BINARY) + " " + args); }

class FindLimit : public testing::TempDirTest {
 protected:
  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      testing::wait_exit(server_);
    }
    TempDirTest::TearDown();
  }
  // Starts the delay server: `workers` requests in service at once, `delay_ms` each.
  std::string start_server(int workers, int delay_ms) {
    return start(PERFGATE_DELAY_SERVER, {"--delay-ms", std::to_string(delay_ms), "--workers", std::to_string(workers)});
  }
  // Starts `binary PORT args...` and returns its URL once it accepts.
  std::string start(const char* binary, std::vector<std::string> args) {
    const int port = testing::free_loopback_port();
    args.insert(args.begin(), std::to_string(port));
    server_ = testing::spawn_quiet(binary, args);
    EXPECT_TRUE(testing::wait_until_accepting(port)) << binary << " did not start";
    return "http://127.0.0.1:" + std::to_string(port) + "/";
  }
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

TEST_F(FindLimit, AGeneratorBoundSearchNamesTheGeneratorNotTheServer) {
  // The server answers from a prebuilt buffer; the scenario's JSON check makes the generator parse
  // every ~9 KB body, so one generator thread falls behind long before the server does. Its
  // connections then fill with responses it has not read yet: that must not pass for the server's
  // limit (a "found" rate with p95 broken), but end the search as the generator's.
  const std::string url = start(PERFGATE_INSTANT_SERVER, {"--json-items", "2000"});
  {
    std::FILE* f = std::fopen(path("scenario.json").c_str(), "w");
    std::fprintf(f, R"({"name": "generator-bound", "target": {"base_url": "%s"},
      "load": {"model": "open", "stages": [{"duration": "2s", "target_rps": 100}]},
      "endpoints": [{"name": "json", "request": {"path": "/",
                     "checks": [{"json_pointer": "/rows", "matches": "^[0-9]+$"}]}}]})",
                 url.c_str());
    std::fclose(f);
  }
  const Ran r =
      run("run " + path("scenario.json") + " --find-limit \"p95 < 100ms, error_rate < 1%\" --find-limit-start 1000 " +
          "--find-limit-max 1000000 --find-limit-growth 16 --find-limit-hold 1s --find-limit-warm-up 300ms " +
          "--threads 1 --quiet --out " + path("search.json"));
  // Exit 3: the tool could not offer the load, which says nothing about the service.
  EXPECT_EQ(r.exit_code, 3) << r.output;
  auto result = read_run_result(path("search.json"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_TRUE(result->limit_search);
  const LimitSearch& s = *result->limit_search;
  EXPECT_EQ(s.verdict, "generator_limited") << r.output;
  EXPECT_FALSE(s.first_failing_rps) << r.output;
  ASSERT_FALSE(s.steps.empty());
  const LimitStep& last = s.steps.back();
  EXPECT_EQ(last.verdict, "generator_limited") << r.output;
  EXPECT_TRUE(last.generator.saturated) << r.output;
  EXPECT_NE(last.generator.cause, "connections") << r.output;
  EXPECT_NE(s.note.find("perfgate could not offer"), std::string::npos) << s.note;
  for (size_t i = 0; i + 1 < s.steps.size(); ++i) EXPECT_EQ(s.steps[i].verdict, "good") << r.output;
}

TEST_F(FindLimit, ABadSloIsExit2WithItsColumnBeforeAnyLoad) {
  // Nothing listens on the port: a load would be exit 3, so exit 2 shows the check came first.
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/";
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
