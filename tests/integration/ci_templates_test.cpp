// The CI templates of examples/ci/ parse as YAML (yaml-cpp) with the structure their CI expects, and
// their perfgate steps, run by bash as the CI would, work against the bundled report service on a
// real PostgreSQL: run (spawning the testbed), analyze, gate (JUnit, Markdown, the job summary),
// report, history. The GitHub workflow runs twice, so its second gate pools the history the first
// run added.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "integration/testbed_run.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;
using testing::shell_quote;

const fs::path kTemplates = fs::path(PERFGATE_SOURCE_DIR) / "examples" / "ci";

struct Ran {
  int exit_code = -1;
  std::string output;
};

class CiTemplates : public testing::TempDirTest {
 protected:
  static void SetUpTestSuite() {
    // Creates and seeds the database once (with pg_stat_statements); the templates spawn their own service.
    delete testing::start_testbed("ci", 0.05).release();
  }

  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directory_symlink(fs::path(PERFGATE_SOURCE_DIR) / "budgets", dir_ / "budgets");
    const int port = testing::free_port();
    env_ = {{"PATH", fs::path(PERFGATE_BINARY).parent_path().string() + ":" + std::getenv("PATH")},
            {"PG_DSN", testing::shared_cluster()->dsn("ci")},
            {"TESTBED_PORT", std::to_string(port)},
            {"PERFGATE_TARGET", "http://127.0.0.1:" + std::to_string(port)}};
  }

  // Runs `script` with bash -e in the test's directory with the template's variables, then ours.
  Ran run_script(const std::string& script, const std::map<std::string, std::string>& variables) {
    std::string text = "set -eo pipefail\n";
    std::map<std::string, std::string> all = variables;
    for (const auto& [k, v] : env_) all[k] = v;
    for (const auto& [k, v] : all) text += "export " + k + "=" + shell_quote(v) + "\n";
    text += script + "\n";
    std::ofstream(path("step.sh")) << text;
    const int status = std::system(("cd " + shell_quote(dir_.string()) + " && bash step.sh >step.log 2>&1").c_str());
    std::ifstream log(path("step.log"));
    std::stringstream ss;
    ss << log.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ss.str()};
  }

  std::string file(const std::string& name) {
    std::ifstream in(path(name));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::map<std::string, std::string> env_;
};

std::map<std::string, std::string> mapping(const YAML::Node& node) {
  std::map<std::string, std::string> out;
  if (node && node.IsMap()) {
    for (const auto& kv : node) out[kv.first.Scalar()] = kv.second.Scalar();
  }
  return out;
}

TEST_F(CiTemplates, TheGithubWorkflowRunsAnalyzesGatesAndKeepsHistory) {
  const YAML::Node workflow = YAML::LoadFile((kTemplates / "github-actions.yml").string());
  ASSERT_TRUE(workflow["on"]["pull_request"]) << "runs on pull requests";
  const YAML::Node job = workflow["jobs"]["perf"];
  ASSERT_TRUE(job["services"]["postgres"]["image"]);
  const YAML::Node steps = job["steps"];
  ASSERT_TRUE(steps.IsSequence());
  std::map<std::string, std::string> variables = mapping(workflow["env"]);
  variables["GITHUB_SHA"] = "0123abcd";
  variables["GITHUB_REF_NAME"] = "main";
  variables["GITHUB_STEP_SUMMARY"] = path("summary.md");
  bool uploads = false, restores_history = false;
  for (const auto& step : steps) {
    const std::string uses = step["uses"] ? step["uses"].Scalar() : "";
    uploads |= uses.rfind("actions/upload-artifact", 0) == 0 && step["with"]["path"].Scalar() == "results/";
    restores_history |=
        uses.rfind("actions/cache/restore", 0) == 0 && step["with"]["path"].Scalar() == "perfgate-history";
  }
  EXPECT_TRUE(uploads) << "results are kept as artifacts";
  EXPECT_TRUE(restores_history) << "the history is restored from the cache";

  for (int pass = 1; pass <= 2; ++pass) {
    int perfgate_steps = 0;
    for (const auto& step : steps) {
      if (!step["run"]) continue;
      const std::string script = step["run"].Scalar();
      if (script.find("perfgate ") == std::string::npos || script.find("cmake ") != std::string::npos) continue;
      ++perfgate_steps;
      const std::string name = step["name"].Scalar();
      const Ran ran = run_script(script, variables);
      const bool is_gate = step["id"] && step["id"].Scalar() == "gate";
      // The gate may fail the build (1: a budget broke); nothing may be a usage error or a tool failure.
      EXPECT_TRUE(ran.exit_code == 0 || (is_gate && ran.exit_code == 1))
          << "pass " << pass << ", step " << name << " exited " << ran.exit_code << ":\n"
          << ran.output;
      if (is_gate && pass == 2) {
        EXPECT_NE(ran.output.find("baseline pooled from history main"), std::string::npos) << ran.output;
      }
    }
    EXPECT_EQ(perfgate_steps, 5) << "run, analyze, gate, report, history add";
  }
  EXPECT_NE(file("results/gate.xml").find("<testsuite"), std::string::npos);
  EXPECT_NE(file("results/report.html").find("<html"), std::string::npos);
  EXPECT_NE(file("results/queries.json").find("\"findings\""), std::string::npos) << file("results/queries.json");
  // The gate's Markdown and the run's report were both appended to the job summary.
  EXPECT_GE(file("summary.md").size(), 200u);
  EXPECT_TRUE(fs::is_directory(path("perfgate-history")));
}

TEST_F(CiTemplates, TheGitlabJobRunsAndReportsJunit) {
  const YAML::Node root = YAML::LoadFile((kTemplates / "gitlab-ci.yml").string());
  const YAML::Node job = root["performance"];
  ASSERT_TRUE(job.IsMap());
  EXPECT_EQ(job["artifacts"]["reports"]["junit"].Scalar(), "results/gate.xml");
  EXPECT_EQ(job["artifacts"]["when"].Scalar(), "always");
  EXPECT_EQ(job["cache"]["paths"][0].Scalar(), "perfgate-history/");
  std::map<std::string, std::string> variables = mapping(job["variables"]);
  variables["CI_COMMIT_SHA"] = "0123abcd";
  variables["CI_COMMIT_REF_NAME"] = "main";
  variables["CI_DEFAULT_BRANCH"] = "main";
  std::string script;
  for (const auto& line : job["script"]) script += line.Scalar() + "\n";
  const Ran ran = run_script(script, variables);
  EXPECT_TRUE(ran.exit_code == 0 || ran.exit_code == 1) << "exited " << ran.exit_code << ":\n" << ran.output;
  EXPECT_NE(file("results/gate.xml").find("<testsuite"), std::string::npos);
  EXPECT_TRUE(fs::exists(path("results/report.html")));
  EXPECT_NE(ran.output.find("added run 1 (branch main, commit 0123abcd)"), std::string::npos) << ran.output;
}

}  // namespace
}  // namespace perfgate
