// Secrets never leave perfgate: credentials given on the command line (headers, URL userinfo),
// through a scenario's ${secret:VAR} values, or in a PostgreSQL DSN appear in none of stdout,
// stderr, the result JSON, and the HTML and Markdown reports rendered from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/files.h"
#include "loadgen/support/test_server.h"
#include "reliability/support/perfgate_process.h"

namespace perfgate {
namespace {

const std::vector<std::string> kSecrets = {"SECRET123",       "SECRET456",  "SECRET_SCENARIO_777",
                                           "SECRET_PATH_888", "URLPASS321", "PASSWORD789"};

class Secrets : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("perfgate-secrets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto server = testing::TestServer::start(testing::TestServerOptions{});
    ASSERT_TRUE(server.ok());
    server_ = std::move(*server);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Fails the test for every secret found in `text`, naming where.
  static void expect_clean(const std::string& text, const std::string& where) {
    for (const auto& s : kSecrets) EXPECT_EQ(text.find(s), std::string::npos) << s << " leaked into " << where;
  }
  void expect_clean_run(const testing::ProcessOutcome& o, const std::string& what) {
    expect_clean(o.out, what + " stdout");
    expect_clean(o.err, what + " stderr");
  }
  // Renders the result as HTML and Markdown and checks both, and the result itself.
  void expect_clean_outputs(const std::string& result, const std::string& what) {
    auto json = read_file(result);
    ASSERT_TRUE(json.ok()) << what << ": " << json.error().message;
    expect_clean(*json, what + " result JSON");
    for (const std::string format : {"html", "markdown"}) {
      const std::string report = path(what + "." + format);
      const auto o = testing::run_perfgate({"report", result, "-o", report, "--format", format}, dir_.string());
      ASSERT_EQ(o.exit_code, 0) << o.err;
      expect_clean_run(o, what + " report " + format);
      auto text = read_file(report);
      ASSERT_TRUE(text.ok());
      expect_clean(*text, what + " " + format + " report");
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(Secrets, HeaderAndUrlCredentialsStayOutOfEveryOutput) {
  const std::string out = path("quick.json");
  // Without --quiet, so the live progress on stderr is checked too.
  const auto o = testing::run_perfgate(
      {"run", "--url", server_->url() + "/reports", "--rate", "20", "--duration", "1500ms", "--threads", "1", "-H",
       "Authorization: Bearer SECRET123", "-H", "Cookie: sid=SECRET456", "--out", out},
      dir_.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  expect_clean_run(o, "run");
  expect_clean_outputs(out, "quick");

  // Credentials in a URL are refused, and the refusal does not repeat them; nor does a mistyped header.
  const std::string with_password = "http://user:URLPASS321@127.0.0.1:" + std::to_string(server_->port()) + "/r";
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"run", "--url", with_password, "--rate", "5", "--duration", "1s", "--quiet"},
        std::vector<std::string>{"run", "--url", server_->url(), "--rate", "5", "--duration", "1s", "--quiet", "-H",
                                 "Authorization Bearer SECRET123"},
        std::vector<std::string>{"run", "demo", "--target", "https://u:URLPASS321@127.0.0.1:1", "--quiet"},
        std::vector<std::string>{"scenario", "validate", "demo", "--target", "http://u:URLPASS321@127.0.0.1:1"}}) {
    const auto refused = testing::run_perfgate(bad, dir_.string());
    EXPECT_EQ(refused.exit_code, 2) << refused.err;
    EXPECT_FALSE(refused.err.empty());
    expect_clean_run(refused, "refused " + bad[2]);
  }
}

TEST_F(Secrets, ScenarioSecretValuesStayOutOfEveryOutput) {
  const std::string scenario = path("secret-scenario.json");
  std::ofstream(scenario) << R"({
  "name": "secrets",
  "target": {
    "base_url": ")" << server_->url()
                          << R"(",
    "headers": {"Authorization": "Bearer ${secret:PERFGATE_TEST_TOKEN}", "X-Custom": "${secret:PERFGATE_TEST_TOKEN}"},
    "timeout": "2s"
  },
  "load": {"model": "open", "stages": [{"duration": "1s", "target_rps": 10}]},
  "endpoints": [{"name": "reports.sales", "request": {"path": "/reports?key=${secret:PERFGATE_TEST_PATH}"}}]
})";
  testing::ProcessOptions env;
  env.extra_env = {"PERFGATE_TEST_TOKEN=SECRET_SCENARIO_777", "PERFGATE_TEST_PATH=SECRET_PATH_888"};
  const std::string out = path("scenario.json");
  const auto o = testing::run_perfgate({"run", scenario, "--out", out}, dir_.string(), env);
  ASSERT_EQ(o.exit_code, 0) << o.err;
  expect_clean_run(o, "scenario run");
  expect_clean_outputs(out, "scenario");
  const auto v = testing::run_perfgate({"scenario", "validate", scenario}, dir_.string(), env);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  expect_clean_run(v, "scenario validate");
}

TEST_F(Secrets, DsnPasswordStaysOutOfAnalyzeAndProfileErrors) {
  const std::string dsn = "postgresql://u:PASSWORD789@127.0.0.1:1/x";
  const auto a =
      testing::run_perfgate({"analyze", "--pg", dsn, "--aggregate", "--out", path("findings.json")}, dir_.string());
  EXPECT_EQ(a.exit_code, 3) << a.err;
  EXPECT_FALSE(a.err.empty());
  expect_clean_run(a, "analyze");
  const auto k = testing::run_perfgate(
      {"analyze", "--aggregate", "--pg", "host=127.0.0.1 port=1 user=u password=PASSWORD789 dbname=x"}, dir_.string());
  EXPECT_EQ(k.exit_code, 3) << k.err;
  expect_clean_run(k, "analyze keyword DSN");
  const std::string profile = path("profile.json");
  const auto p =
      testing::run_perfgate({"profile", "--pg", dsn, "--duration", "300ms", "--out", profile}, dir_.string());
  expect_clean_run(p, "profile");
  if (std::filesystem::exists(profile)) {
    auto json = read_file(profile);
    ASSERT_TRUE(json.ok());
    expect_clean(*json, "profile result");
  }
}

}  // namespace
}  // namespace perfgate
