#pragma once
// Starting the built binary as a child process and collecting its exit, for tests and benches that
// run several perfgate processes at once (distributed shards).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
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

}  // namespace perfgate::testing
