// Parsing valid scenarios: bundled files, comments and trailing commas, ${ENV} substitution, secrets,
// CSV feeders next to the scenario and the canonical hash.
#include "scenarios/parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace perfgate {
namespace {

const char* const kScenario = R"({
  // a comment
  "name": "hash",
  "target": {"base_url": "http://127.0.0.1:8080/", "headers": {"Authorization": "Bearer abc"}},
  "load": {"model": "open", "start_rps": 1, "stages": [{"duration": "15s", "target_rps": 5, "phase": "warm-up"},
                                                       {"duration": "1m", "target_rps": 5},]},
  /* block
     comment */
  "variables": {"limit": 10, "region": "north",},
  "endpoints": [
    {"name": "reports.sales", "weight": 3, "request": {"path": "/reports/sales?limit={{limit}}", "timeout": "15s"}},
    {"name": "async", "category": "reports", "flow": [
      {"name": "submit", "method": "POST", "path": "/reports/async", "body": {"region": "{{region}}"},
       "expect_status": [200, 202], "extract": [{"variable": "job_id", "json_pointer": "/job_id", "optional": true}]},
      {"name": "poll", "path": "/reports/jobs/{{job_id}}", "run_if_defined": "job_id",
       "poll": {"interval": "200ms", "deadline": "10s", "until": [{"json_pointer": "/status", "equals": "done"}]}},
    ]},
  ],
}
)";

TEST(ParseScenario, ReadsCommentsTrailingCommasAndEveryFieldIntoTheModel) {
  auto result = parse_scenario(kScenario, "dir/hash.json");
  ASSERT_TRUE(result.ok()) << result.error().message;
  const Scenario& s = *result;
  EXPECT_EQ(s.name, "hash");
  EXPECT_EQ(s.base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(s.source_path, "dir/hash.json");
  EXPECT_EQ(s.shape.model, LoadModel::kOpen);
  EXPECT_EQ(s.shape.start_target, 1);
  ASSERT_EQ(s.shape.stages.size(), 2u);
  EXPECT_EQ(s.shape.stages[0].phase, "warm-up");
  EXPECT_EQ(s.duration(), std::chrono::seconds(75));
  EXPECT_EQ(s.variables.at("limit"), "10");
  ASSERT_EQ(s.endpoints.size(), 2u);
  EXPECT_EQ(s.endpoints[0].category, "reports");
  EXPECT_EQ(s.endpoints[0].weight, 3);
  EXPECT_EQ(s.endpoints[0].steps[0].timeout, std::chrono::seconds(15));
  EXPECT_FALSE(s.endpoints[0].is_flow());
  const Endpoint& flow = s.endpoints[1];
  ASSERT_TRUE(flow.is_flow());
  EXPECT_EQ(flow.steps[0].body, R"({"region":"{{region}}"})");
  EXPECT_EQ(flow.steps[0].headers.back(), std::make_pair(std::string("Content-Type"), std::string("application/json")));
  EXPECT_EQ(flow.steps[0].expected_statuses, (std::vector<int>{200, 202}));
  ASSERT_EQ(flow.steps[0].extract.size(), 1u);
  EXPECT_TRUE(flow.steps[0].extract[0].optional);
  ASSERT_TRUE(flow.steps[1].poll.has_value());
  EXPECT_EQ(flow.steps[1].poll->interval, std::chrono::milliseconds(200));
  ASSERT_EQ(flow.steps[1].poll->until.size(), 1u);
  EXPECT_EQ(flow.steps[1].poll->until[0].kind, Condition::Kind::kJsonEquals);
  EXPECT_EQ(flow.steps[1].poll->until[0].value, "\"done\"");
  EXPECT_EQ(flow.steps[1].run_if_defined, "job_id");
  EXPECT_EQ(s.secret_values, (std::vector<std::string>{"Bearer abc", "abc"}));
  EXPECT_EQ(s.hash.size(), 64u);
}

TEST(ParseScenario, GivesTheSameHashWhateverTheWhitespaceCommentsAndFieldOrder) {
  const std::string a =
      R"({"name": "x", "target": {"base_url": "http://h:1"}, "load": {"stages": [{"duration": "1s", "target_rps": 2}]},
                            "endpoints": [{"name": "e", "request": {"path": "/", "method": "GET"}}]})";
  const std::string b =
      "// header comment\n{\n  \"endpoints\": [{\"request\": {\"method\": \"GET\", \"path\": \"/\",}, \"name\": "
      "\"e\"}],\n"
      "  /* c */ \"load\": {\"stages\": [{\"target_rps\": 2, \"duration\": \"1000ms\"}]},\n"
      "  \"target\": {\"base_url\": \"http://h:1/\"},\n  \"name\": \"x\",\n}\n";
  auto ha = parse_scenario(a, "a.json");
  auto hb = parse_scenario(b, "other/b.json");
  ASSERT_TRUE(ha.ok()) << ha.error().message;
  ASSERT_TRUE(hb.ok()) << hb.error().message;
  EXPECT_EQ(ha->hash, hb->hash);
  auto changed = parse_scenario(std::string(a).replace(a.find("\"target_rps\": 2"), 15, "\"target_rps\": 3"), "a.json");
  ASSERT_TRUE(changed.ok());
  EXPECT_NE(changed->hash, ha->hash);
}

TEST(ParseScenario, SubstitutesEnvironmentVariablesAndKeepsSecretsForRedaction) {
  ::setenv("PERFGATE_TEST_HOST", "127.0.0.1:9090", 1);
  ::setenv("PERFGATE_TEST_TOKEN", "s3cr3t", 1);
  ::unsetenv("PERFGATE_TEST_UNSET");
  const std::string text = R"({"name": "env", "target": {"base_url": "http://${PERFGATE_TEST_HOST}",
    "headers": {"X-Api-Key": "${secret:PERFGATE_TEST_TOKEN}", "X-Env": "${PERFGATE_TEST_UNSET:-dev}"}},
    "load": {"stages": [{"duration": "1s", "target_rps": 1}]},
    "endpoints": [{"name": "e", "request": {"path": "/price/$${literal}"}}]})";
  auto result = parse_scenario(text, "env.json");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->base_url, "http://127.0.0.1:9090");
  EXPECT_EQ(result->endpoints[0].steps[0].path, "/price/${literal}");
  ASSERT_EQ(result->headers.size(), 2u);
  EXPECT_EQ(result->headers[0], std::make_pair(std::string("X-Api-Key"), std::string("s3cr3t")));
  EXPECT_EQ(result->headers[1], std::make_pair(std::string("X-Env"), std::string("dev")));
  EXPECT_EQ(result->secret_values, std::vector<std::string>{"s3cr3t"});

  ::setenv("PERFGATE_TEST_TOKEN", "rotated", 1);
  auto rotated = parse_scenario(text, "env.json");
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->hash, result->hash) << "a rotated secret is the same scenario";
}

TEST(ParseScenario, LeavesCommaBracesAndSlashesInsideStringsAlone) {
  auto result = parse_scenario(R"({"name": "s", "target": {"base_url": "http://h"},  // http:// is not a comment
    "load": {"stages": [{"duration": "1s", "target_rps": 1,},],},
    "endpoints": [{"name": "e", "request": {"method": "POST", "path": "/a//b", "body": "x,} /* y */ ,]"}}]})",
                               "s.json");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->base_url, "http://h");
  EXPECT_EQ(result->endpoints[0].steps[0].path, "/a//b");
  EXPECT_EQ(result->endpoints[0].steps[0].body, "x,} /* y */ ,]");
}

TEST(ParseScenario, NamesTheMissingEnvironmentVariable) {
  ::unsetenv("PERFGATE_TEST_MISSING");
  auto result = parse_scenario(R"({"name": "env", "target": {"base_url": "${PERFGATE_TEST_MISSING}"},
    "load": {"stages": [{"duration": "1s", "target_rps": 1}]}, "endpoints": [{"name": "e", "request": {"path": "/"}}]})",
                               "env.json");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(result.error().message,
            "env.json:1:40: target.base_url: environment variable PERFGATE_TEST_MISSING is not set; export it or "
            "write ${PERFGATE_TEST_MISSING:-default}");
}

TEST(ParseScenario, LoadsCsvFeedersRelativeToTheScenarioAndDefinesTheirColumns) {
  const auto dir = std::filesystem::temp_directory_path() / ("perfgate_feeder_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "data");
  std::ofstream(dir / "data" / "users.csv") << "user_id,region\n1,north\n2,\"south, far\"\n";
  std::ofstream(dir / "s.json") << R"({"name": "f", "target": {"base_url": "http://h"},
    "load": {"model": "closed", "think_time": "1s", "stages": [{"duration": "1s", "target_vus": 2}]},
    "feeders": [{"file": "data/users.csv", "order": "random"}],
    "endpoints": [{"name": "e", "request": {"path": "/users/{{user_id}}?r={{ region }}"}}]})";
  auto result = load_scenario_file((dir / "s.json").string());
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->feeders.size(), 1u);
  EXPECT_TRUE(result->feeders[0].random_order);
  EXPECT_EQ(result->feeders[0].columns, (std::vector<std::string>{"user_id", "region"}));
  EXPECT_EQ(result->feeders[0].rows[1][1], "south, far");
  EXPECT_EQ(result->shape.model, LoadModel::kClosed);
  EXPECT_EQ(result->shape.think_time, std::chrono::seconds(1));

  std::ofstream(dir / "data" / "users.csv") << "user_id,region\n1,north\n2\n";
  auto ragged = load_scenario_file((dir / "s.json").string());
  ASSERT_FALSE(ragged.ok());
  EXPECT_EQ(ragged.error().message,
            (dir / "data" / "users.csv").string() +
                ":3: row has 1 fields but the header has 2; every row needs one value per column");
  std::filesystem::remove_all(dir);
}

TEST(BundledScenarios, EveryBundledScenarioParsesAndValidates) {
  const std::vector<std::string> names = list_bundled_scenarios();
  for (const char* expected : {"normal", "peak", "stress", "spike", "soak", "demo", "stream-export", "async-report",
                               "dashboard", "seed001-load", "seed001-leak"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    auto result = load_scenario_file(name);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->name, name);
    EXPECT_FALSE(result->endpoints.empty());
    EXPECT_GT(result->duration().count(), 0);
  }
}

TEST(BundledScenarios, MatchSeed004Numbers) {
  auto peak = load_scenario_file("peak");
  ASSERT_TRUE(peak.ok()) << peak.error().message;
  EXPECT_EQ(peak->duration(), std::chrono::minutes(30));
  EXPECT_EQ(peak->shape.stages[0].duration, std::chrono::minutes(10));
  EXPECT_NEAR(peak->shape.stages.back().target, 200.0 / 6.0, 0.01);
  auto soak = load_scenario_file("soak");
  ASSERT_TRUE(soak.ok());
  EXPECT_EQ(soak->duration(), std::chrono::hours(8));
  auto leak = load_scenario_file("seed001-leak");
  ASSERT_TRUE(leak.ok());
  EXPECT_EQ(leak->shape.model, LoadModel::kClosed);
  EXPECT_EQ(leak->shape.max_iterations, 100);
}

TEST(LoadScenarioFile, ExplainsAnUnknownBareName) {
  auto result = load_scenario_file("no-such-scenario");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(result.error().message.find("bundled: "), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("peak"), std::string::npos) << result.error().message;
}

}  // namespace
}  // namespace perfgate
