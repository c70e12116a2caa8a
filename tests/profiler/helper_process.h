#pragma once
// Runs tests/profiler/profiler_test_helper as a child with its stdout on a pipe; killed and reaped
// on destruction so no test leaves a process behind.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace perfgate::testing {

class HelperProcess {
 public:
  explicit HelperProcess(std::vector<std::string> args) {
    args.insert(args.begin(), PERFGATE_PROFILER_TEST_HELPER);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_fd_ = fds[0];
  }
  ~HelperProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }

  /// The next stdout line, or "" after `timeout_ms` or at EOF (a bound, not a timing assertion).
  std::string read_line(int timeout_ms = 20000) {
    std::string line;
    for (;;) {
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return "";
      char c = 0;
      if (read(out_fd_, &c, 1) != 1) return "";
      if (c == '\n') return line;
      line.push_back(c);
    }
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
};

}  // namespace perfgate::testing
