#include "profiler/spawned_server.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <thread>

#include "core/child_processes.h"
#include "core/clock.h"
#include "core/http_get.h"

namespace perfgate {
namespace {

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
    if (auto valid = validate_ready_url(options.ready_url); !valid) return valid.error();
  }
  const pid_t pid = fork();
  if (pid < 0) return unavailable(std::string("--spawn: fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Own process group so stop() reaches the shell's children too; the shell dies with us.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGPIPE, SIG_DFL);  // perfgate ignores it; the server's pipelines expect the default
    execl("/bin/sh", "sh", "-c", options.command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent: whichever runs first, the group exists before any kill
  std::unique_ptr<SpawnedServer> server(new SpawnedServer());
  server->pid_ = pid;
  server->stop_grace_ = options.stop_grace;
  server->registry_slot_ = register_child(ChildProcess{pid, StopScope::kProcessGroup, SIGTERM, ""});
  if (options.ready_url.empty()) return server;

  const Clock& clock = SteadyClock::instance();
  const MonoTime deadline = clock.now() + options.ready_timeout;
  std::string last_problem = "no answer";
  while (clock.now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      server->reaped_ = true;
      unregister_child(server->registry_slot_);
      server->registry_slot_ = -1;
      return unavailable("--spawn '" + options.command + "': " + describe_exit(status) + " before " +
                         options.ready_url + " answered");
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
    unregister_child(registry_slot_);
    registry_slot_ = -1;
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
  unregister_child(registry_slot_);
  registry_slot_ = -1;
}

}  // namespace perfgate
