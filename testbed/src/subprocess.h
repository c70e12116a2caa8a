#pragma once
// fork/exec helpers shared by PgCluster and TestbedProcess (private to testbed/). Everything the
// child needs is prepared before fork() so the child only calls async-signal-safe functions, which
// matters because callers are multi-threaded (test runners, the load generator).

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace perfgate::testbed_detail {

/// Which OS user the child runs as.
enum class RunAs {
  kCurrentUser,
  kPostgresIfRoot,  ///< the `postgres` system user when we are root (the server refuses root)
};

/// Where the child's stdout and stderr go.
enum class Output {
  kAppendToFile,  ///< both appended to SpawnSpec::output_file (created by the child)
  kPipes,         ///< stdout and stderr as pipes returned in Spawned
  kStdoutPipe,    ///< stdout as a pipe, stderr appended to output_file (or inherited when empty)
};

struct SpawnSpec {
  std::vector<std::string> argv;  ///< argv[0] is an absolute path; no PATH lookup
  std::string working_dir;        ///< empty: inherit
  std::string output_file;
  Output output = Output::kAppendToFile;
  RunAs run_as = RunAs::kCurrentUser;
  std::vector<std::pair<std::string, std::string>> extra_env;  ///< added to / overriding environ
  /// run_captured only: when not empty, the child (its process group) and this directory are in
  /// the core/child_processes.h registry while it runs, so a SIGINT/SIGTERM meanwhile stops it and
  /// removes the directory (initdb filling a throw-away cluster's directory).
  std::string cleanup_dir;
  /// Sent to the child by the kernel when the thread that spawned it exits (PR_SET_PDEATHSIG), so a
  /// perfgate killed outright (SIGKILL, a crash) leaves no server running: spawn long-lived children
  /// from a thread that outlives them (the main thread). 0: none.
  int parent_death_signal = SIGKILL;
};

/// A started child; file descriptors are owned by the caller (close them).
struct Spawned {
  pid_t pid = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

/// The uid/gid the child would switch to for `run_as`, or {-1,-1} for "no switch".
struct Identity {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  [[nodiscard]] bool switches() const { return uid != static_cast<uid_t>(-1); }
};
/// Errors: kUnavailable when running as root and no `postgres` user exists.
Result<Identity> identity_for(RunAs run_as);

/// Starts a child in its own process group (so a terminal Ctrl-C reaches only us, and we decide
/// how the child stops). Errors: kInternal when fork/pipe fail; exec failures show as exit code 127.
Result<Spawned> spawn(const SpawnSpec& spec);

/// Exit status of a finished run_captured call.
struct Captured {
  int exit_code = -1;  ///< -1 when killed by a signal or timed out
  std::string out;
  std::string err;
};

/// spawn() with Output::kPipes, collects both streams, waits up to `timeout` (then SIGKILLs).
Result<Captured> run_captured(SpawnSpec spec, std::chrono::milliseconds timeout);

/// Waits up to `timeout` for `pid` to exit and reaps it; true when it exited (or was already gone).
bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

/// Sends `first_signal`, waits up to `grace`, then SIGKILLs the process group and reaps the child.
void stop_process(pid_t pid, int first_signal, std::chrono::milliseconds grace);

/// Last `max_bytes` of a file (for error messages), empty when unreadable.
std::string file_tail(const std::string& path, std::size_t max_bytes);

}  // namespace perfgate::testbed_detail
