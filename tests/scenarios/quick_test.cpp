// Quick mode, CI scaling and --target overrides.
#include <gtest/gtest.h>

#include "scenarios/parser.h"

namespace perfgate {
namespace {

TEST(ScenarioFromQuick, BuildsAnOpenModelScenarioFromAUrlAndARate) {
  QuickOptions options;
  options.url = "http://127.0.0.1:8080/reports/sales?limit=10";
  options.rate = 50;
  options.duration = std::chrono::seconds(30);
  options.headers = {"Authorization: Bearer t0k", "X-Trace:  1 "};
  auto result = scenario_from_quick(options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->base_url, "http://127.0.0.1:8080");
  ASSERT_EQ(result->endpoints.size(), 1u);
  const Endpoint& e = result->endpoints[0];
  EXPECT_EQ(e.name, "GET /reports/sales");
  EXPECT_EQ(e.category, "reports");
  EXPECT_EQ(e.steps[0].path, "/reports/sales?limit=10");
  EXPECT_EQ(e.steps[0].headers[1], std::make_pair(std::string("X-Trace"), std::string("1")));
  EXPECT_EQ(result->shape.model, LoadModel::kOpen);
  EXPECT_EQ(result->shape.start_target, 50);
  EXPECT_EQ(result->duration(), std::chrono::seconds(30));
  EXPECT_EQ(result->secret_values, (std::vector<std::string>{"Bearer t0k", "t0k"}));
  EXPECT_EQ(result->hash.size(), 64u);
}

// A preview deployment on another host:port runs the same workload; another path or query does not.
TEST(ScenarioFromQuick, TheWorkloadHashCoversPathAndQueryButNotHostAndPort) {
  auto make = [](const std::string& url) {
    QuickOptions options;
    options.url = url;
    options.rate = 50;
    options.duration = std::chrono::seconds(30);
    auto s = scenario_from_quick(options);
    EXPECT_TRUE(s.ok()) << url;
    return *s;
  };
  const Scenario a = make("http://127.0.0.1:8080/reports/sales?limit=10");
  const Scenario moved = make("https://preview-42.example.test:9443/reports/sales?limit=10");
  EXPECT_EQ(a.workload_hash.size(), 64u);
  EXPECT_EQ(a.workload_hash, moved.workload_hash);
  EXPECT_NE(a.hash, moved.hash) << "the scenario hash still names the target";
  EXPECT_NE(a.workload_hash, make("http://127.0.0.1:8080/reports/sales?limit=20").workload_hash);
  EXPECT_NE(a.workload_hash, make("http://127.0.0.1:8080/reports/daily?limit=10").workload_hash);
}

TEST(ScenarioFromQuick, BuildsAClosedModelScenarioFromVirtualUsers) {
  QuickOptions options;
  options.url = "http://[::1]:9000";
  options.vus = 4;
  auto result = scenario_from_quick(options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->shape.model, LoadModel::kClosed);
  EXPECT_EQ(result->shape.stages[0].target, 4);
  EXPECT_EQ(result->endpoints[0].steps[0].path, "/");
}

TEST(ScenarioFromQuick, NamesTheFlagInEveryError) {
  struct Case {
    QuickOptions options;
    std::string message;
  };
  auto base = [] {
    QuickOptions o;
    o.url = "http://127.0.0.1:8080/health";
    o.rate = 10;
    return o;
  };
  std::vector<Case> cases;
  cases.push_back({base(), ""});
  cases.back().options.rate = -5;
  cases.back().message = "--rate: must be > 0 (got -5)";
  cases.push_back({base(), ""});
  cases.back().options.url = "127.0.0.1:8080/health";
  cases.back().message = "--url: must be an absolute http(s) URL";
  cases.push_back({base(), ""});
  cases.back().options.vus = 3;
  cases.back().message = "--vus: cannot be combined with --rate";
  cases.push_back({base(), ""});
  cases.back().options.rate.reset();
  cases.back().message = "--rate: one of --rate";
  cases.push_back({base(), ""});
  cases.back().options.duration = std::chrono::microseconds(0);
  cases.back().message = "--duration: must be > 0";
  cases.push_back({base(), ""});
  cases.back().options.method = "YEET";
  cases.back().message = "--method: must be one of";
  cases.push_back({base(), ""});
  cases.back().options.headers = {"NoColon"};
  cases.back().message = "--header: must be \"Name: value\" (got \"NoColon\")";
  cases.push_back({base(), ""});
  cases.back().options.timeout = std::chrono::microseconds(-1);
  cases.back().message = "--timeout: must be > 0";
  cases.push_back({base(), ""});
  cases.back().options.connections = -1;
  cases.back().message = "--connections: must be >= 0 (got -1)";
  for (const Case& c : cases) {
    auto result = scenario_from_quick(c.options);
    ASSERT_FALSE(result.ok()) << c.message;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(result.error().message.rfind(c.message, 0), 0u) << result.error().message;
  }
}

TEST(ApplyScaling, ScalesDurationsAndTargetsAndRehashes) {
  auto scenario = load_scenario_file("peak");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message;
  const std::string before = scenario->hash;
  ASSERT_TRUE(apply_scaling(*scenario, 1.0 / 30, 0.5).ok());
  EXPECT_EQ(scenario->duration(), std::chrono::seconds(60));
  EXPECT_EQ(scenario->shape.stages[0].duration, std::chrono::seconds(20));
  EXPECT_NEAR(scenario->shape.stages[1].target, 33.33 / 2, 0.01);
  EXPECT_NE(scenario->hash, before);
}

TEST(ApplyScaling, KeepsAtLeastOneVirtualUserAndRoundsToWholeUsers) {
  QuickOptions options;
  options.url = "http://127.0.0.1:1/";
  options.vus = 3;
  auto scenario = scenario_from_quick(options);
  ASSERT_TRUE(scenario.ok());
  ASSERT_TRUE(apply_scaling(*scenario, 1, 0.1).ok());
  EXPECT_EQ(scenario->shape.stages[0].target, 1);
  ASSERT_TRUE(apply_scaling(*scenario, 1, 2.6).ok());
  EXPECT_EQ(scenario->shape.stages[0].target, 3);
}

TEST(ApplyScaling, RejectsNonPositiveFactorsNamingTheFlag) {
  Scenario scenario;
  Status time = apply_scaling(scenario, 0, 1);
  ASSERT_FALSE(time.ok());
  EXPECT_EQ(time.error().message.rfind("--time-scale: must be > 0 (got 0)", 0), 0u) << time.error().message;
  Status rate = apply_scaling(scenario, 1, -2);
  ASSERT_FALSE(rate.ok());
  EXPECT_EQ(rate.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(rate.error().message.rfind("--rate-scale: must be > 0 (got -2)", 0), 0u) << rate.error().message;
}

TEST(OverrideTarget, ReplacesTheBaseUrlOrNamesTheFlag) {
  auto scenario = load_scenario_file("demo");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message;
  const std::string before = scenario->hash;
  const std::string workload = scenario->workload_hash;
  ASSERT_TRUE(override_target(*scenario, "http://127.0.0.1:18080/").ok());
  EXPECT_EQ(scenario->base_url, "http://127.0.0.1:18080");
  EXPECT_NE(scenario->hash, before);
  EXPECT_EQ(scenario->workload_hash, workload) << "another target is the same workload";
  Status bad = override_target(*scenario, "ftp://x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message.rfind("--target: must be http(s)://host[:port]", 0), 0u) << bad.error().message;
}

}  // namespace
}  // namespace perfgate
