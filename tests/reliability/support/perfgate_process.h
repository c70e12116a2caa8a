#pragma once
// Runs the built perfgate binary as a child process for black-box reliability tests: captures its
// stdout and stderr, measures its wall time and peak memory, optionally lowers its descriptor limit,
// and can signal it mid-run.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace perfgate::testing {

/// How one run of the binary ended.
struct ProcessOutcome {
  int exit_code = -1;      ///< exit status, or 128 + signal when killed by a signal
  bool signalled = false;  ///< terminated by a signal (a crash unless the test sent it), or timed out
  bool timed_out = false;  ///< still running after kill_after: stopped with SIGTERM twice, then SIGKILL
  std::string out;         ///< everything written to stdout
  std::string err;         ///< everything written to stderr
  std::chrono::milliseconds wall{0};
  long max_rss_kb = 0;  ///< peak resident set size of the child (getrusage ru_maxrss)
};

/// Limits and environment for the child.
struct ProcessOptions {
  std::optional<long> max_open_files;            ///< RLIMIT_NOFILE (soft and hard) for the child
  std::vector<std::string> extra_env;            ///< "NAME=value", replacing an inherited NAME
  std::string working_dir;                       ///< the child's working directory; empty: inherited
  std::chrono::milliseconds kill_after{60'000};  ///< stopped if still running (a hang fails the test)
};

/// A started child; call finish() exactly once.
class PerfgateProcess {
 public:
  /// Starts PERFGATE_BINARY with `args`; stdout/stderr go to files in `scratch_dir`.
  PerfgateProcess(const std::vector<std::string>& args, const std::string& scratch_dir, ProcessOptions options = {});
  ~PerfgateProcess();
  PerfgateProcess(const PerfgateProcess&) = delete;
  PerfgateProcess& operator=(const PerfgateProcess&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  /// Sends `signal` to the child.
  void send_signal(int signal) const;
  /// Waits for the child (killing it after options.kill_after) and collects what it wrote.
  ProcessOutcome finish();

 private:
  pid_t pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  ProcessOptions options_;
  std::chrono::steady_clock::time_point started_;
  bool finished_ = false;
};

/// Runs the binary to completion.
ProcessOutcome run_perfgate(const std::vector<std::string>& args, const std::string& scratch_dir,
                            ProcessOptions options = {});

/// Open descriptors of this process (entries of /proc/self/fd, the directory's own one excluded).
int open_descriptor_count();

}  // namespace perfgate::testing
