// The fault matrix: `perfgate run` (the built binary, quick mode) against loopback servers that fail
// in one specific way each. For every fault the run must end by itself (duration + timeout + grace:
// a hang check, not a speed claim), count every failed request in the right category, exit with its
// documented code without crashing, keep its memory bounded and write its result; the same fault
// run through the engine in-process must leave no descriptor open.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "core/run_result_io.h"
#include "loadgen/engine.h"
#include "loadgen/support/test_server.h"
#include "reliability/support/fault_server.h"
#include "reliability/support/perfgate_process.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FaultConnection;
using testing::FaultServer;

// "Bounded": what a run adds to the binary's own footprint must stay far below the 1 GB body. The
// footprint itself is measured (`perfgate --version`), not assumed: a Debug ASan+UBSan binary maps and
// relocates ~250 MB of image and sanitizer data before main(), a Release one ~12 MB.
constexpr long kMaxRunGrowthKb = 256L * 1024;
constexpr milliseconds kGrace{5000};

struct QuickRun {
  std::string url;
  int rate = 20;
  milliseconds duration{1000};
  milliseconds timeout{500};
  std::vector<std::string> extra;
};

QuickRun quick(std::string url, int rate = 20, milliseconds duration = milliseconds(1000),
               milliseconds timeout = milliseconds(500)) {
  QuickRun q;
  q.url = std::move(url);
  q.rate = rate;
  q.duration = duration;
  q.timeout = timeout;
  return q;
}

class FaultMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // A parameterised test's name is "Name/3": without the slash, removing dir_ removes all of it.
    std::string name = info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = std::filesystem::temp_directory_path() / ("perfgate-faults-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Peak RSS of the binary doing nothing but start and exit, measured once per test process.
  long idle_rss_kb() const {
    static const long kIdle = testing::run_perfgate({"--version"}, dir_.string()).max_rss_kb;
    return kIdle;
  }

  std::vector<std::string> args(const QuickRun& q, const std::string& out) const {
    std::vector<std::string> a{"run",
                               "--url",
                               q.url,
                               "--rate",
                               std::to_string(q.rate),
                               "--duration",
                               std::to_string(q.duration.count()) + "ms",
                               "--timeout",
                               std::to_string(q.timeout.count()) + "ms",
                               "--threads",
                               "2",
                               "--quiet",
                               "--out",
                               out};
    a.insert(a.end(), q.extra.begin(), q.extra.end());
    return a;
  }

  // The binary's run: ends in time, no crash, the documented exit code, bounded memory, a result.
  RunResult run_binary(const QuickRun& q, int expected_exit) {
    const std::string out = path("result.json");
    std::filesystem::remove(out);
    const auto o = testing::run_perfgate(args(q, out), dir_.string());
    EXPECT_FALSE(o.signalled) << "crashed: " << o.err;
    EXPECT_EQ(o.exit_code, expected_exit) << o.err;
    EXPECT_LE(o.wall, q.duration + q.timeout + kGrace) << "did not end by itself";
    EXPECT_LT(o.max_rss_kb - idle_rss_kb(), kMaxRunGrowthKb)
        << "peak " << o.max_rss_kb << " KiB, idle " << idle_rss_kb();
    auto result = read_run_result(out);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(*result) : RunResult{};
  }

  // The same run in this process: every descriptor the engine opened is closed when it returns.
  // `server` is destroyed before counting so that its own accepted sockets do not hide a leak.
  template <typename StartServer>
  RunResult run_in_process(StartServer start_server, QuickRun q, EngineOptions engine = {}) {
    const int before = testing::open_descriptor_count();
    RunResult result;
    {
      auto server = start_server();
      if (q.url.empty()) q.url = server->url();
      QuickOptions quick;
      quick.url = q.url;
      quick.rate = q.rate;
      quick.duration = q.duration;
      quick.timeout = q.timeout;
      auto scenario = scenario_from_quick(quick);
      EXPECT_TRUE(scenario.ok());
      engine.threads = 2;
      auto r = run_load(*scenario, engine, SteadyClock::instance());
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
      if (r.ok()) result = std::move(*r);
    }
    EXPECT_EQ(testing::open_descriptor_count(), before) << "descriptors leaked";
    return result;
  }

  std::filesystem::path dir_;
};

int64_t count(const RunResult& r, const std::string& category) {
  int64_t n = 0;
  for (const auto& e : r.endpoints) {
    const auto it = e.errors.by_category.find(category);
    if (it != e.errors.by_category.end()) n += it->second;
  }
  return n;
}

// Every request failed, and all in `category`.
void expect_all_failed_as(const RunResult& r, const std::string& category, int64_t requests) {
  EXPECT_EQ(r.total_requests(), requests);
  EXPECT_EQ(r.total_errors(), requests);
  EXPECT_EQ(count(r, category), requests) << "category " << category;
}

std::unique_ptr<FaultServer> serve(testing::ConnectionScript script, int port = 0) {
  auto server = FaultServer::start(std::move(script), port);
  EXPECT_TRUE(server.ok()) << (server.ok() ? "" : server.error().message);
  return server.ok() ? std::move(*server) : nullptr;
}

// A script that answers every request on the connection with `response`, then closes.
testing::ConnectionScript answer_once(const std::string& response) {
  return [response](FaultConnection& c) {
    if (c.read_request()) c.send(response);
  };
}

TEST_F(FaultMatrix, ConnectionRefusedIsCountedAsConnectAndExitsThree) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::unused_port());
  const RunResult r = run_binary(quick(url), 3);
  expect_all_failed_as(r, "connect", 20);
  struct NoServer {
    std::string url() const { return ""; }
  };
  const RunResult in = run_in_process([] { return std::make_unique<NoServer>(); }, quick(url));
  expect_all_failed_as(in, "connect", 20);
}

TEST_F(FaultMatrix, ConnectionResetMidResponseIsCountedAsRead) {
  auto script = [](FaultConnection& c) {
    if (!c.read_request()) return;
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial body");
    c.sleep(milliseconds(20));
    c.reset();
  };
  auto server = serve(script);
  expect_all_failed_as(run_binary(quick(server->url()), 0), "read", 20);
  expect_all_failed_as(run_in_process([&] { return serve(script); }, quick("")), "read", 20);
}

TEST_F(FaultMatrix, ServerStallingPastTheTimeoutIsCountedAsTimeout) {
  auto script = [](FaultConnection& c) {
    if (c.read_request()) c.sleep(seconds(30));
  };
  auto server = serve(script);
  expect_all_failed_as(run_binary(quick(server->url()), 0), "timeout", 20);
  expect_all_failed_as(run_in_process([&] { return serve(script); }, quick("")), "timeout", 20);
}

TEST_F(FaultMatrix, SlowlorisResponseOneBytePerSecondTimesOut) {
  auto script = [](FaultConnection& c) {
    if (!c.read_request()) return;
    for (char byte : testing::http_response("a slow body that never ends in time")) {
      if (!c.send(std::string_view(&byte, 1)) || !c.sleep(seconds(1))) return;
    }
  };
  QuickRun q = quick("", 5, milliseconds(1000), milliseconds(1500));
  auto server = serve(script);
  q.url = server->url();
  expect_all_failed_as(run_binary(q, 0), "timeout", 5);
  q.url.clear();
  expect_all_failed_as(run_in_process([&] { return serve(script); }, q), "timeout", 5);
}

struct MalformedCase {
  const char* name;
  const char* response;  // sent after the request, then the server closes
  const char* category;
};

class MalformedResponse : public FaultMatrix, public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(MalformedResponse, IsCountedInItsCategory) {
  const MalformedCase& m = GetParam();
  auto server = serve(answer_once(m.response));
  expect_all_failed_as(run_binary(quick(server->url()), 0), m.category, 20);
  expect_all_failed_as(run_in_process([&] { return serve(answer_once(m.response)); }, quick("")), m.category, 20);
}

INSTANTIATE_TEST_SUITE_P(
    FaultMatrix, MalformedResponse,
    ::testing::Values(
        MalformedCase{"BadStatusLine", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", "parse"},
        MalformedCase{"NotHttpAtAll", "SSH-2.0-OpenSSH_9.2\r\n", "parse"},
        MalformedCase{"HeaderWithoutColon", "HTTP/1.1 200 OK\r\nthis is not a header\r\n\r\n", "parse"},
        MalformedCase{"NegativeContentLength", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", "parse"},
        MalformedCase{"ContentLengthLongerThanTheBody", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "read"},
        MalformedCase{"BadChunkSize", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                      "parse"},
        MalformedCase{"ChunkLongerThanDeclared",
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", "parse"},
        MalformedCase{"ChunkedBodyCutShort", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", "read"}),
    [](const ::testing::TestParamInfo<MalformedCase>& c) { return std::string(c.param.name); });

TEST_F(FaultMatrix, OneGigabyteBodyIsCountedNotBuffered) {
  constexpr int64_t kBody = int64_t{1} << 30;
  auto script = [](FaultConnection& c) {
    if (!c.read_request()) return;
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kBody) + "\r\n\r\n")) return;
    const std::string block(1 << 20, 'x');
    for (int64_t sent = 0; sent < kBody; sent += static_cast<int64_t>(block.size())) {
      if (!c.send(block)) return;
    }
  };
  auto server = serve(script);
  QuickRun q = quick(server->url(), 1, milliseconds(500), milliseconds(60'000));
  const RunResult r = run_binary(q, 0);  // run_binary asserts the peak RSS stays growth under kMaxRunGrowthKb
  EXPECT_EQ(r.total_requests(), 1);
  EXPECT_EQ(r.total_errors(), 0);
}

TEST_F(FaultMatrix, ServerKilledAndRestartedOnTheSamePortGivesErrorsThenSuccesses) {
  auto keep_alive = [](FaultConnection& c) {
    while (c.read_request()) {
      if (!c.send(testing::http_response("ok"))) return;
    }
  };
  auto server = serve(keep_alive);
  const int port = server->port();
  const std::string out = path("restart.json");
  QuickRun q = quick(server->url(), 50, milliseconds(3000), milliseconds(500));
  testing::PerfgateProcess p(args(q, out), dir_.string());
  std::this_thread::sleep_for(milliseconds(1000));
  server.reset();
  std::this_thread::sleep_for(milliseconds(700));
  server = serve(keep_alive, port);
  ASSERT_NE(server, nullptr);
  const auto o = p.finish();
  EXPECT_FALSE(o.signalled) << o.err;
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_LE(o.wall, q.duration + q.timeout + kGrace);
  auto result = read_run_result(out);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->total_requests(), 150);
  EXPECT_GE(count(*result, "connect"), 10);  // ~35 requests fall in the 700 ms gap
  EXPECT_EQ(count(*result, "connect") + count(*result, "read") + count(*result, "write"), result->total_errors());
  EXPECT_GE(result->total_requests() - result->total_errors(), 90);
  ASSERT_GE(result->timeline.size(), 3u);
  const IntervalStats& last = result->timeline.at(2);
  EXPECT_GT(last.requests, 0);
  EXPECT_EQ(last.errors, 0) << "the restarted server answers every request of the last second";
}

TEST_F(FaultMatrix, MoreConnectionsThanTheDescriptorLimitAllowsIsAClearInputError) {
  auto server = serve(answer_once(testing::http_response("ok")));
  testing::ProcessOptions limits;
  limits.max_open_files = 64;
  const std::string out = path("limit.json");
  QuickRun q = quick(server->url());
  q.extra = {"--connections", "500"};
  const auto o = testing::run_perfgate(args(q, out), dir_.string(), limits);
  EXPECT_FALSE(o.signalled) << o.err;
  EXPECT_EQ(o.exit_code, 2) << o.err;
  EXPECT_NE(o.err.find("RLIMIT_NOFILE allows 64"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("--connections"), std::string::npos) << o.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(server->connections(), 0);
}

TEST_F(FaultMatrix, UnresolvableHostFailsLocallyWithToolFailure) {
  const std::string out = path("dns.json");
  const auto o = testing::run_perfgate(args(quick("http://no-such-host.invalid/"), out), dir_.string());
  EXPECT_FALSE(o.signalled) << o.err;
  EXPECT_EQ(o.exit_code, 3) << o.err;
  EXPECT_NE(o.err.find("no-such-host.invalid"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("cannot resolve"), std::string::npos) << o.err;
  EXPECT_LE(o.wall, milliseconds(1000) + kGrace);
  EXPECT_FALSE(std::filesystem::exists(out)) << "nothing ran, so nothing is written";
}

}  // namespace
}  // namespace perfgate
