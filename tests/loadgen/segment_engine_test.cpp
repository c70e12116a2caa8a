// Segments of one schedule (EngineOptions::segment) against a real HTTP server on 127.0.0.1: the N
// shards together offer exactly the scenario's load, each arrival and user in exactly one shard.
#include <gtest/gtest.h>

#include <chrono>

#include "loadgen/engine.h"
#include "loadgen/schedule.h"
#include "loadgen/support/test_server.h"

namespace perfgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::TestServer;
using testing::TestServerOptions;

Scenario scenario(const std::string& base_url, LoadModel model, double target, std::vector<Stage> stages) {
  Scenario s;
  s.name = "segments";
  s.hash = "abc";
  s.base_url = base_url;
  Endpoint e;
  e.name = "reports.sales";
  RequestTemplate r;
  r.path = "/reports/sales";
  r.timeout = seconds(5);
  e.steps.push_back(r);
  s.endpoints.push_back(e);
  s.shape.model = model;
  s.shape.start_target = target;
  s.shape.stages = std::move(stages);
  return s;
}

RunResult run_segment(const Scenario& s, Segment segment, int64_t start_at_unix_ms = 0) {
  EngineOptions options;
  options.threads = 2;
  options.segment = segment;
  options.start_at_unix_ms = start_at_unix_ms;
  auto result = run_load(s, options, SteadyClock::instance());
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(*result) : RunResult{};
}

TEST(EngineSegments, OpenModelShardsOfferEveryNthArrivalAndTogetherTheWholeSchedule) {
  auto server = TestServer::start(TestServerOptions{});
  ASSERT_TRUE(server.ok());
  // A ramp then a steady stage, so the arrivals are not evenly spaced.
  const Scenario s = scenario((*server)->url(), LoadModel::kOpen, 0,
                              {Stage{milliseconds(300), 300, "ramp"}, Stage{milliseconds(500), 300, "steady"}});
  auto schedule = ArrivalSchedule::create(0, s.shape.stages);
  ASSERT_TRUE(schedule.ok());
  const int64_t total = schedule->total_requests();
  ASSERT_EQ(total, 45 + 150);
  for (int n : {2, 4}) {
    int64_t sum = 0;
    double target_sum = 0;
    for (int k = 1; k <= n; ++k) {
      const RunResult r = run_segment(s, Segment{k, n});
      // Shard k offers the arrivals i with i % n == k - 1: exactly share_of(total) of them.
      EXPECT_EQ(r.total_requests(), (Segment{k, n}).share_of(total)) << k << "/" << n;
      EXPECT_EQ(r.total_errors(), 0);
      EXPECT_EQ(r.segment, (Segment{k, n}));
      EXPECT_NEAR(r.phases.at(1).target_rps_start, 300.0 / n, 1e-9);
      EXPECT_GT(r.start_unix_ms, 0);
      sum += r.total_requests();
      target_sum += *r.target_rps;
    }
    EXPECT_EQ(sum, total) << "N = " << n;
    EXPECT_NEAR(target_sum, static_cast<double>(total) / 0.8, 1e-6) << "N = " << n;
  }
}

TEST(EngineSegments, ClosedModelShardsSplitTheUsersAndTheIterationsWithoutOverlap) {
  TestServerOptions so;
  so.delay = milliseconds(2);
  auto server = TestServer::start(so);
  ASSERT_TRUE(server.ok());
  Scenario s = scenario((*server)->url(), LoadModel::kClosed, 5, {Stage{seconds(5), 5, "steady"}});
  s.shape.max_iterations = 10;
  int64_t sum = 0;
  for (int k = 1; k <= 3; ++k) {
    const RunResult r = run_segment(s, Segment{k, 3});
    // Users 0..4 split as {0, 3}, {1, 4}, {2}; iterations 10 as 4, 3, 3.
    EXPECT_EQ(r.phases.at(0).vus_start, k < 3 ? 2 : 1);
    EXPECT_EQ(r.total_requests(), k == 1 ? 4 : 3) << k;
    sum += r.total_requests();
  }
  EXPECT_EQ(sum, 10);
}

TEST(EngineSegments, ASegmentWithNoUserOrIterationIsRefusedBeforeAnyRequest) {
  auto server = TestServer::start(TestServerOptions{});
  ASSERT_TRUE(server.ok());
  Scenario s = scenario((*server)->url(), LoadModel::kClosed, 2, {Stage{seconds(1), 2, "steady"}});
  EngineOptions options;
  options.segment = Segment{3, 3};
  auto r = run_load(s, options, SteadyClock::instance());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("segment 3/3"), std::string::npos) << r.error().message;
  EXPECT_EQ((*server)->requests(), 0);
}

TEST(EngineSegments, ASharedStartInstantBecomesTheResultsWallClockStart) {
  auto server = TestServer::start(TestServerOptions{});
  ASSERT_TRUE(server.ok());
  const Scenario s = scenario((*server)->url(), LoadModel::kOpen, 50, {Stage{milliseconds(200), 50, "steady"}});
  const int64_t now_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const int64_t start_at = now_ms + 700;
  const RunResult r = run_segment(s, Segment{1, 2}, start_at);
  // The wall-clock start is computed from the monotonic clock's offset: equal to within rounding.
  EXPECT_NEAR(static_cast<double>(r.start_unix_ms), static_cast<double>(start_at), 2.0);
  EXPECT_EQ(r.total_requests(), 5);
}

}  // namespace
}  // namespace perfgate
