// The built `perfgate run` binary in quick mode against the loopback test server.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/files.h"
#include "core/run_result_io.h"
#include "loadgen/support/test_server.h"

extern char** environ;

namespace perfgate {
namespace {

using std::chrono::milliseconds;

struct Child {
  pid_t pid = -1;
};

Child spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string binary = PERFGATE_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  Child c;
  EXPECT_EQ(posix_spawn(&c.pid, binary.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return c;
}

int wait_exit(const Child& c) {
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_binary(const std::vector<std::string>& args) { return wait_exit(spawn(args)); }

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("perfgate-run-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(RunCommand, QuickModeWritesAValidResultWithSecretsRedacted) {
  testing::TestServerOptions so;
  so.delay = milliseconds(1);
  auto server = testing::TestServer::start(so);
  ASSERT_TRUE(server.ok());
  const std::string out = path("r.json");
  ASSERT_EQ(run_binary({"run", "--url", (*server)->url() + "/reports/sales", "--rate", "100", "--duration", "1s",
                        "--threads", "2", "--quiet", "--out", out, "-H", "Authorization: Bearer s3cret"}),
            0);
  auto result = read_run_result(out);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->total_requests(), 100);
  EXPECT_EQ(result->total_errors(), 0);
  EXPECT_EQ(result->status, RunStatus::kComplete);
  EXPECT_FALSE(result->partial);
  EXPECT_NEAR(result->achieved_rps, 100, 1);
  EXPECT_FALSE(result->context.host.empty());
  EXPECT_NE(result->context.command_line.find("--rate 100"), std::string::npos);
  EXPECT_EQ(result->context.command_line.find("s3cret"), std::string::npos);
  EXPECT_EQ((*server)->requests(), 100);
}

TEST_F(RunCommand, VirtualUsersRunTheClosedModel) {
  testing::TestServerOptions so;
  so.delay = milliseconds(2);
  auto server = testing::TestServer::start(so);
  ASSERT_TRUE(server.ok());
  const std::string out = path("c.json");
  ASSERT_EQ(run_binary({"run", "--url", (*server)->url(), "--vus", "3", "--duration", "1s", "--quiet", "--out", out}),
            0);
  auto result = read_run_result(out);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->model, LoadModel::kClosed);
  EXPECT_FALSE(result->target_rps.has_value());
  // Three users waiting >= 2 ms per response cannot exceed 1500 requests in 1 s.
  EXPECT_GT(result->total_requests(), 30);
  EXPECT_LE(result->total_requests(), 1500);
  EXPECT_EQ(result->total_errors(), 0);
}

TEST_F(RunCommand, UnreachableTargetExitsWithToolFailure) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::unused_port());
  EXPECT_EQ(
      run_binary({"run", "--url", url, "--rate", "20", "--duration", "500ms", "--quiet", "--out", path("u.json")}), 3);
  EXPECT_TRUE(read_run_result(path("u.json")).ok());
}

TEST_F(RunCommand, BadInputExitsWithUsageError) {
  EXPECT_EQ(run_binary({"run", "--url", "ftp://x", "--rate", "20", "--quiet", "--out", path("b.json")}), 2);
  EXPECT_EQ(run_binary({"run", "--url", "http://127.0.0.1:1", "--rate", "20", "--duration", "soon", "--quiet"}), 2);
  EXPECT_EQ(run_binary({"run", "--quiet"}), 2);
  EXPECT_FALSE(std::filesystem::exists(path("b.json")));
}

TEST_F(RunCommand, InterruptWritesAPartialResult) {
  testing::TestServerOptions so;
  auto server = testing::TestServer::start(so);
  ASSERT_TRUE(server.ok());
  const std::string out = path("p.json");
  const Child child = spawn({"run", "--url", (*server)->url(), "--rate", "50", "--duration", "60s", "--out", out});
  std::this_thread::sleep_for(milliseconds(1500));
  ::kill(child.pid, SIGINT);
  EXPECT_EQ(wait_exit(child), 0);
  auto result = read_run_result(out);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->partial);
  EXPECT_EQ(result->status, RunStatus::kPartial);
  EXPECT_LT(result->duration_s, 5);
  EXPECT_GT(result->total_requests(), 20);
}

}  // namespace
}  // namespace perfgate
