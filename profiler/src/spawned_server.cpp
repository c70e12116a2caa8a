#include "profiler/spawned_server.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>

#include "core/clock.h"

namespace perfgate {
namespace {

// Process groups of live servers, readable from a signal handler (lock-free atomics only).
constexpr int kMaxServers = 16;
std::atomic<int64_t> g_live_groups[kMaxServers];

void register_group(int64_t pgid) {
  for (auto& slot : g_live_groups) {
    int64_t empty = 0;
    if (slot.compare_exchange_strong(empty, pgid)) return;
  }
}

void unregister_group(int64_t pgid) {
  for (auto& slot : g_live_groups) {
    int64_t expected = pgid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

extern "C" void stop_servers_on_signal(int sig) {
  for (auto& slot : g_live_groups) {
    const int64_t pgid = slot.load();
    if (pgid > 0) kill(static_cast<pid_t>(-pgid), SIGTERM);
  }
  std::signal(sig, SIG_DFL);
  raise(sig);
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

}  // namespace

Result<std::unique_ptr<SpawnedServer>> SpawnedServer::start(const SpawnOptions& options) {
  if (options.command.empty()) return invalid_input("--spawn: the server command is empty");
  if (!options.ready_url.empty()) {
    // Validate the URL before starting anything, so a typo never leaves a server running.
    auto probe = http_get_status(options.ready_url, std::chrono::milliseconds(1));
    if (!probe && probe.error().code == ErrorCode::kInvalidInput) return probe.error();
  }
  const pid_t pid = fork();
  if (pid < 0) return unavailable(std::string("--spawn: fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Own process group so stop() reaches the shell's children too; the shell dies with us.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    execl("/bin/sh", "sh", "-c", options.command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent: whichever runs first, the group exists before any kill
  std::unique_ptr<SpawnedServer> server(new SpawnedServer());
  server->pid_ = pid;
  server->stop_grace_ = options.stop_grace;
  register_group(pid);
  if (options.ready_url.empty()) return server;

  const Clock& clock = SteadyClock::instance();
  const MonoTime deadline = clock.now() + options.ready_timeout;
  std::string last_problem = "no answer";
  while (clock.now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      server->reaped_ = true;
      unregister_group(pid);
      return unavailable("--spawn '" + options.command + "': " + describe_exit(status) +
                         " before " + options.ready_url + " answered");
    }
    auto answer = http_get_status(options.ready_url, std::chrono::milliseconds(1000));
    if (answer && *answer == 200) return server;
    last_problem = answer ? "status " + std::to_string(*answer) : answer.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  server->stop();
  return unavailable("--spawn '" + options.command + "': " + options.ready_url + " did not answer 200 within " +
                     std::to_string(options.ready_timeout.count()) + " ms (last: " + last_problem +
                     "); raise --ready-timeout or check the command");
}

SpawnedServer::~SpawnedServer() { stop(); }

bool SpawnedServer::running() {
  if (reaped_) return false;
  int status = 0;
  if (waitpid(static_cast<pid_t>(pid_), &status, WNOHANG) == pid_) {
    reaped_ = true;
    kill(static_cast<pid_t>(-pid_), SIGTERM);  // the shell is gone; its children must not linger
    unregister_group(pid_);
  }
  return !reaped_;
}

void SpawnedServer::stop() {
  if (pid_ <= 0 || reaped_) return;
  const auto pid = static_cast<pid_t>(pid_);
  kill(-pid, SIGTERM);
  const MonoTime deadline = SteadyClock::instance().now() + stop_grace_;
  while (SteadyClock::instance().now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) {
      reaped_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The group may hold children that ignored SIGTERM even after the shell exited.
  kill(-pid, SIGKILL);
  if (!reaped_) waitpid(pid, nullptr, 0);
  reaped_ = true;
  unregister_group(pid_);
}

void install_spawn_signal_cleanup() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  struct sigaction sa {};
  sa.sa_handler = stop_servers_on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace perfgate
