// `perfgate scenario import` end to end: the testbed's OpenAPI description and a HAR recorded in
// headless Chromium (tests/importers/har/record.sh) become scenarios that validate and run against
// the bundled report service without a single error.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/files.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using nlohmann::json;
using testing::run_perfgate;

const std::string kSource = PERFGATE_SOURCE_DIR;

class ScenarioImport : public testing::TempDirTest {
 protected:
  static void SetUpTestSuite() { testbed = testing::start_testbed("imports", 0.05).release(); }
  static void TearDownTestSuite() {
    delete testbed;
    testbed = nullptr;
  }

  // Runs `scenario` time-scaled to 6 s and returns the result's endpoints, each checked error-free.
  json run_without_errors(const std::string& scenario, const std::string& rate_scale) {
    const auto ran = run_perfgate({"run", scenario, "--target", testbed->base_url(), "--time-scale", "0.1",
                                   "--rate-scale", rate_scale, "--quiet", "--out", path("r.json")});
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
    auto text = read_file(path("r.json"));
    if (!text) {
      ADD_FAILURE() << text.error().message;
      return json::array();
    }
    json endpoints = json::parse(*text)["endpoints"];
    for (const auto& e : endpoints) {
      EXPECT_EQ(e["errors"]["total"], 0) << e["name"] << ": " << e["errors"].dump();
    }
    return endpoints;
  }

  static TestbedProcess* testbed;
};

TestbedProcess* ScenarioImport::testbed = nullptr;

TEST_F(ScenarioImport, TheTestbedsOpenApiDescriptionImportsValidatesAndRunsWithoutErrors) {
  ASSERT_NE(testbed, nullptr);
  auto ran = run_perfgate({"scenario", "import", "--openapi", kSource + "/testbed/openapi.yaml", "--exclude-tag",
                           "jobs", "-o", path("api.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_NE(ran.output.find("wrote 15 endpoint(s)"), std::string::npos) << ran.output;
  ran = run_perfgate({"scenario", "validate", path("api.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  // GET /auth/validate is secured: the imported header takes the token from the environment.
  ::setenv("PERFGATE_API_TOKEN", "tok-42-4112119562", 1);
  const json endpoints = run_without_errors(path("api.json"), "6");
  ::unsetenv("PERFGATE_API_TOKEN");
  EXPECT_EQ(endpoints.size(), 15u);
  for (const auto& e : endpoints) EXPECT_GT(e["requests"].get<int64_t>(), 0) << e["name"];
}

TEST_F(ScenarioImport, TheRecordedBrowserJourneyImportsAndRunsWithoutErrors) {
  ASSERT_NE(testbed, nullptr);
  const auto ran = run_perfgate({"scenario", "import", "--har", kSource + "/tests/importers/har/testbed-journey.har",
                                 "-o", path("journey.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  for (const char* note : {"dropped 1 static asset", "third-party hosts: localhost:", "correlated token",
                           "correlated job_id", "polling loop: 3 x GET /reports/jobs/{{job_id}}"}) {
    EXPECT_NE(ran.output.find(note), std::string::npos) << note << " in " << ran.output;
  }
  const json endpoints = run_without_errors(path("journey.json"), "2");
  bool polled = false;
  for (const auto& e : endpoints) {
    EXPECT_GT(e["requests"].get<int64_t>(), 0) << e["name"];
    if (e["name"] == "testbed-journey/get-reports-jobs") polled = e["requests"].get<int64_t>() > 0;
  }
  EXPECT_TRUE(polled) << "the first iteration's report is new to this service: its job must have been polled";
}

TEST_F(ScenarioImport, BadInputIsExit2NamingTheFileAndEntryAndWritesNothing) {
  const std::string har = path("broken.har");
  ASSERT_TRUE(
      write_file_atomically(har, R"({"log": {"entries": [{"request": {}, "response": {"status": 200}}]}})").ok());
  auto ran = run_perfgate({"scenario", "import", "--har", har, "-o", path("out.json")});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find(har + ":1:34: log.entries[0].request.method: missing"), std::string::npos) << ran.output;
  EXPECT_FALSE(std::filesystem::exists(path("out.json")));

  const std::string spec = path("api.yaml");
  ASSERT_TRUE(write_file_atomically(spec, "openapi: 3.0.0\npaths: {}\n").ok());
  ran = run_perfgate({"scenario", "import", "--openapi", spec, "-o", path("out.json")});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find(spec + ":2:8: paths: nothing importable"), std::string::npos) << ran.output;
  EXPECT_FALSE(std::filesystem::exists(path("out.json")));

  ran = run_perfgate({"scenario", "import", "--har", har, "--openapi", spec, "-o", path("out.json")});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
}

}  // namespace
}  // namespace perfgate
