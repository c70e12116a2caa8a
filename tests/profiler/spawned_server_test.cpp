// Integration: starting, readiness-polling and stopping a real server process on loopback.
#include "profiler/spawned_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "core/child_processes.h"
#include "core/http_get.h"
#include "support/temp_dir.h"

namespace perfgate {
namespace {

using namespace std::chrono_literals;

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Alive and not a zombie (an orphaned zombie lingers until init reaps it).
bool process_exists(int64_t pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return false;
  char state = '?';
  const bool parsed = std::fscanf(f, "%*d (%*[^)]) %c", &state) == 1;
  std::fclose(f);
  return parsed && state != 'Z' && state != 'X';
}

TEST(SpawnedServer, WaitsUntilTheServerAnswersAndStopsItAtTheEnd) {
  const int port = free_port();
  SpawnOptions o;
  o.command = std::string(PERFGATE_PROFILER_TEST_HELPER) + " serve " + std::to_string(port) + " 300";
  o.ready_url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  o.ready_timeout = 20s;
  auto server = SpawnedServer::start(o);
  ASSERT_TRUE(server.ok()) << server.error().message;
  auto status = http_get_status(o.ready_url, 2s);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(*status, 200);
  EXPECT_TRUE((*server)->running());
  const int64_t pid = (*server)->pid();
  (*server)->stop();
  EXPECT_FALSE((*server)->running());
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(http_get_status(o.ready_url, 500ms).ok()) << "nothing listens after stop";
}

TEST(SpawnedServer, ReportsACommandThatExitsBeforeItIsReady) {
  SpawnOptions o;
  o.command = "exit 3";
  o.ready_url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  auto server = SpawnedServer::start(o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(server.error().message.find("status 3"), std::string::npos) << server.error().message;
}

TEST(SpawnedServer, GivesUpAfterTheReadyTimeoutAndKillsTheCommand) {
  SpawnOptions o;
  o.command = "sleep 30";
  o.ready_url = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  o.ready_timeout = 300ms;
  auto server = SpawnedServer::start(o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(server.error().message.find("did not answer"), std::string::npos) << server.error().message;
}

TEST(SpawnedServer, StopsTheServerGroupWhenPerfgateIsTerminatedBySignal) {
  // The server's own child: only a signal to the whole group reaches it (the shell's parent-death
  // signal does not), so this fails without install_child_cleanup_on_signals.
  const testing::TempDir temp("spawn");
  const std::string pid_file = temp.file("server.pid");
  const pid_t perfgate_like = fork();
  if (perfgate_like == 0) {
    install_child_cleanup_on_signals();
    SpawnOptions o;
    o.command = "sleep 30 & echo $! > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file + "; wait";
    auto server = SpawnedServer::start(o);
    if (!server.ok()) _exit(1);
    for (int i = 0; i < 500 && access(pid_file.c_str(), F_OK) != 0; ++i) usleep(10'000);
    raise(SIGTERM);
    _exit(0);  // not reached: the handler re-raises with the default action
  }
  int status = 0;
  waitpid(perfgate_like, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  FILE* f = std::fopen(pid_file.c_str(), "r");
  ASSERT_NE(f, nullptr);
  long grandchild = -1;
  ASSERT_EQ(std::fscanf(f, "%ld", &grandchild), 1);
  std::fclose(f);
  ASSERT_GT(grandchild, 0);
  // The orphan is reaped by init once it dies; allow a bounded moment.
  for (int i = 0; i < 500 && process_exists(grandchild); ++i) usleep(10'000);
  const bool survived = process_exists(grandchild);
  if (survived) kill(static_cast<pid_t>(grandchild), SIGKILL);
  EXPECT_FALSE(survived);
}

TEST(SpawnedServer, RefusesANonLoopbackReadyUrlBeforeStartingAnything) {
  SpawnOptions o;
  o.command = "sleep 30";
  o.ready_url = "http://example.com/health";
  auto server = SpawnedServer::start(o);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace perfgate
