// No silent pass, nothing lost (issue #20), through the built binary against a loopback server that
// counts the requests it receives: every input and output is checked before the load (a refused
// command leaves the counter at zero), a run in which nothing succeeded is "failed" and never a
// baseline, a finished load is written somewhere even when the asked-for path broke during the run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/files.h"
#include "core/run_result_io.h"
#include "loadgen/support/test_server.h"
#include "reliability/support/fault_server.h"
#include "reliability/support/perfgate_process.h"

namespace perfgate {
namespace {

using std::chrono::milliseconds;
using testing::FaultConnection;
using testing::FaultServer;

// A keep-alive server answering every request with 200 after `delay`, counting requests.
struct CountingServer {
  std::shared_ptr<std::atomic<int64_t>> requests = std::make_shared<std::atomic<int64_t>>(0);
  std::unique_ptr<FaultServer> server;

  explicit CountingServer(milliseconds delay = milliseconds(0)) {
    auto count = requests;
    auto started = FaultServer::start([count, delay](FaultConnection& c) {
      while (c.read_request()) {
        count->fetch_add(1);
        if (delay.count() > 0 && !c.sleep(delay)) return;
        if (!c.send(testing::http_response("ok"))) return;
      }
    });
    EXPECT_TRUE(started.ok());
    if (started.ok()) server = std::move(*started);
  }
  [[nodiscard]] std::string url() const { return server->url(); }
  [[nodiscard]] int64_t count() const { return requests->load(); }
};

class NoSilent : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("perfgate-nosilent-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  testing::ProcessOutcome perfgate(const std::vector<std::string>& args, testing::ProcessOptions options = {}) const {
    return testing::run_perfgate(args, dir_.string(), std::move(options));
  }
  // A one-endpoint scenario against `base_url` at `rps` for `duration`.
  static std::string scenario(const std::string& base_url, const std::string& rps = "5",
                              const std::string& duration = "1s") {
    return "{\"name\": \"tiny\", \"target\": {\"base_url\": \"" + base_url +
           "\"}, \"load\": {\"stages\": [{\"duration\": \"" + duration + "\", \"target_rps\": " + rps +
           "}]}, \"endpoints\": [{\"name\": \"a\", \"request\": {\"path\": \"/a\"}}]}";
  }
  static void expect_refused(const testing::ProcessOutcome& o, const std::vector<std::string>& mentions) {
    EXPECT_FALSE(o.signalled) << o.err;
    EXPECT_EQ(o.exit_code, 2) << o.err;
    for (const auto& m : mentions) EXPECT_NE(o.err.find(m), std::string::npos) << "no '" << m << "' in: " << o.err;
  }
  std::filesystem::path dir_;
};

TEST_F(NoSilent, QuickModeFlagsGivenWithAScenarioAreRefusedBeforeAnyRequest) {
  CountingServer server;
  write("s.json", scenario(server.url()));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--rate", "5"}, "--rate-scale"}, {{"--vus", "2"}, "--rate-scale"}, {{"--duration", "1s"}, "--time-scale"},
      {{"--timeout", "1s"}, "timeout"},  {{"-H", "X-A: b"}, "headers"},
  };
  for (const auto& [flags, fix] : cases) {
    std::vector<std::string> args{"run", path("s.json"), "--quiet", "--out", path("out.json")};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto o = perfgate(args);
    expect_refused(o, {"applies to quick mode (--url) only", fix});
  }
  EXPECT_EQ(server.count(), 0);
  EXPECT_FALSE(std::filesystem::exists(path("out.json")));
}

TEST_F(NoSilent, RatesAndDurationsBeyondTheirBoundAreRefusedNamingTheBound) {
  CountingServer server;
  for (const char* rate : {"1e9", "inf", "1000001"}) {
    expect_refused(perfgate({"run", "--url", server.url(), "--rate", rate, "--quiet", "--out", path("out.json")}),
                   {"--rate", "at most 1000000 requests/s"});
  }
  expect_refused(perfgate({"run", "--url", server.url(), "--vus", "200000", "--quiet", "--out", path("out.json")}),
                 {"--vus", "at most 100000"});
  expect_refused(perfgate({"run", "--url", server.url(), "--rate", "5", "--duration", "200h", "--quiet", "--out",
                           path("out.json")}),
                 {"--duration", "at most 168h"});
  write("fast.json", scenario(server.url(), "1e9"));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"scenario", "validate", path("fast.json")},
        std::vector<std::string>{"run", path("fast.json"), "--quiet", "--out", path("out.json")}}) {
    expect_refused(perfgate(args), {path("fast.json") + ":1:", "load.stages[0].target_rps", "at most 1000000"});
  }
  write("slow.json", scenario(server.url(), "600000"));
  expect_refused(perfgate({"run", path("slow.json"), "--rate-scale", "10", "--quiet", "--out", path("out.json")}),
                 {"--rate-scale", "above the bound of 1000000"});
  EXPECT_EQ(server.count(), 0);
  EXPECT_FALSE(std::filesystem::exists(path("out.json")));
}

TEST_F(NoSilent, UnwritableOutputsAreRefusedBeforeAnyRequest) {
  CountingServer server;
  std::filesystem::create_directories(path("existing-dir"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {path("existing-dir"), "is a directory"},
      {path("existing-dir") + "/", "is a directory"},
      {"/proc/x.json", "cannot write in /proc"},
  };
  for (const auto& [out, why] : cases) {
    expect_refused(perfgate({"run", "--url", server.url(), "--rate", "5", "--duration", "1s", "--quiet", "--out", out}),
                   {"--out " + out, why});
  }
  EXPECT_EQ(server.count(), 0);
}

TEST_F(NoSilent, AResultThatCannotBeWrittenWhereAskedIsWrittenElsewhereAndNamed) {
  CountingServer server;
  // The directory of --out is replaced by a file while the load runs: the write fails after the load.
  testing::PerfgateProcess run(
      {"run", "--url", server.url(), "--rate", "20", "--duration", "2s", "--quiet", "--out", path("results/r.json")},
      dir_.string());
  while (server.count() == 0) std::this_thread::sleep_for(milliseconds(20));
  std::filesystem::remove_all(path("results"));
  write("results", "now a file");
  const auto o = run.finish();
  EXPECT_EQ(o.exit_code, 3) << o.err;
  const std::string marker = "the result was written to ";
  const size_t at = o.err.find(marker);
  ASSERT_NE(at, std::string::npos) << o.err;
  const std::string saved = o.err.substr(at + marker.size(), o.err.find(" instead", at) - at - marker.size());
  auto result = read_run_result(saved);
  ASSERT_TRUE(result.ok()) << saved << ": " << (result.ok() ? "" : result.error().message);
  EXPECT_GT(result->total_requests(), 0);
  EXPECT_NE(o.out.find(saved), std::string::npos) << "the summary names where the result is: " << o.out;
  std::filesystem::remove(saved);
}

TEST_F(NoSilent, ADirectoryNamedLikeABundledScenarioDoesNotShadowIt) {
  CountingServer server;
  write("bundled/tiny.json", scenario(server.url(), "5", "500ms"));
  std::filesystem::create_directories(path("tiny"));  // e.g. a checkout's demo/ folder
  testing::ProcessOptions env;
  env.extra_env = {"PERFGATE_SCENARIOS_DIR=" + path("bundled")};
  const auto o = perfgate({"run", "tiny", "--quiet", "--out", path("out.json")}, env);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_GT(server.count(), 0);
  const auto validated = perfgate({"scenario", "validate", "tiny"}, env);
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  // The bundled demo itself, from a directory holding a demo/ folder (a checkout's), as reported.
  std::filesystem::create_directories(path("demo"));
  testing::ProcessOptions in_dir;
  in_dir.working_dir = dir_.string();
  const auto demo = perfgate(
      {"run", "demo", "--target", server.url(), "--time-scale", "0.01", "--quiet", "--out", path("demo.json")}, in_dir);
  EXPECT_EQ(demo.err.find("is a directory"), std::string::npos) << demo.err;
  EXPECT_NE(demo.exit_code, 2) << demo.err;
  EXPECT_TRUE(std::filesystem::exists(path("demo.json"))) << demo.err;
  // A path (with a '/') still means the path.
  expect_refused(perfgate({"run", "./tiny", "--quiet", "--out", path("out2.json")}, env), {"./tiny", "directory"});
}

TEST_F(NoSilent, ARunWhereNothingConnectsStopsEarlyIsFailedAndNeverABaseline) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::unused_port());
  const auto o = perfgate({"run", "--url", url, "--rate", "20", "--duration", "60s", "--give-up-after", "1s", "--quiet",
                           "--out", path("r.json")});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("every request failed to connect, so the run stopped early"), std::string::npos) << o.err;
  EXPECT_LT(o.wall, std::chrono::seconds(30)) << "ran its 60 s schedule";
  auto result = read_run_result(path("r.json"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->status, RunStatus::kFailed);
  EXPECT_TRUE(result->partial);
  EXPECT_LT(result->duration_s, 30);

  const auto save = perfgate({"baseline", "save", path("r.json"), "--to", path("base.json")});
  expect_refused(save, {path("r.json"), "failed", "cannot be a baseline"});
  EXPECT_FALSE(std::filesystem::exists(path("base.json")));

  write("b.json", R"({"schema_version": 1, "budgets": [{"p95": "1s"}]})");
  const auto gate = perfgate({"gate", path("r.json"), "--budgets", path("b.json"), "--strict"});
  EXPECT_EQ(gate.exit_code, 1) << gate.out << gate.err;
  EXPECT_NE(gate.out.find("the run failed: no request succeeded"), std::string::npos) << gate.out;
}

TEST_F(NoSilent, AnOldResultWithEveryRequestFailedOrNoneIsNeverABaseline) {
  auto good = read_file(std::string(PERFGATE_SOURCE_DIR) + "/fuzz/corpus/result_reader_fuzz/full_result.json");
  ASSERT_TRUE(good.ok());
  auto result = run_result_from_json(*good, "full_result.json");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->status, RunStatus::kComplete);
  RunResult all_errors = *result;
  for (auto& e : all_errors.endpoints) e.errors.total = e.requests;
  ASSERT_TRUE(write_file_atomically(path("errors.json"), run_result_to_json(all_errors)));
  expect_refused(perfgate({"baseline", "save", path("errors.json"), "--to", path("base.json")}),
                 {"every request failed"});
  RunResult empty = *result;
  for (auto& e : empty.endpoints) e.requests = e.errors.total = 0;
  ASSERT_TRUE(write_file_atomically(path("empty.json"), run_result_to_json(empty)));
  expect_refused(perfgate({"baseline", "save", path("empty.json"), "--to", path("base.json")}), {"empty"});
  EXPECT_FALSE(std::filesystem::exists(path("base.json")));
}

TEST_F(NoSilent, DemoFlagsAreRefusedBeforePostgresqlStarts) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--duration", "0s"}, "--duration: must be > 0"},
      {{"--duration", "5"}, "--duration"},
      {{"--rate-scale", "0"}, "--rate-scale: must be > 0"},
      {{"--data-scale", "-1"}, "--data-scale: must be between"},
      {{"--rate-scale", "1e9"}, "--rate-scale"},
  };
  for (const auto& [flags, mention] : cases) {
    std::vector<std::string> args{"demo", "--quiet", "--out", path("demo-out")};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto o = perfgate(args);
    expect_refused(o, {mention});
    EXPECT_EQ(o.err.find("[1/6]"), std::string::npos) << "PostgreSQL was started: " << o.err;
  }
  write("a-file", "x");
  const auto o = perfgate({"demo", "--quiet", "--out", path("a-file")});
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_EQ(o.err.find("[1/6]"), std::string::npos) << o.err;
  EXPECT_FALSE(std::filesystem::exists(path("demo-out")));
}

// The child's stderr so far (PerfgateProcess writes it to proc-*.err in the scratch directory).
std::string stderr_so_far(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".err") {
      auto text = read_file(entry.path().string());
      return text.ok() ? *text : "";
    }
  }
  return "";
}

bool wait_for_text(const std::filesystem::path& dir, const std::string& text, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (stderr_so_far(dir).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

TEST_F(NoSilent, CtrlCInTheDemoSaysSoAndLeavesItsQueryChecksInconclusive) {
  testing::PerfgateProcess demo({"demo", "--quiet", "--duration", "60s", "--data-scale", "0.02", "--out", path("demo")},
                                dir_.string());
  ASSERT_TRUE(wait_for_text(dir_, "[3/7]", std::chrono::seconds(90))) << stderr_so_far(dir_);
  std::this_thread::sleep_for(milliseconds(1500));
  demo.send_signal(SIGINT);
  const auto o = demo.finish();
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("demo interrupted during the \"before\" half"), std::string::npos) << o.err;
  auto findings = read_file(path("demo/before.findings.json"));
  ASSERT_TRUE(findings.ok());
  EXPECT_NE(findings->find("\"inconclusive\": true"), std::string::npos) << *findings;
  auto gate = read_file(path("demo/gate.json"));
  ASSERT_TRUE(gate.ok());
  // No query rule passes on an analysis that never ran.
  for (const char* id : {"budget:reports.sales_fixed:no_n_plus_one", "budget:reports.by_user:no_missing_index"}) {
    const size_t at = gate->find(std::string("\"id\": \"") + id + "\"");
    ASSERT_NE(at, std::string::npos) << id;
    const size_t verdict = gate->find("\"verdict\": ", at);
    EXPECT_EQ(gate->substr(verdict + 11, 14), "\"inconclusive\"") << id;
  }
}

TEST_F(NoSilent, CtrlCWhileTheDemoStartsPostgresqlSaysSo) {
  testing::PerfgateProcess demo({"demo", "--quiet", "--duration", "5s", "--data-scale", "0.02", "--out", path("demo")},
                                dir_.string());
  ASSERT_TRUE(wait_for_text(dir_, "[1/7]", std::chrono::seconds(30))) << stderr_so_far(dir_);
  demo.send_signal(SIGINT);
  const auto o = demo.finish();
  EXPECT_NE(o.err.find("perfgate: interrupted"), std::string::npos) << o.err;
}

TEST_F(NoSilent, TlsToAPlainHttpPortSaysTheHandshakeFailed) {
  // A plain HTTP server answers the TLS client hello with a 400, as nginx or Python's does.
  auto server = FaultServer::start([](FaultConnection& c) {
    char buf[1024];
    if (::recv(c.fd(), buf, sizeof buf, 0) > 0)
      c.send("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  ASSERT_TRUE(server.ok());
  const std::string https = "https://127.0.0.1:" + std::to_string((*server)->port());
  const auto o = perfgate({"run", "--url", https, "--rate", "5", "--duration", "1s", "--timeout", "2s", "--quiet",
                           "--out", path("r.json")});
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("TLS handshake failed"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("plain HTTP? try http://"), std::string::npos) << o.err;
}

TEST_F(NoSilent, GateDoesNotPassAFindingsRuleOnFindingsNamedForAnotherEndpoint) {
  auto good = read_file(std::string(PERFGATE_SOURCE_DIR) + "/fuzz/corpus/result_reader_fuzz/full_result.json");
  ASSERT_TRUE(good.ok());
  write("r.json", *good);  // one endpoint, reports.sales, from a scenario
  write("b.json", R"({"schema_version": 1, "budgets": [{"endpoint": "reports.sales", "rules": ["no n_plus_one"]}]})");
  auto findings = [](const std::string& endpoint) {
    return R"({"schema_version": 1, "source": "probe", "findings": [{"kind": "n_plus_one", "severity": "critical",
               "confidence": "confirmed", "endpoint": ")" +
           endpoint + R"(", "query": "select * from products where id = $1"}]})";
  };
  for (const std::string& endpoint :
       {std::string("GET /reports/sales?limit=50"), std::string("GET http://127.0.0.1:8080/reports/sales")}) {
    write("f.json", findings(endpoint));
    const auto o =
        perfgate({"gate", path("r.json"), "--budgets", path("b.json"), "--findings", path("f.json"), "--strict"});
    EXPECT_EQ(o.exit_code, 1) << "an inconclusive check fails --strict: " << o.out << o.err;
    EXPECT_NE(o.out.find("name no endpoint of this run"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("no n_plus_one findings"), std::string::npos) << "passed: " << o.out;
  }
  // The run's own endpoint name: the finding fails the rule.
  write("f.json", findings("reports.sales"));
  const auto named = perfgate({"gate", path("r.json"), "--budgets", path("b.json"), "--findings", path("f.json")});
  EXPECT_EQ(named.exit_code, 1) << named.out << named.err;
}

TEST_F(NoSilent, AchievedRateCountsTheDrainAndTheHintBlamesTheConnectionBound) {
  // 4 connections x 100 ms per response = 40 responses/s at most, for 50 offered per second.
  CountingServer server(milliseconds(100));
  const auto o = perfgate({"run", "--url", server.url(), "--rate", "50", "--connections", "4", "--duration", "3s",
                           "--timeout", "20s", "--quiet", "--out", path("r.json")});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  auto result = read_run_result(path("r.json"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->total_requests(), 150);
  EXPECT_LE(result->achieved_rps, 42.0) << "the backlog's drain time is not counted";
  EXPECT_TRUE(result->generator.saturated);
  EXPECT_NE(result->generator.note.find("--connections"), std::string::npos) << result->generator.note;
}

}  // namespace
}  // namespace perfgate
