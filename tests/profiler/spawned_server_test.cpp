// Integration: starting, readiness-polling and stopping a real server process on loopback.
#include "profiler/spawned_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace perfgate {
namespace {

using namespace std::chrono_literals;

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool process_exists(int64_t pid) { return kill(static_cast<pid_t>(pid), 0) == 0; }

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
