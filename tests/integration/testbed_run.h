#pragma once
// Shared pieces of the tests that run the built perfgate against the bundled report service: one
// PostgreSQL cluster per test binary, seeded databases, the binary run with its output captured.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/child_process.h"
#include "core/child_processes.h"
#include "support/temp_dir.h"
#include "testbed/pg_cluster.h"
#include "testbed/testbed_process.h"

extern char** environ;

namespace perfgate::testing {

struct Ran {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs the built perfgate with `args` (no shell in between) and waits for it.
inline Ran run_perfgate(const std::vector<std::string>& args) {
  int fds[2];
  Ran ran;
  if (::pipe(fds) != 0) return ran;
  std::vector<std::string> copy = args;
  std::string binary = PERFGATE_BINARY;
  std::vector<char*> argv{binary.data()};
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    return ran;
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) ran.output.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return ran;
}

/// 'text' for /bin/sh, with embedded single quotes escaped.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// A loopback port that was free a moment ago.
inline int free_port() { return free_loopback_port(); }

/// The cluster shared by every test in the binary, started on first use (a failure to start is a
/// test failure, never a skip).
inline PgCluster* shared_cluster() {
  static std::unique_ptr<PgCluster> cluster = [] {
    install_child_cleanup_on_signals();
    auto started = PgCluster::start();
    if (!started.ok()) {
      ADD_FAILURE() << "PgCluster::start: " << started.error().message;
      return std::unique_ptr<PgCluster>();
    }
    return std::move(started).value();
  }();
  return cluster.get();
}

/// Starts the service on `database` of the shared cluster (created and seeded at `scale` when new).
inline std::unique_ptr<TestbedProcess> start_testbed(const std::string& database, double scale,
                                                     std::vector<std::string> extra_args = {}) {
  PgCluster* cluster = shared_cluster();
  if (cluster == nullptr) return nullptr;
  auto exists = cluster->psql("select count(*) from pg_database where datname = '" + database + "'", "postgres");
  if (exists.ok() && exists->substr(0, 1) == "0") {
    auto created = cluster->psql("create database " + database, "postgres");
    EXPECT_TRUE(created.ok()) << created.error().message;
    auto ext = cluster->psql("create extension if not exists pg_stat_statements; create extension if not exists hypopg",
                             database);
    EXPECT_TRUE(ext.ok()) << ext.error().message;
  }
  TestbedProcessOptions options;
  options.binary = PERFGATE_TESTBED_BINARY;
  options.dsn = cluster->dsn(database);
  options.scale = scale;
  options.extra_args = std::move(extra_args);
  options.log_path = "/dev/null";
  auto started = TestbedProcess::start(options);
  if (!started.ok()) {
    ADD_FAILURE() << "TestbedProcess::start: " << started.error().message;
    return nullptr;
  }
  return std::move(started).value();
}

/// The shell command that starts the service on `database` at `port` (for `perfgate run --spawn`).
inline std::string testbed_command(const std::string& database, int port, const std::string& extra_args = "") {
  return shell_quote(PERFGATE_TESTBED_BINARY) + " --dsn " + shell_quote(shared_cluster()->dsn(database)) + " --port " +
         std::to_string(port) + " " + extra_args + " 2>/dev/null >/dev/null";
}

}  // namespace perfgate::testing
