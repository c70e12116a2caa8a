// The engine against a real HTTP server on 127.0.0.1 (tests/loadgen/support/test_server.h).
#include "loadgen/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "loadgen/support/test_server.h"

namespace perfgate {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::TestServer;
using testing::TestServerOptions;

Scenario open_scenario(const std::string& base_url, double rate, microseconds duration, int connections = 0,
                       microseconds timeout = seconds(5)) {
  Scenario s;
  s.name = "test";
  s.hash = "abc";
  s.base_url = base_url;
  Endpoint e;
  e.name = "reports.sales";
  RequestTemplate r;
  r.path = "/reports/sales?month=3";
  r.timeout = timeout;
  e.steps.push_back(r);
  s.endpoints.push_back(e);
  s.shape.model = LoadModel::kOpen;
  s.shape.start_target = rate;
  s.shape.stages.push_back(Stage{duration, rate, "steady"});
  s.shape.max_connections = connections;
  return s;
}

std::unique_ptr<TestServer> serve(const TestServerOptions& options) {
  auto server = TestServer::start(options);
  EXPECT_TRUE(server.ok());
  return std::move(*server);
}

RunResult run(const Scenario& s, EngineOptions options = {}, const StopSignal* stop = nullptr) {
  if (options.threads == 0) options.threads = 2;
  auto result = run_load(s, options, SteadyClock::instance(), nullptr, stop);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(*result) : RunResult{};
}

// THE coordinated-omission test. The server answers in ~1 ms but, once every P = 5 s, holds every
// response for up to D = 1 s (a response that would be ready inside [kP, kP + D) waits until kP + D).
// Requests are due every 2 ms (500/s) for 15 s = 3 whole periods, so whatever the phase between the
// server's grid and the run, exactly f = D/P = 20% of due times fall in a stall, and the remaining
// stall time R of such a request is uniform on [0, D]. A user arriving on schedule therefore sees
//   L = S + R,  R = 0 with probability 1 - f, R ~ U(0, D) with probability f,
// where S is the ordinary service time. Its quantiles: for q <= 1 - f, L_q = S at q / (1 - f);
// for q > 1 - f, L_q = S + D (q - (1 - f)) / f, so p90 = S + 500 ms and p99 = S + 950 ms.
// A generator that measures from the send time with 64 connections sees only the 64 requests per
// stall it managed to send and reports the rest at ~1 ms: its p90 stays near S.
TEST(Engine, CorrectedLatencyMatchesTheAnalyticGroundTruthUnderPeriodicStalls) {
  TestServerOptions so;
  so.delay = milliseconds(1);
  so.stall_duration = seconds(1);
  so.stall_period = seconds(5);
  auto server = serve(so);
  const RunResult r = run(open_scenario(server->url(), 500, seconds(15), 64));
  const EndpointStats* e = r.find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->requests, 7500);
  EXPECT_EQ(e->errors.total, 0);
  ASSERT_TRUE(r.target_rps.has_value());
  EXPECT_NEAR(*r.target_rps, 500, 0.5);
  // Achieved counts the time the last responses took to drain: when the run ends inside a stall,
  // they arrive up to D = 1 s after the schedule, so 7500 requests over 15 to 16 s.
  EXPECT_LE(r.achieved_rps, 500.5);
  EXPECT_GE(r.achieved_rps, 7500 / 16.2);

  const double f = 0.2, d_us = 1e6;
  // S's distribution comes from the service times of requests that were not sent into a stall
  // (those above 100 ms are the few in flight when a stall began).
  int64_t long_service = 0;
  e->service_time.for_each_bucket([&](const HistogramBucket& b) {
    if (b.lowest > 100'000) long_service += b.count;
  });
  const double g = static_cast<double>(long_service) / static_cast<double>(e->service_time.total_count());
  auto s_at = [&](double q) { return static_cast<double>(e->service_time.value_at_percentile(100 * q * (1 - g))); };
  const double s = s_at(0.5);
  const double truth_p50 = s_at(0.5 / (1 - f));
  const double truth_p90 = s + d_us * (0.90 - (1 - f)) / f;
  const double truth_p99 = s + d_us * (0.99 - (1 - f)) / f;
  const LatencySummary corrected = LatencySummary::of(e->latency);
  const LatencySummary uncorrected = LatencySummary::of(e->service_time);
  RecordProperty("truth_p50_us", std::to_string(truth_p50));
  RecordProperty("truth_p90_us", std::to_string(truth_p90));
  RecordProperty("truth_p99_us", std::to_string(truth_p99));
  RecordProperty("corrected_p50_p90_p99_us", std::to_string(corrected.p50) + " " + std::to_string(corrected.p90) + " " +
                                                 std::to_string(corrected.p99));
  RecordProperty("service_p50_p90_p99_us", std::to_string(uncorrected.p50) + " " + std::to_string(uncorrected.p90) +
                                               " " + std::to_string(uncorrected.p99));
  RecordProperty("achieved_rps", std::to_string(r.achieved_rps));
  // p50 sits at the ~1 ms scale where S itself is estimated from service times that include the
  // bursts sent right after each stall and a busy machine's scheduling delays; 5% of 1 ms is 50 us,
  // below that noise. So p50 gets 5% or 250 us, whichever is larger; p90 and p99 (hundreds of ms,
  // the figures coordinated omission hides) keep the strict 5%.
  EXPECT_NEAR(corrected.p50, truth_p50, std::max(0.05 * truth_p50, 250.0));
  EXPECT_NEAR(corrected.p90, truth_p90, 0.05 * truth_p90);
  EXPECT_NEAR(corrected.p99, truth_p99, 0.05 * truth_p99);
  EXPECT_GT(corrected.max, 0.95 * d_us);

  EXPECT_LT(uncorrected.p90, 0.1 * corrected.p90);
  EXPECT_LT(uncorrected.p50, 1.2 * truth_p50);

  // 64 connections cannot carry a 1 s stall at 500/s: the engine must say so.
  EXPECT_TRUE(r.generator.saturated);
  EXPECT_NE(r.generator.note.find("connections exhausted"), std::string::npos);
  EXPECT_GE(r.timeline.size(), 15u);
  int64_t sent = 0;
  for (const auto& i : r.timeline) sent += i.sent;
  EXPECT_EQ(sent, 7500);
  EXPECT_EQ(e->status_codes.at("200"), 7500);
}

struct RecordingObserver : RunObserver {
  int starts = 0, finishes = 0;
  std::vector<std::string> phases;
  std::vector<LiveStatus> intervals;
  void on_start(const std::vector<PhaseInfo>& p) override { starts += p.empty() ? 0 : 1; }
  void on_phase_change(const PhaseInfo& p) override { phases.push_back(p.name); }
  void on_interval(const LiveStatus& s) override { intervals.push_back(s); }
  void on_finish(RunResult& r) override {
    ++finishes;
    r.labels["observer"] = "saw it";
  }
};

TEST(Engine, RampsWeightsAndObserverHooksFollowThePlan) {
  TestServerOptions so;
  auto server = serve(so);
  Scenario s = open_scenario(server->url(), 0, seconds(1));
  s.shape.stages = {Stage{seconds(1), 200, "ramp"}, Stage{milliseconds(1500), 200, "steady"}};
  Endpoint light = s.endpoints[0];
  light.name = "light";
  light.weight = 1;
  s.endpoints[0].weight = 3;
  s.endpoints.push_back(light);
  RecordingObserver observer;
  EngineOptions options;
  options.threads = 2;
  auto result = run_load(s, options, SteadyClock::instance(), &observer);
  ASSERT_TRUE(result.ok());
  const RunResult& r = *result;
  // 0 -> 200/s over 1 s is 100 arrivals, then 1.5 s at 200/s is 300 more.
  const int64_t heavy = r.find_endpoint("reports.sales")->requests;
  const int64_t light_n = r.find_endpoint("light")->requests;
  EXPECT_EQ(heavy + light_n, 400);
  EXPECT_NEAR(static_cast<double>(light_n), 100, 30);
  EXPECT_EQ(r.phase_stats.at(0).endpoints.at(0).requests + r.phase_stats.at(0).endpoints.at(1).requests, 100);
  EXPECT_NEAR(*r.target_rps, 160, 1e-6);
  EXPECT_EQ(observer.starts, 1);
  EXPECT_EQ(observer.finishes, 1);
  EXPECT_EQ(observer.phases, (std::vector<std::string>{"ramp", "steady"}));
  ASSERT_GE(observer.intervals.size(), 2u);
  EXPECT_EQ(observer.intervals[0].phase, "ramp");
  EXPECT_NEAR(observer.intervals[0].target, 100, 1);  // mid-ramp
  EXPECT_EQ(observer.intervals[1].phase, "steady");
  EXPECT_NEAR(observer.intervals[1].target, 200, 1e-6);
  EXPECT_EQ(r.labels.at("observer"), "saw it");
  ASSERT_EQ(r.endpoints.size(), 2u);
  EXPECT_FALSE(r.endpoints[1].timeline.empty());
}

TEST(Engine, ClosedModelUsersWaitForEachResponseAndThink) {
  TestServerOptions so;
  so.delay = milliseconds(5);
  auto server = serve(so);
  Scenario s = open_scenario(server->url(), 4, seconds(2));
  s.shape.model = LoadModel::kClosed;
  s.shape.think_time = milliseconds(10);
  const RunResult r = run(s);
  EXPECT_EQ(r.model, LoadModel::kClosed);
  EXPECT_FALSE(r.target_rps.has_value());
  const EndpointStats* e = r.find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  // Each iteration takes at least 5 ms + 10 ms, so 4 users can finish at most 4 * 2 s / 15 ms.
  EXPECT_LE(e->requests, 4 * 2000 / 15 + 4);
  EXPECT_GE(e->requests, 20);
  EXPECT_EQ(e->errors.total, 0);
  // Closed model: latency runs from the start of each iteration, so it is never below the server's
  // delay, and think time is not part of it.
  EXPECT_GE(e->latency.min(), 5000);
  EXPECT_LT(e->latency.value_at_percentile(50), e->service_time.value_at_percentile(50) + 10'000);
  EXPECT_FALSE(r.generator.saturated);
}

TEST(Engine, RefusedConnectionsAreCountedAsConnectErrors) {
  const RunResult r = run(open_scenario("http://127.0.0.1:" + std::to_string(testing::unused_port()), 100, seconds(1)));
  const EndpointStats* e = r.find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->requests, 100);
  EXPECT_EQ(e->errors.total, 100);
  EXPECT_EQ(e->errors.by_category.at("connect"), 100);
}

TEST(Engine, SlowResponsesTimeOutAtTheRequestTimeout) {
  TestServerOptions so;
  so.delay = seconds(3);
  auto server = serve(so);
  const RunResult r = run(open_scenario(server->url(), 20, seconds(1), 0, milliseconds(200)));
  const EndpointStats* e = r.find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->requests, 20);
  EXPECT_EQ(e->errors.by_category.at("timeout"), 20);
  EXPECT_NEAR(static_cast<double>(e->latency.value_at_percentile(50)), 200'000, 20'000);
}

TEST(Engine, StopProducesAPartialResult) {
  TestServerOptions so;
  auto server = serve(so);
  StopSignal stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(1000));
    stop.request_stop();
  });
  const RunResult r = run(open_scenario(server->url(), 100, seconds(30)), {}, &stop);
  stopper.join();
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.status, RunStatus::kPartial);
  EXPECT_NEAR(r.duration_s, 1.0, 0.3);
  const EndpointStats* e = r.find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  EXPECT_GT(e->requests, 50);
  EXPECT_LT(e->requests, 150);
}

TEST(Engine, ErrorStatusesResetsAndTricklesAreCountedByCategory) {
  TestServerOptions so;
  so.status = 503;
  auto s503 = serve(so);
  const RunResult r1 = run(open_scenario(s503->url(), 50, milliseconds(400)));
  EXPECT_EQ(r1.endpoints.at(0).errors.by_category.at("status_5xx"), 20);
  EXPECT_EQ(r1.endpoints.at(0).status_codes.at("503"), 20);

  TestServerOptions reset;
  reset.reset_every = 1;
  auto sreset = serve(reset);
  const RunResult r2 = run(open_scenario(sreset->url(), 50, milliseconds(400)));
  EXPECT_EQ(r2.endpoints.at(0).errors.total, 20);
  EXPECT_EQ(r2.endpoints.at(0).errors.by_category.at("read"), 20);

  TestServerOptions trickle;
  trickle.trickle_interval = microseconds(500);
  trickle.chunked = true;
  trickle.body = std::string(40, 'x');
  auto strickle = serve(trickle);
  const RunResult r3 = run(open_scenario(strickle->url(), 20, milliseconds(500)));
  EXPECT_EQ(r3.endpoints.at(0).errors.total, 0);
  EXPECT_EQ(r3.endpoints.at(0).requests, 10);
  // ~80 bytes sent one every 0.5 ms.
  EXPECT_GT(r3.endpoints.at(0).latency.value_at_percentile(50), 30'000);
}

TEST(Engine, SendsBodiesWithTheirLength) {
  TestServerOptions so;
  auto server = serve(so);
  Scenario s = open_scenario(server->url(), 20, milliseconds(500), 0, milliseconds(500));
  s.endpoints[0].steps[0].method = "POST";
  s.endpoints[0].steps[0].body = std::string(3000, 'b');
  const RunResult r = run(s);
  // The server answers only once it has read Content-Length bytes: a wrong length would time out.
  EXPECT_EQ(r.endpoints.at(0).requests, 10);
  EXPECT_EQ(r.endpoints.at(0).errors.total, 0);
}

TEST(Engine, WarmUpIsOnTheTimelineButNotInTheResults) {
  TestServerOptions so;
  auto server = serve(so);
  Scenario s = open_scenario(server->url(), 100, milliseconds(500));
  s.shape.stages.insert(s.shape.stages.begin(), Stage{milliseconds(500), 100, "warm-up"});
  const RunResult r = run(s);
  ASSERT_EQ(r.phases.size(), 2u);
  EXPECT_TRUE(r.phases[0].excluded);
  EXPECT_EQ(r.endpoints.at(0).requests, 50);
  ASSERT_EQ(r.phase_stats.size(), 2u);
  EXPECT_EQ(r.phase_stats[0].endpoints.at(0).requests, 50);
  EXPECT_NEAR(r.duration_s, 0.5, 1e-6);
  int64_t sent = 0;
  for (const auto& i : r.timeline) sent += i.sent;
  EXPECT_EQ(sent, 100);
}

TEST(Engine, CurlTransportMeasuresTheSameWay) {
  TestServerOptions so;
  so.delay = milliseconds(2);
  auto server = serve(so);
  EngineOptions options;
  options.transport = TransportKind::kCurl;
  const RunResult r = run(open_scenario(server->url(), 50, seconds(1)), options);
  const EndpointStats* e = r.find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->requests, 50);
  EXPECT_EQ(e->errors.total, 0);
  EXPECT_GE(e->latency.value_at_percentile(50), 2000);
}

TEST(Engine, ServersThatCloseAfterEachResponseAreNotErrors) {
  TestServerOptions so;
  so.close_after_response = true;
  auto server = serve(so);
  const RunResult r = run(open_scenario(server->url(), 100, milliseconds(500)));
  EXPECT_EQ(r.endpoints.at(0).requests, 50);
  EXPECT_EQ(r.endpoints.at(0).errors.total, 0);
  EXPECT_EQ(server->requests(), 50);
}

TEST(Engine, FlowStepsRunInOrderAndAreReportedAsFlowAndSteps) {
  TestServerOptions so;
  so.delay = milliseconds(2);
  auto server = serve(so);
  Scenario s = open_scenario(server->url(), 50, seconds(1));
  s.endpoints[0].name = "export";
  s.endpoints[0].steps[0].name = "start";
  RequestTemplate second = s.endpoints[0].steps[0];
  second.name = "download";
  s.endpoints[0].steps.push_back(second);
  const RunResult r = run(s);
  const EndpointStats* flow = r.find_endpoint("export");
  const EndpointStats* first = r.find_endpoint("export/start");
  const EndpointStats* last = r.find_endpoint("export/download");
  ASSERT_TRUE(flow != nullptr && first != nullptr && last != nullptr);
  EXPECT_EQ(flow->kind, EndpointKind::kFlow);
  EXPECT_EQ(first->kind, EndpointKind::kStep);
  EXPECT_EQ(flow->requests, 50);
  EXPECT_EQ(first->requests, 50);
  EXPECT_EQ(last->requests, 50);
  EXPECT_EQ(server->requests(), 100);
  EXPECT_EQ(r.total_requests(), 50);
  // A flow lasts at least its two steps' server delays.
  EXPECT_GE(flow->latency.min(), 4000);
  EXPECT_GE(flow->latency.value_at_percentile(50),
            first->service_time.value_at_percentile(50) + last->service_time.min());
  EXPECT_FALSE(flow->timeline.empty());
}

TEST(Engine, AFailedStepEndsTheFlowWithItsOutcome) {
  TestServerOptions so;
  so.status = 404;
  auto server = serve(so);
  Scenario s = open_scenario(server->url(), 20, milliseconds(500));
  s.endpoints[0].steps.push_back(s.endpoints[0].steps[0]);
  const RunResult r = run(s);
  EXPECT_EQ(r.endpoints.at(0).errors.by_category.at("status_4xx"), 10);
  EXPECT_EQ(r.endpoints.at(2).requests, 0);
  EXPECT_EQ(server->requests(), 10);
}

TEST(Engine, AStepThatBothPollsAndStreamsIsRejectedNamingTheStep) {
  Scenario s = open_scenario("http://127.0.0.1:1", 1, seconds(1));
  s.endpoints[0].steps.push_back(s.endpoints[0].steps[0]);
  s.endpoints[0].steps[1].poll = PollSpec{};
  s.endpoints[0].steps[1].stream = StreamSpec{};
  auto r = run_load(s, EngineOptions{}, SteadyClock::instance());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("endpoints[0] (reports.sales).steps[1]"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace perfgate
