// Integration: the built `perfgate profile` binary against a real helper process.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/run_result_io.h"
#include "helper_process.h"

namespace perfgate {
namespace {

int run(const std::string& args) {
  const std::string cmd = std::string(PERFGATE_BINARY) + " " + args + " >/dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("perfgate-profile-" + std::to_string(getpid()) + "-" + name))
      .string();
}

TEST(ProfileCommand, WritesAProfileOnlyResultThatReadsBack) {
  testing::HelperProcess helper({"grow", "10", "10", "30", "100000"});
  ASSERT_EQ(helper.read_line(), "start");
  ASSERT_EQ(helper.read_line(), "peak");
  const std::string out = temp_path("ok.json");
  ASSERT_EQ(run("profile --pid " + std::to_string(helper.pid()) + " --duration 400ms --interval 50ms --out " + out), 0);
  auto result = read_run_result(out);
  std::filesystem::remove(out);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->endpoints.empty());
  EXPECT_EQ(result->model, LoadModel::kClosed);
  ASSERT_TRUE(result->profile.has_value());
  ASSERT_EQ(result->profile->processes.size(), 1u);
  EXPECT_EQ(result->profile->processes[0].pid, helper.pid());
  EXPECT_GE(result->profile->summary.samples, 2);
  EXPECT_GT(result->profile->summary.peak_rss_bytes, 30 * 1024 * 1024);
  EXPECT_EQ(result->profile->phases.count("profile"), 1u);
}

TEST(ProfileCommand, ExitsWithUsageErrorForAPidThatDoesNotExist) {
  pid_t gone = 0;
  {
    testing::HelperProcess h({"exit_after", "0"});
    gone = h.pid();
  }
  const std::string out = temp_path("missing.json");
  EXPECT_EQ(run("profile --pid " + std::to_string(gone) + " --duration 200ms --out " + out), 2);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ProfileCommand, ExitsWithUsageErrorForABadDuration) {
  EXPECT_EQ(run("profile --pid 1 --duration 10 --out " + temp_path("bad.json")), 2);
}

}  // namespace
}  // namespace perfgate
