#include "subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "core/child_processes.h"

extern char** environ;

namespace perfgate::testbed_detail {
namespace {

using Clock = std::chrono::steady_clock;

std::string errno_text() { return std::strerror(errno); }

std::vector<std::string> build_env(const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string line(*entry);
    bool overridden = false;
    for (const auto& [name, value] : extra) {
      if (line.compare(0, name.size() + 1, name + "=") == 0) overridden = true;
    }
    if (!overridden) env.push_back(std::move(line));
  }
  for (const auto& [name, value] : extra) env.push_back(std::string(name).append("=").append(value));
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Only async-signal-safe calls from here on: the parent may have other threads holding locks.
[[noreturn]] void exec_child(const SpawnSpec& spec, const Identity& identity, char* const* argv, char* const* envp,
                             int out_pipe, int err_pipe, pid_t parent) {
  setpgid(0, 0);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  if (identity.switches()) {
    if (setgroups(0, nullptr) != 0 || setgid(identity.gid) != 0 || setuid(identity.uid) != 0) _exit(126);
  }
  // After the switch of user, which clears the setting; it survives execve of a plain binary. A
  // parent that died before this line would never send it, hence the check.
  if (spec.parent_death_signal != 0) {
    prctl(PR_SET_PDEATHSIG, spec.parent_death_signal);
    if (getppid() != parent) _exit(125);
  }
  if (!spec.working_dir.empty() && chdir(spec.working_dir.c_str()) != 0) _exit(126);
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  int file_fd = -1;
  if (!spec.output_file.empty() && spec.output != Output::kPipes) {
    file_fd = open(spec.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (file_fd < 0) _exit(126);
  }
  switch (spec.output) {
    case Output::kAppendToFile:
      if (file_fd >= 0) {
        dup2(file_fd, STDOUT_FILENO);
        dup2(file_fd, STDERR_FILENO);
      }
      break;
    case Output::kPipes:
      dup2(out_pipe, STDOUT_FILENO);
      dup2(err_pipe, STDERR_FILENO);
      break;
    case Output::kStdoutPipe:
      dup2(out_pipe, STDOUT_FILENO);
      if (file_fd >= 0) dup2(file_fd, STDERR_FILENO);
      break;
  }
  execve(argv[0], argv, envp);
  _exit(127);
}

}  // namespace

Result<Identity> identity_for(RunAs run_as) {
  if (run_as == RunAs::kCurrentUser || geteuid() != 0) return Identity{};
  struct passwd pwd {};
  struct passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwnam_r("postgres", &pwd, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return unavailable(
        "running as root but there is no `postgres` system user to run PostgreSQL as; "
        "install it with: apt-get install -y postgresql-15");
  }
  return Identity{found->pw_uid, found->pw_gid};
}

Result<Spawned> spawn(const SpawnSpec& spec) {
  auto identity = identity_for(spec.run_as);
  if (!identity) return identity.error();
  std::vector<std::string> argv_strings = spec.argv;
  std::vector<std::string> env_strings = build_env(spec.extra_env);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);

  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  bool want_out = spec.output != Output::kAppendToFile;
  bool want_err = spec.output == Output::kPipes;
  if ((want_out && pipe2(out_pipe, O_CLOEXEC) != 0) || (want_err && pipe2(err_pipe, O_CLOEXEC) != 0)) {
    return internal_error("pipe: " + errno_text());
  }
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return internal_error("fork: " + errno_text());
  if (pid == 0) exec_child(spec, *identity, argv.data(), envp.data(), out_pipe[1], err_pipe[1], parent);
  // Also from the parent, so the group exists before anyone signals it (no race with the child).
  setpgid(pid, pid);
  Spawned spawned;
  spawned.pid = pid;
  if (want_out) {
    close(out_pipe[1]);
    spawned.stdout_fd = out_pipe[0];
  }
  if (want_err) {
    close(err_pipe[1]);
    spawned.stderr_fd = err_pipe[0];
  }
  return spawned;
}

namespace {

// Reads both pipes of `spawned` until they close or `timeout` passes (then SIGKILLs), and reaps it.
Captured collect(const Spawned& spawned, std::chrono::milliseconds timeout) {
  Captured captured;
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{spawned.stdout_fd, POLLIN, 0}, {spawned.stderr_fd, POLLIN, 0}};
  std::string* sinks[2] = {&captured.out, &captured.err};
  int open_streams = 2;
  bool timed_out = false;
  char buffer[8192];
  while (open_streams > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    int ready = poll(fds, 2, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  if (timed_out) {
    stop_process(spawned.pid, SIGKILL, std::chrono::milliseconds(0));
    return captured;
  }
  int status = 0;
  while (waitpid(spawned.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) captured.exit_code = WEXITSTATUS(status);
  return captured;
}

}  // namespace

Result<Captured> run_captured(SpawnSpec spec, std::chrono::milliseconds timeout) {
  spec.output = Output::kPipes;
  auto spawned = spawn(spec);
  if (!spawned) return spawned.error();
  const int registry_slot =
      spec.cleanup_dir.empty()
          ? -1
          : register_child(ChildProcess{spawned->pid, StopScope::kProcessGroup, SIGTERM, spec.cleanup_dir});
  Captured captured = collect(*spawned, timeout);
  unregister_child(registry_slot);
  return captured;
}

bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t reaped = waitpid(pid, &status, WNOHANG);
    if (reaped == pid) return true;
    if (reaped < 0 && errno == ECHILD) return kill(pid, 0) != 0;  // not our child: poll existence
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void stop_process(pid_t pid, int first_signal, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  kill(pid, first_signal);
  // A postmaster waits for its backends before exiting, so a clean exit leaves no group behind;
  // the group is only killed while the leader is still unreaped and its pgid cannot be reused.
  if (wait_for_exit(pid, grace)) return;
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  wait_for_exit(pid, std::chrono::seconds(5));
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > max_bytes) all.erase(0, all.size() - max_bytes);
  return all;
}

}  // namespace perfgate::testbed_detail
