#include "core/child_processes.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>

#include "support/temp_dir.h"

namespace perfgate {
namespace {

// A child that sleeps until it is signalled; kProcessGroup: it leads its own process group.
pid_t start_sleeper(StopScope scope = StopScope::kProcess) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (scope == StopScope::kProcessGroup) setpgid(0, 0);
    for (;;) pause();
  }
  if (scope == StopScope::kProcessGroup) setpgid(pid, pid);
  return pid;
}

bool alive(pid_t pid) { return kill(pid, 0) == 0; }

TEST(ChildProcesses, StopRegisteredChildrenStopsEachChildAndRemovesItsDirectory) {
  const testing::TempDir temp("registry");  // removed by the registry; by ~TempDir on an early failure
  const std::string dir = temp.path().string();
  const pid_t sleeper = start_sleeper();
  ASSERT_GT(sleeper, 0);
  const int slot = register_child(ChildProcess{sleeper, StopScope::kProcess, SIGTERM, dir});
  ASSERT_GE(slot, 0);
  EXPECT_GE(registered_children(), 1);
  EXPECT_GE(stop_registered_children(), 1);
  EXPECT_FALSE(alive(sleeper));  // reaped by the registry, so not even a zombie
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(registered_children(), 0);
  unregister_child(slot);
}

// A directory no process owns yet (a cluster's before initdb, a test's temporary one) is removed
// with the children, contents and all; an unregistered slot is free for the next directory.
TEST(ChildProcesses, ARegisteredDirectoryIsRemovedWithTheChildrenAndUnregisteringFreesItsSlot) {
  const testing::TempDir temp("registry-dir");  // registers itself, and is removed below as well
  const std::filesystem::path cluster = temp.path() / "cluster";
  std::filesystem::create_directories(cluster / "data" / "base");
  const int first = register_directory((temp.path() / "other").string());
  ASSERT_GE(first, 0);
  unregister_directory(first);
  const int slot = register_directory(cluster.string());
  EXPECT_EQ(slot, first);
  EXPECT_EQ(register_directory(""), -1);
  EXPECT_EQ(register_directory(std::string(600, 'x')), -1);
  const pid_t forked = fork();  // inherits the table, but the directory is not its own
  if (forked == 0) _exit(stop_registered_children() == 0 && std::filesystem::exists(cluster) ? 0 : 1);
  int status = -1;
  ASSERT_EQ(waitpid(forked, &status, 0), forked);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(std::filesystem::exists(cluster));
  stop_registered_children();
  EXPECT_FALSE(std::filesystem::exists(cluster));
  EXPECT_FALSE(std::filesystem::exists(temp.path()));
  unregister_directory(slot);
}

// The catch-all of main(): an exception that escapes a command is exit 3 with one line on stderr,
// and every registered child (here a real process and its data directory) is gone by then.
TEST(ChildProcesses, AnEscapedExceptionStopsEveryChildAndBecomesOneLineAndTheFailureCode) {
  const testing::TempDir temp("registry");  // removed by the registry; by ~TempDir on an early failure
  const std::string dir = temp.path().string();
  const pid_t sleeper = start_sleeper(StopScope::kProcessGroup);
  ASSERT_GT(sleeper, 0);
  register_child(ChildProcess{sleeper, StopScope::kProcessGroup, SIGTERM, dir});
  bool alive_when_thrown = false;
  ::testing::internal::CaptureStderr();
  const int code = run_with_catch_all(
      [&]() -> int {
        alive_when_thrown = alive(sleeper);
        throw std::filesystem::filesystem_error("cannot create directory",
                                                std::error_code(EACCES, std::generic_category()));
      },
      3);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(alive_when_thrown);
  EXPECT_EQ(code, 3);
  EXPECT_FALSE(alive(sleeper));
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(registered_children(), 0);
  EXPECT_EQ(err.rfind("perfgate: error: internal failure: ", 0), 0u) << err;
  EXPECT_NE(err.find("cannot create directory"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(err.back(), '\n');
}

TEST(ChildProcesses, WithoutAnExceptionTheCatchAllReturnsTheCommandsCode) {
  EXPECT_EQ(run_with_catch_all([] { return 1; }, 3), 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run_with_catch_all([]() -> int { throw 42; }, 3), 3);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "perfgate: error: internal failure: unknown exception\n");
}

TEST(ChildProcesses, AnUnregisteredChildIsLeftToItsOwner) {
  const pid_t sleeper = start_sleeper();
  ASSERT_GT(sleeper, 0);
  unregister_child(register_child(ChildProcess{sleeper, StopScope::kProcess, SIGTERM, ""}));
  stop_registered_children();
  EXPECT_TRUE(alive(sleeper));
  kill(sleeper, SIGKILL);
  waitpid(sleeper, nullptr, 0);
}

// Two handlers used to overwrite each other; the registry stops its children and then hands the
// signal to whatever handler was installed before it (here one that exits with 42).
TEST(ChildProcesses, ASignalStopsEveryChildThenRunsThePreviousHandler) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t perfgate_like = fork();
  if (perfgate_like == 0) {
    struct sigaction previous {};
    previous.sa_handler = [](int) { _exit(42); };
    sigemptyset(&previous.sa_mask);
    sigaction(SIGTERM, &previous, nullptr);
    install_child_cleanup_on_signals();
    const pid_t sleeper = start_sleeper(StopScope::kProcessGroup);
    register_child(ChildProcess{sleeper, StopScope::kProcessGroup, SIGTERM, ""});
    if (write(fds[1], &sleeper, sizeof sleeper) != sizeof sleeper) _exit(1);
    raise(SIGTERM);
    _exit(0);  // not reached: the previous handler exits with 42
  }
  close(fds[1]);
  pid_t sleeper = 0;
  ASSERT_EQ(read(fds[0], &sleeper, sizeof sleeper), static_cast<ssize_t>(sizeof sleeper));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(perfgate_like, &status, 0), perfgate_like);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 42);
  EXPECT_FALSE(alive(sleeper));
  if (alive(sleeper)) kill(sleeper, SIGKILL);
}

TEST(ChildProcesses, WithTheDefaultActionTheProcessStillDiesByTheSignal) {
  const pid_t perfgate_like = fork();
  if (perfgate_like == 0) {
    signal(SIGINT, SIG_DFL);
    install_child_cleanup_on_signals();
    raise(SIGINT);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(perfgate_like, &status, 0), perfgate_like);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << status;
}

}  // namespace
}  // namespace perfgate
