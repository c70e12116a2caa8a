#include "loadgen/transport.h"

#include <gtest/gtest.h>

#include "run_plan.h"

namespace perfgate {
namespace {

TEST(TargetUrl, ParsesSchemeHostPortAndPrefix) {
  auto t = TargetUrl::parse("http://user:pw@127.0.0.1:8080/api/");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->scheme, "http");
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 8080);
  EXPECT_EQ(t->path_prefix, "/api");
  EXPECT_EQ(t->host_header(), "127.0.0.1:8080");
  EXPECT_EQ(t->origin(), "http://127.0.0.1:8080");

  auto https = TargetUrl::parse("https://[::1]");
  ASSERT_TRUE(https.ok());
  EXPECT_EQ(https->host, "::1");
  EXPECT_EQ(https->port, 443);
  EXPECT_EQ(https->host_header(), "[::1]");
}

TEST(TargetUrl, RejectsOtherSchemesBadPortsAndMissingHosts) {
  for (const char* bad :
       {"ftp://x", "127.0.0.1:80", "http://:80", "http://h:0", "http://h:99999", "http://h:8x", "http://[::1"}) {
    auto t = TargetUrl::parse(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidInput);
  }
}

TEST(OutcomeForStatus, ExpectedStatusesDecideSuccess) {
  EXPECT_EQ(outcome_for_status(200, {}), Outcome::kOk);
  EXPECT_EQ(outcome_for_status(302, {}), Outcome::kOk);
  EXPECT_EQ(outcome_for_status(404, {}), Outcome::kStatus4xx);
  EXPECT_EQ(outcome_for_status(503, {}), Outcome::kStatus5xx);
  EXPECT_EQ(outcome_for_status(404, {200, 404}), Outcome::kOk);
  EXPECT_EQ(outcome_for_status(200, {201}), Outcome::kStatus5xx);
}

Scenario one_endpoint(const std::string& path) {
  Scenario s;
  s.base_url = "http://127.0.0.1:8080/base";
  Endpoint e;
  e.name = "a";
  RequestTemplate r;
  r.path = path;
  e.steps.push_back(r);
  s.endpoints.push_back(e);
  s.shape.start_target = 100;
  s.shape.stages.push_back(Stage{std::chrono::seconds(1), 100, ""});
  return s;
}

TEST(RunPlan, SubstitutesConstantsAndJoinsThePrefix) {
  Scenario s = one_endpoint("/r/{{ region }}");
  s.variables["region"] = "eu";
  auto plan = make_run_plan(s, EngineOptions{});
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->endpoints[0].steps[0].spec.path, "/base/r/eu");
  EXPECT_EQ(plan->total_connections, 100);
}

TEST(RunPlan, RejectsWhatTheEngineCannotRunNamingTheEndpoint) {
  auto absolute = make_run_plan(one_endpoint("http://elsewhere/x"), EngineOptions{});
  ASSERT_FALSE(absolute.ok());
  EXPECT_NE(absolute.error().message.find("endpoints[0] (a)"), std::string::npos);
  Scenario both = one_endpoint("/");
  both.endpoints[0].steps[0].poll = PollSpec{};
  both.endpoints[0].steps[0].stream = StreamSpec{};
  EXPECT_FALSE(make_run_plan(both, EngineOptions{}).ok());
  Scenario no_weight = one_endpoint("/");
  no_weight.endpoints[0].weight = 0;
  EXPECT_FALSE(make_run_plan(no_weight, EngineOptions{}).ok());
}

TEST(RunPlan, PlainStepsStayPreparedAndTemplatedOnesCarryAFlowPlan) {
  auto plain = make_run_plan(one_endpoint("/r"), EngineOptions{});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->endpoints[0].steps[0].flow, nullptr);
  EXPECT_FALSE(plain->endpoints[0].dynamic);
  Scenario templated = one_endpoint("/r/{{user_id}}");
  templated.random.push_back(RandomRange{"user_id", 1, 5});
  auto planned = make_run_plan(templated, EngineOptions{});
  ASSERT_TRUE(planned.ok()) << planned.error().message;
  ASSERT_NE(planned->endpoints[0].steps[0].flow, nullptr);
  EXPECT_TRUE(planned->endpoints[0].steps[0].flow->templated);
  EXPECT_TRUE(planned->endpoints[0].dynamic);
}

}  // namespace
}  // namespace perfgate
