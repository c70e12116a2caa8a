#pragma once
// Starting the built binary as a child process and collecting its exit, for tests and benches that
// run several perfgate processes at once (distributed shards).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace perfgate::testing
