#include "reliability/support/perfgate_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>

extern char** environ;

namespace perfgate::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int unique_id() {
  static int next = 0;
  return ++next;
}

// Stops a child the test gave up on the way a user would, so that it stops the servers it started
// (a SIGKILL straight away would orphan a demo's PostgreSQL and report service): SIGTERM asks a run
// to stop, a second one runs perfgate's cleanup of its children; SIGKILL only when both were ignored.
// Returns with the child reaped; `status` and `usage` as from wait4.
void stop_abandoned(pid_t pid, int& status, rusage& usage) {
  for (const auto& [signal, grace] : {std::pair{SIGTERM, 2000}, std::pair{SIGTERM, 10000}, std::pair{SIGKILL, -1}}) {
    ::kill(pid, signal);
    for (int waited = 0; grace < 0 || waited < grace; waited += 10) {
      const pid_t done = ::wait4(pid, &status, grace < 0 ? 0 : WNOHANG, &usage);
      if (done == pid || (done < 0 && errno != EINTR)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace

PerfgateProcess::PerfgateProcess(const std::vector<std::string>& args, const std::string& scratch_dir,
                                 ProcessOptions options)
    : options_(std::move(options)) {
  const std::string stem = scratch_dir + "/proc-" + std::to_string(::getpid()) + "-" + std::to_string(unique_id());
  out_path_ = stem + ".out";
  err_path_ = stem + ".err";
  // Everything the child needs is built before fork: between fork and exec only async-signal-safe
  // calls are allowed (the test process has server threads).
  std::vector<std::string> argv_storage;
  argv_storage.emplace_back(PERFGATE_BINARY);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_storage.size() + 1);
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  // An extra "NAME=value" replaces the inherited NAME: getenv(3) returns the first match, so an
  // appended duplicate would lose to the suite's own TMPDIR.
  auto name_of = [](std::string_view entry) { return entry.substr(0, entry.find('=') + 1); };
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view inherited(*e);
    const bool replaced = std::any_of(options_.extra_env.begin(), options_.extra_env.end(),
                                      [&](const std::string& extra) { return name_of(extra) == name_of(inherited); });
    if (!replaced) env_storage.emplace_back(inherited);
  }
  env_storage.insert(env_storage.end(), options_.extra_env.begin(), options_.extra_env.end());
  std::vector<char*> envp;
  envp.reserve(env_storage.size() + 1);
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  const int out_fd = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err_fd = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const bool limit = options_.max_open_files.has_value();
  const rlimit files{static_cast<rlim_t>(options_.max_open_files.value_or(0)),
                     static_cast<rlim_t>(options_.max_open_files.value_or(0))};
  started_ = std::chrono::steady_clock::now();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    if (limit) ::setrlimit(RLIMIT_NOFILE, &files);
    if (!options_.working_dir.empty() && ::chdir(options_.working_dir.c_str()) != 0) ::_exit(126);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
}

PerfgateProcess::~PerfgateProcess() {
  if (!finished_ && pid_ > 0) {
    int status = 0;
    rusage usage{};
    stop_abandoned(pid_, status, usage);
  }
  std::filesystem::remove(out_path_);
  std::filesystem::remove(err_path_);
}

void PerfgateProcess::send_signal(int signal) const { ::kill(pid_, signal); }

ProcessOutcome PerfgateProcess::finish() {
  ProcessOutcome o;
  int status = 0;
  rusage usage{};
  while (true) {
    const pid_t done = ::wait4(pid_, &status, WNOHANG, &usage);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() - started_ > options_.kill_after) {
      stop_abandoned(pid_, status, usage);
      o.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  finished_ = true;
  o.wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  o.max_rss_kb = usage.ru_maxrss;
  o.signalled = WIFSIGNALED(status) || o.timed_out;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = slurp(out_path_);
  o.err = slurp(err_path_);
  return o;
}

ProcessOutcome run_perfgate(const std::vector<std::string>& args, const std::string& scratch_dir,
                            ProcessOptions options) {
  PerfgateProcess p(args, scratch_dir, std::move(options));
  return p.finish();
}

int open_descriptor_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;
}

}  // namespace perfgate::testing
