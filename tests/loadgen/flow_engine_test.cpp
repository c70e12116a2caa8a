// Flows against a loopback server with known timings: streams, polling, extraction, checks,
// tallies and cancellation, measured through the whole engine.
#include <gtest/gtest.h>

#include <thread>

#include "loadgen/engine.h"
#include "loadgen/support/flow_server.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

using testing::FlowServer;

Scenario parse(const std::string& json) {
  auto s = parse_scenario(json, "flow-test.json");
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : Scenario{};
}

RunResult run(const Scenario& s) {
  EngineOptions options;
  options.threads = 2;
  auto result = run_load(s, options, SteadyClock::instance());
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(*result) : RunResult{};
}

const EndpointStats& named(const RunResult& r, const std::string& name) {
  for (const auto& e : r.endpoints) {
    if (e.name == name) return e;
  }
  ADD_FAILURE() << "no endpoint " << name;
  static const EndpointStats kNone;
  return kNone;
}

const Histogram& metric(const EndpointStats& e, const std::string& name) {
  const auto it = e.metrics.find(name);
  if (it == e.metrics.end()) {
    ADD_FAILURE() << e.name << ": no metric " << name;
    static const Histogram kNone;
    return kNone;
  }
  return it->second.histogram;
}

std::string closed(const std::string& url, int users, int iterations, const std::string& endpoints) {
  return R"({"name": "t", "target": {"base_url": ")" + url + R"("},
    "load": {"model": "closed", "start_vus": )" +
         std::to_string(users) + R"(, "iterations": )" + std::to_string(iterations) +
         R"(, "stages": [{"duration": "20s", "target_vus": )" + std::to_string(users) + R"(}]}, "endpoints": [)" +
         endpoints + "]}";
}

std::string open(const std::string& url, int rate, const std::string& endpoints) {
  return R"({"name": "t", "target": {"base_url": ")" + url + R"("},
    "load": {"model": "open", "start_rps": )" +
         std::to_string(rate) + R"(, "stages": [{"duration": "1s", "target_rps": )" + std::to_string(rate) +
         R"(}]}, "endpoints": [)" + endpoints + "]}";
}

// The server sends its first event 200 ms after the request and then one every 50 ms: 10
// progress events and a done event, the last at 200 + 10 * 50 = 700 ms.
TEST(FlowEngine, StreamTimesFirstEventRateAndCompletionWithinTolerance) {
  auto server = FlowServer::start();
  ASSERT_NE(server, nullptr);
  const RunResult r = run(parse(closed(server->url(), 1, 3, R"({"name": "export", "request": {
      "path": "/stream?events=10&first_ms=200&every_ms=50", "timeout": "5s",
      "stream": {"format": "sse", "progress_pointer": "/progress"},
      "checks": [{"body_contains": "event: done"}]}})")));
  const EndpointStats& e = named(r, "export");
  EXPECT_EQ(e.requests, 3);
  EXPECT_EQ(e.errors.total, 0);
  EXPECT_EQ(e.kind, EndpointKind::kRequest);
  const Histogram& ttfe = metric(e, "time_to_first_event_us");
  EXPECT_EQ(ttfe.total_count(), 3);
  EXPECT_GE(ttfe.min(), 200'000);
  EXPECT_LE(ttfe.max(), 300'000);
  EXPECT_LT(metric(e, "time_to_first_byte_us").max(), ttfe.min());
  const Histogram& completion = metric(e, "completion_us");
  EXPECT_GE(completion.min(), 700'000);
  EXPECT_LE(completion.max(), 850'000);
  EXPECT_EQ(metric(e, "events").min(), 11);
  EXPECT_EQ(metric(e, "events").max(), 11);
  // 10 intervals between 11 events over 500 ms.
  EXPECT_GE(metric(e, "event_rate").min(), 17);
  EXPECT_LE(metric(e, "event_rate").max(), 21);
  EXPECT_EQ(metric(e, "progress").min(), 100);
  EXPECT_EQ(e.tallies.at("stream").at("completed"), 3);
  EXPECT_EQ(server->streams_completed(), 3);
}

void expect_cancelled_by_server(const FlowServer& server, int64_t n) {
  // The server learns of a closed connection at its next write (one event interval later).
  for (int i = 0; i < 200 && server.streams_cancelled() < n; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(server.streams_cancelled(), n);
  EXPECT_EQ(server.streams_completed(), 0);
}

TEST(FlowEngine, CancelAfterEventsClosesTheStreamAndTheServerSeesIt) {
  auto server = FlowServer::start();
  ASSERT_NE(server, nullptr);
  const RunResult r = run(parse(closed(server->url(), 2, 4, R"({"name": "export", "request": {
      "path": "/stream?events=100&first_ms=10&every_ms=20", "timeout": "5s",
      "stream": {"format": "sse", "cancel_after_events": 3}}})")));
  const EndpointStats& e = named(r, "export");
  EXPECT_EQ(e.requests, 4);
  EXPECT_EQ(e.errors.total, 0);
  EXPECT_EQ(metric(e, "events").max(), 3);
  EXPECT_EQ(e.tallies.at("stream").at("cancelled"), 4);
  EXPECT_EQ(e.metrics.count("completion_us"), 0u);
  expect_cancelled_by_server(*server, 4);
}

TEST(FlowEngine, CancelAfterTimeEndsTheStreamAtThatTime) {
  auto server = FlowServer::start();
  ASSERT_NE(server, nullptr);
  const RunResult r = run(parse(closed(server->url(), 1, 2, R"({"name": "export", "request": {
      "path": "/stream?events=100&first_ms=10&every_ms=20", "timeout": "5s",
      "stream": {"format": "sse", "cancel_after": "150ms"}}})")));
  const EndpointStats& e = named(r, "export");
  EXPECT_EQ(e.requests, 2);
  EXPECT_GE(e.service_time.min(), 150'000);
  EXPECT_LE(e.service_time.max(), 250'000);
  expect_cancelled_by_server(*server, 2);
}

constexpr const char* kJobFlow = R"({"name": "job", "flow": [
    {"name": "create", "method": "POST", "path": "/jobs?ready_after=%d", "expect_status": [202],
     "tallies": [{"name": "cache", "header": "X-Cache"}],
     "extract": [{"variable": "job_id", "json_pointer": "/job_id"}]},
    {"name": "wait", "path": "/jobs/{{job_id}}",
     "poll": {"interval": "50ms", "deadline": "%s", "until": [{"json_pointer": "/status", "equals": "done"}]},
     "checks": [{"status": 200}]}]})";

std::string job_flow(int ready_after, const char* deadline) {
  char text[1024];
  std::snprintf(text, sizeof text, kJobFlow, ready_after, deadline);
  return text;
}

TEST(FlowEngine, PollingCountsExactlyThePollsUntilTheJobIsReady) {
  auto server = FlowServer::start();
  ASSERT_NE(server, nullptr);
  const RunResult r = run(parse(open(server->url(), 4, job_flow(4, "5s"))));
  const EndpointStats& flow = named(r, "job");
  const EndpointStats& wait = named(r, "job/wait");
  EXPECT_EQ(flow.kind, EndpointKind::kFlow);
  EXPECT_EQ(flow.requests, 4);
  EXPECT_EQ(flow.errors.total, 0);
  const Histogram& polls = metric(wait, "polls");
  EXPECT_EQ(polls.total_count(), 4);
  EXPECT_EQ(polls.min(), 4);
  EXPECT_EQ(polls.max(), 4);
  EXPECT_EQ(server->job_polls(), 16);
  // Three intervals between four polls.
  const Histogram& poll_time = metric(wait, "poll_time_us");
  EXPECT_GE(poll_time.min(), 150'000);
  EXPECT_LE(poll_time.max(), 400'000);
  EXPECT_GE(flow.latency.min(), poll_time.min());
  EXPECT_EQ(flow.tallies.at("cache").at("miss"), 4);
  EXPECT_EQ(named(r, "job/create").tallies.at("cache").at("miss"), 4);
}

TEST(FlowEngine, APollThatMissesItsDeadlineIsADeadlineError) {
  auto server = FlowServer::start();
  ASSERT_NE(server, nullptr);
  const RunResult r = run(parse(open(server->url(), 4, job_flow(1000, "300ms"))));
  const EndpointStats& flow = named(r, "job");
  EXPECT_EQ(flow.errors.by_category.at("deadline"), 4);
  EXPECT_EQ(named(r, "job/wait").errors.by_category.at("deadline"), 4);
  EXPECT_GE(named(r, "job/wait").latency.min(), 300'000);
  EXPECT_EQ(metric(named(r, "job/wait"), "polls").max(), 6);
  EXPECT_EQ(named(r, "job/wait").metrics.count("poll_time_us"), 0u);
}

TEST(FlowEngine, ExtractedValuesFeedLaterStepsAndFailedChecksEndTheIteration) {
  auto server = FlowServer::start();
  ASSERT_NE(server, nullptr);
  const RunResult r = run(parse(open(server->url(), 10, R"({"name": "numbers", "flow": [
      {"name": "number", "path": "/number",
       "extract": [{"variable": "n", "json_pointer": "/n"}, {"variable": "header_n", "header": "X-Number"}],
       "checks": [{"json_pointer": "/n", "matches": "[02468]$"}]},
      {"name": "echo", "path": "/echo/n{{n}}x{{header_n}}", "checks": [{"body_contains": "\"echo\":\"n"}],
       "extract": [{"variable": "echoed", "regex": "\"echo\":\"n([0-9]+)x"}]},
      {"name": "missing", "path": "/echo/{{echoed}}", "extract": [{"variable": "nothing", "json_pointer": "/absent"}]}
    ]})")));
  const EndpointStats& flow = named(r, "numbers");
  EXPECT_EQ(flow.requests, 10);
  EXPECT_EQ(flow.errors.by_category.at("check"), 10);
  EXPECT_EQ(named(r, "numbers/number").errors.by_category.at("check"), 5);
  EXPECT_EQ(named(r, "numbers/echo").requests, 5);
  EXPECT_EQ(named(r, "numbers/echo").errors.total, 0);
  EXPECT_EQ(named(r, "numbers/missing").errors.by_category.at("check"), 5);
  EXPECT_EQ(server->requests("echo"), 10);
}

}  // namespace
}  // namespace perfgate
