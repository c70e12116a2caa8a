#include "core/child_processes.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>

namespace perfgate {
namespace {

constexpr int kSlots = 64;
constexpr std::size_t kDirBytes = 512;

// The handler reads the table without locks: `pid` is published last (release) and cleared first,
// so a handler that sees a pid also sees its complete directory, scope and signal.
struct Slot {
  std::atomic<pid_t> pid{0};
  std::atomic<bool> claimed{false};
  bool group = false;
  int stop_signal = SIGTERM;
  char dir[kDirBytes] = {};
};

Slot g_slots[kSlots];

// Directories without a process, removed after the children are stopped; published like Slot.
// `owner` is the registering process: a forked child inherits the table but must not remove its
// parent's directories when it is signalled itself.
struct DirSlot {
  std::atomic<bool> live{false};
  std::atomic<bool> claimed{false};
  pid_t owner = 0;
  char dir[kDirBytes] = {};
};

DirSlot g_dirs[kSlots];
std::once_flag g_install_once;
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};
struct sigaction g_previous_hup {};

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// True once `pid` has exited (reaped here, or already reaped by someone else, or not our child).
bool gone_within(pid_t pid, long timeout_ms) {
  for (long waited = 0; waited <= timeout_ms; waited += 10) {
    const pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD && kill(pid, 0) != 0)) return true;
    sleep_ms(10);
  }
  return false;
}

// Everything below runs in signal handlers, so only async-signal-safe calls: kill, waitpid,
// nanosleep, fork, execve, _exit, sigaction, raise.
void remove_dir(const char* dir) {
  const pid_t child = fork();
  if (child == 0) {
    char rm[] = "/bin/rm";
    char flag[] = "-rf";
    char* const argv[] = {rm, flag, const_cast<char*>(dir), nullptr};
    char* const envp[] = {nullptr};
    execve(rm, argv, envp);
    _exit(127);
  }
  if (child > 0) gone_within(child, 10000);
}

int stop_all() {
  pid_t pids[kSlots] = {};
  bool groups[kSlots] = {};
  int stopped = 0;
  // Signal every child first, so they shut down in parallel, then wait for each.
  for (int i = 0; i < kSlots; ++i) {
    pids[i] = g_slots[i].pid.exchange(0, std::memory_order_acquire);
    if (pids[i] <= 0) continue;
    groups[i] = g_slots[i].group;
    // A group not formed yet (the child has not called setpgid) still gets the signal by PID.
    if (!groups[i] || kill(-pids[i], g_slots[i].stop_signal) != 0) kill(pids[i], g_slots[i].stop_signal);
  }
  for (int i = 0; i < kSlots; ++i) {
    if (pids[i] <= 0) continue;
    if (!gone_within(pids[i], 5000)) {
      kill(-pids[i], SIGKILL);
      kill(pids[i], SIGKILL);
      gone_within(pids[i], 2000);
    }
    // A group's other members may outlive its leader.
    if (groups[i]) kill(-pids[i], SIGKILL);
    if (g_slots[i].dir[0] != '\0') remove_dir(g_slots[i].dir);
    // The slot stays claimed until its owner calls unregister_child, so that call can never
    // release a slot that was handed to another child in between.
    ++stopped;
  }
  const pid_t self = getpid();
  for (auto& slot : g_dirs) {
    if (slot.owner == self && slot.live.exchange(false, std::memory_order_acquire)) remove_dir(slot.dir);
  }
  return stopped;
}

void on_signal(int signo, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  // write(2) is async-signal-safe; without a word the user cannot tell an interrupt from a crash.
  static const char kStopping[] = "perfgate: interrupted: stopping the processes perfgate started\n";
  static const char kInterrupted[] = "perfgate: interrupted\n";
  const bool stopping = registered_children() > 0;
  [[maybe_unused]] const ssize_t ignored = stopping ? write(STDERR_FILENO, kStopping, sizeof kStopping - 1)
                                                    : write(STDERR_FILENO, kInterrupted, sizeof kInterrupted - 1);
  stop_all();
  errno = saved_errno;
  const struct sigaction& previous =
      signo == SIGINT ? g_previous_int : (signo == SIGHUP ? g_previous_hup : g_previous_term);
  if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(signo, info, context);
    return;
  }
  if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler != nullptr) {
    previous.sa_handler(signo);
    return;
  }
  // The default action: die by the signal, so the parent sees what happened.
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  sigaction(signo, &fallback, nullptr);
  raise(signo);
}

void install(int signo, struct sigaction& previous) {
  sigaction(signo, nullptr, &previous);
  if ((previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler == SIG_IGN) return;
  struct sigaction action {};
  action.sa_sigaction = on_signal;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  sigaddset(&action.sa_mask, SIGHUP);
  sigaction(signo, &action, nullptr);
}

}  // namespace

int register_child(const ChildProcess& child) {
  if (child.pid <= 0 || child.dir_to_remove.size() >= kDirBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_slots[i].claimed.compare_exchange_strong(expected, true)) continue;
    std::memset(g_slots[i].dir, 0, kDirBytes);
    std::memcpy(g_slots[i].dir, child.dir_to_remove.data(), child.dir_to_remove.size());
    g_slots[i].group = child.scope == StopScope::kProcessGroup;
    g_slots[i].stop_signal = child.stop_signal;
    g_slots[i].pid.store(static_cast<pid_t>(child.pid), std::memory_order_release);
    return i;
  }
  return -1;
}

void unregister_child(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].pid.store(0, std::memory_order_release);
  g_slots[slot].claimed.store(false, std::memory_order_release);
}

int register_directory(const std::string& dir) {
  if (dir.empty() || dir.size() >= kDirBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_dirs[i].claimed.compare_exchange_strong(expected, true)) continue;
    std::memset(g_dirs[i].dir, 0, kDirBytes);
    std::memcpy(g_dirs[i].dir, dir.data(), dir.size());
    g_dirs[i].owner = getpid();
    g_dirs[i].live.store(true, std::memory_order_release);
    return i;
  }
  return -1;
}

void unregister_directory(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_dirs[slot].live.store(false, std::memory_order_release);
  g_dirs[slot].claimed.store(false, std::memory_order_release);
}

void install_child_cleanup_on_signals() {
  std::call_once(g_install_once, [] {
    install(SIGINT, g_previous_int);
    install(SIGTERM, g_previous_term);
    // The terminal or the CI job that ran perfgate went away: the children must not stay behind.
    install(SIGHUP, g_previous_hup);
  });
}

int stop_registered_children() { return stop_all(); }

int run_with_catch_all(const std::function<int()>& body, int failure_code) noexcept {
  // By the time a handler runs, unwinding has run the owners' destructors; the registry stops
  // anything they missed before the message, so the line is the last thing perfgate does.
  try {
    return body();
  } catch (const std::exception& e) {
    stop_all();
    std::fprintf(stderr, "perfgate: error: internal failure: %s\n", e.what());
  } catch (...) {
    stop_all();
    std::fprintf(stderr, "perfgate: error: internal failure: unknown exception\n");
  }
  return failure_code;
}

int registered_children() {
  int n = 0;
  for (const auto& slot : g_slots) n += slot.pid.load(std::memory_order_acquire) > 0 ? 1 : 0;
  return n;
}

}  // namespace perfgate
