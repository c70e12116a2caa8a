// The bundled seed 001 and 002 scenarios, time-scaled to a few seconds, against the real report
// service on a real PostgreSQL.
#include <gtest/gtest.h>

#include "core/child_processes.h"
#include "loadgen/engine.h"
#include "scenarios/parser.h"
#include "testbed/pg_cluster.h"
#include "testbed/testbed_process.h"

namespace perfgate {
namespace {

class BundledFlows : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    install_child_cleanup_on_signals();
    auto cluster = PgCluster::start();
    ASSERT_TRUE(cluster.ok()) << cluster.error().message;
    cluster_ = std::move(*cluster).release();
    TestbedProcessOptions options;
    options.binary = PERFGATE_TESTBED_BINARY;
    options.dsn = cluster_->dsn();
    options.scale = 0.05;
    auto service = TestbedProcess::start(options);
    ASSERT_TRUE(service.ok()) << service.error().message;
    service_ = std::move(*service).release();
  }
  static void TearDownTestSuite() {
    delete service_;
    delete cluster_;
  }

  static RunResult run_bundled(const std::string& name, double time_scale) {
    auto s = load_scenario_file(name);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    if (!s.ok() || service_ == nullptr) return RunResult{};
    EXPECT_TRUE(apply_scaling(*s, time_scale, 1.0).ok());
    EXPECT_TRUE(override_target(*s, service_->base_url()).ok());
    EngineOptions options;
    options.threads = 2;
    auto r = run_load(*s, options, SteadyClock::instance());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(*r) : RunResult{};
  }

  static const EndpointStats* named(const RunResult& r, const std::string& name) {
    for (const auto& e : r.endpoints) {
      if (e.name == name) return &e;
    }
    ADD_FAILURE() << "no endpoint " << name;
    return nullptr;
  }

  static PgCluster* cluster_;
  static TestbedProcess* service_;
};

PgCluster* BundledFlows::cluster_ = nullptr;
TestbedProcess* BundledFlows::service_ = nullptr;

TEST_F(BundledFlows, AsyncReportPollsJobsTalliesTheCacheAndHasNoErrors) {
  const RunResult r = run_bundled("async-report", 0.05);
  const EndpointStats* flow = named(r, "reports.async");
  const EndpointStats* poll = named(r, "reports.async/poll");
  ASSERT_NE(flow, nullptr);
  ASSERT_NE(poll, nullptr);
  EXPECT_GT(flow->requests, 5);
  EXPECT_EQ(flow->errors.total, 0) << flow->errors.by_category.size();
  ASSERT_TRUE(flow->tallies.count("cache"));
  EXPECT_GT(flow->tallies.at("cache").at("miss"), 0);
  ASSERT_TRUE(poll->metrics.count("polls"));
  EXPECT_GE(poll->metrics.at("polls").histogram.min(), 1);
  ASSERT_TRUE(poll->metrics.count("poll_time_us"));
  EXPECT_EQ(named(r, "reports.async/result")->errors.total, 0);
}

TEST_F(BundledFlows, StreamExportTimesEventsAndCompletesWithoutErrors) {
  const RunResult r = run_bundled("stream-export", 0.05);
  const EndpointStats* e = named(r, "reports.export_stream");
  ASSERT_NE(e, nullptr);
  EXPECT_GT(e->requests, 0);
  EXPECT_EQ(e->errors.total, 0);
  for (const char* m : {"time_to_first_byte_us", "time_to_first_event_us", "events", "completion_us", "progress"}) {
    EXPECT_TRUE(e->metrics.count(m)) << m;
  }
  if (e->metrics.count("events")) {
    EXPECT_GE(e->metrics.at("events").histogram.min(), 21);  // 10 rows + 10 progress + done
  }
  if (e->metrics.count("progress")) {
    EXPECT_EQ(e->metrics.at("progress").histogram.min(), 100);
  }
}

TEST_F(BundledFlows, DashboardJourneyRendersRandomIdsAndHasNoErrors) {
  const RunResult r = run_bundled("dashboard", 0.05);
  const EndpointStats* flow = named(r, "dashboard");
  ASSERT_NE(flow, nullptr);
  EXPECT_GT(flow->requests, 0);
  // At --scale 0.05 the service has 10 sprints and the scenario draws sprint ids 1..50 (200 at full
  // scale): those lookups answer 404. Every other step, the extracted token included, must succeed.
  for (const auto& e : r.endpoints) {
    if (e.name == "dashboard" || e.name == "dashboard/sprint") {
      EXPECT_EQ(e.errors.total, e.errors.by_category.count("status_4xx") ? e.errors.by_category.at("status_4xx") : 0);
    } else {
      EXPECT_EQ(e.errors.total, 0) << e.name;
    }
  }
  EXPECT_GT(named(r, "dashboard/validate")->requests, 0);
}

}  // namespace
}  // namespace perfgate
