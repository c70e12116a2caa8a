// Many concurrent SSE streams through the built binary: a closed model where every virtual user holds
// one stream of bench/sse_server.cpp open, each stream timed (first event, completion, largest gap
// between events), and the descriptor limit refused with the number needed. bench/sse_streams.sh runs
// the same at 10,000 streams for 60 s and measures memory per stream.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/child_process.h"
#include "core/metric_names.h"
#include "core/run_result_io.h"
#include "support/temp_dir.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

constexpr int kStreams = 500;

class SseStreams : public testing::TempDirTest {
 protected:
  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGTERM);
      testing::wait_exit(server_);
    }
    TempDirTest::TearDown();
  }
  // Starts the SSE server (an event every `interval_ms` for `seconds`); returns its URL.
  std::string start_server(int interval_ms, int seconds) {
    const int port = testing::free_loopback_port();
    server_ = testing::spawn_quiet(
        PERFGATE_SSE_SERVER,
        {std::to_string(port), "--interval-ms", std::to_string(interval_ms), "--duration-s", std::to_string(seconds)});
    EXPECT_TRUE(testing::wait_until_accepting(port)) << "the SSE server did not start";
    return "http://127.0.0.1:" + std::to_string(port);
  }
  // A closed-model scenario: `users` users, each running one stream of `url`.
  std::string write_scenario(const std::string& url, int users) {
    std::string file = path("streams.json");
    std::FILE* f = std::fopen(file.c_str(), "w");
    std::fprintf(f, R"({"name": "sse-streams", "target": {"base_url": "%s"},
      "load": {"model": "closed", "start_vus": %d, "iterations": %d, "stages": [{"duration": "3s", "target_vus": %d}]},
      "endpoints": [{"name": "events", "request": {"path": "/events", "timeout": "30s", "expect_status": [200],
                     "stream": {"format": "sse"}, "checks": [{"body_contains": "event: done"}]}}]})",
                 url.c_str(), users, users, users);
    std::fclose(f);
    return file;
  }
  pid_t server_ = -1;
};

TEST_F(SseStreams, EveryStreamIsTimedFromFirstEventToCompletionWithItsLargestGap) {
  const std::string url = start_server(100, 3);
  const std::string scenario = write_scenario(url, kStreams);
  const auto r = testing::run_captured(std::string(PERFGATE_BINARY) + " run " + scenario + " --quiet --out " +
                                       path("result.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto result = read_run_result(path("result.json"));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->endpoints.size(), 1u);
  const EndpointStats& e = result->endpoints[0];
  EXPECT_EQ(e.requests, kStreams);
  EXPECT_EQ(e.errors.total, 0) << r.output;
  const auto count = [&e](const char* metric) {
    const auto it = e.metrics.find(metric);
    return it == e.metrics.end() ? int64_t{-1} : it->second.histogram.total_count();
  };
  EXPECT_EQ(count(kMetricTimeToFirstEvent), kStreams) << "every stream got its first event";
  EXPECT_EQ(count(kMetricCompletion), kStreams) << "every stream ran to the server's end";
  EXPECT_EQ(e.tallies.at("stream").at("completed"), kStreams);
  ASSERT_EQ(count(kMetricMaxEventGap), kStreams) << "every stream's largest gap is reported";
  // 3 s at one event per 100 ms: about 31 events per stream, so each stream's largest gap is at
  // least its mean gap and no longer than the whole stream.
  const Histogram& gaps = e.metrics.at(kMetricMaxEventGap).histogram;
  const Histogram& events = e.metrics.at(kMetricEvents).histogram;
  EXPECT_GE(events.min(), 2);
  EXPECT_GT(gaps.min(), 0);
  EXPECT_LE(gaps.max(), e.metrics.at(kMetricCompletion).histogram.max());
  // Every user opened its stream at once and held it for 3 s: all were open together, and the
  // generator's memory per stream is reported (bench/sse_streams.sh measures it at 10,000).
  EXPECT_EQ(result->generator.peak_open_streams, kStreams);
  EXPECT_GT(result->generator.rss_idle_bytes, 0);
  EXPECT_GE(result->generator.rss_peak_bytes, result->generator.rss_idle_bytes);
  EXPECT_TRUE(result->generator.rss_per_stream_bytes().has_value());
  EXPECT_NE(r.output.find("500 open at peak"), std::string::npos) << r.output;
}

TEST_F(SseStreams, TooLowADescriptorLimitIsRefusedWithTheNumberNeeded) {
  // No server: the refusal must come before any connection is tried.
  const std::string scenario = write_scenario("http://127.0.0.1:9", kStreams);
  const auto r = testing::run_captured("ulimit -n 256 && " + std::string(PERFGATE_BINARY) + " run " + scenario +
                                       " --quiet --out " + path("result.json"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("500 virtual users"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("file descriptors"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(path("result.json")));
}

}  // namespace
}  // namespace perfgate
