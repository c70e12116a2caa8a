#pragma once
// Starting the built binary as a child process and collecting its exit, for tests and benches that
// run several perfgate processes at once (distributed shards).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace perfgate::testing {

/// What becomes of a child's standard error.
enum class ChildStderr { kDiscard, kKeep };

/// Starts `binary` with `args`, stdout (and stderr unless kKeep) to /dev/null; -1 on failure.
inline pid_t spawn_quiet(const std::string& binary, std::vector<std::string> args,
                         ChildStderr stderr_mode = ChildStderr::kDiscard) {
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (stderr_mode == ChildStderr::kDiscard)
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

/// Waits for `pid`: its exit code, or 128 + the signal that ended it.
inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// What a command printed (stdout and stderr together) and its exit code (-1 when it did not exit).
struct CapturedRun {
  int exit_code = -1;
  std::string output;
};

/// Runs `command_line` with /bin/sh -c, stderr into the captured output; waits for it.
inline CapturedRun run_captured(const std::string& command_line) {
  CapturedRun ran;
  std::FILE* pipe = ::popen((command_line + " 2>&1").c_str(), "r");
  if (!pipe) return ran;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) ran.output.append(buf, n);
  const int status = ::pclose(pipe);
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

/// A loopback port nothing listened on a moment ago (the kernel's choice for an ephemeral bind).
inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

/// Waits up to `limit` for 127.0.0.1:`port` to accept a connection; whether it did.
inline bool wait_until_accepting(int port, std::chrono::milliseconds limit = std::chrono::seconds(2)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  do {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

}  // namespace perfgate::testing
