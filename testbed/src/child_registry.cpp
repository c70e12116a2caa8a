#include "child_registry.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include "testbed/pg_cluster.h"

namespace perfgate::testbed_detail {
namespace {

constexpr int kSlots = 64;
constexpr std::size_t kDirBytes = 512;

// The handler reads the table without locks: `pid` is published last (release) and cleared first,
// so a handler that sees a pid also sees its complete directory and signal.
struct Slot {
  std::atomic<pid_t> pid{0};
  std::atomic<bool> claimed{false};
  int stop_signal = SIGTERM;
  char dir[kDirBytes] = {};
};

Slot g_slots[kSlots];
std::once_flag g_install_once;

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

bool reaped_within(pid_t pid, long timeout_ms) {
  for (long waited = 0; waited <= timeout_ms; waited += 10) {
    pid_t r = waitpid(pid, nullptr, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    sleep_ms(10);
  }
  return false;
}

// Everything below is async-signal-safe: kill, waitpid, nanosleep, fork, execve, _exit, raise.
void remove_dir(const char* dir) {
  pid_t child = fork();
  if (child == 0) {
    char rm[] = "/bin/rm";
    char flag[] = "-rf";
    char* const argv[] = {rm, flag, const_cast<char*>(dir), nullptr};
    char* const envp[] = {nullptr};
    execve(rm, argv, envp);
    _exit(127);
  }
  if (child > 0) reaped_within(child, 10000);
}

void cleanup_handler(int signo) {
  int saved_errno = errno;
  // write(2) is async-signal-safe; without a word the user cannot tell an interrupt from a crash.
  static const char kMessage[] = "perfgate: interrupted: stopping PostgreSQL and the report service perfgate started\n";
  [[maybe_unused]] const ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  pid_t pids[kSlots] = {};
  for (int i = 0; i < kSlots; ++i) {
    pids[i] = g_slots[i].pid.exchange(0, std::memory_order_acquire);
    if (pids[i] > 0) kill(pids[i], g_slots[i].stop_signal);
  }
  for (int i = 0; i < kSlots; ++i) {
    if (pids[i] <= 0) continue;
    if (!reaped_within(pids[i], 5000)) {
      kill(-pids[i], SIGKILL);
      kill(pids[i], SIGKILL);
      reaped_within(pids[i], 2000);
    }
    if (g_slots[i].dir[0] != '\0') remove_dir(g_slots[i].dir);
  }
  errno = saved_errno;
  signal(signo, SIG_DFL);
  raise(signo);
}

}  // namespace

int register_child(pid_t pid, const std::string& dir_to_remove, int stop_signal) {
  if (dir_to_remove.size() >= kDirBytes) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (!g_slots[i].claimed.compare_exchange_strong(expected, true)) continue;
    std::memset(g_slots[i].dir, 0, kDirBytes);
    std::memcpy(g_slots[i].dir, dir_to_remove.data(), dir_to_remove.size());
    g_slots[i].stop_signal = stop_signal;
    g_slots[i].pid.store(pid, std::memory_order_release);
    return i;
  }
  return -1;
}

void unregister_child(int slot) {
  if (slot < 0 || slot >= kSlots) return;
  g_slots[slot].pid.store(0, std::memory_order_release);
  g_slots[slot].claimed.store(false, std::memory_order_release);
}

void install_child_signal_cleanup() {
  std::call_once(g_install_once, [] {
    struct sigaction action {};
    action.sa_handler = cleanup_handler;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  });
}

}  // namespace perfgate::testbed_detail

namespace perfgate {

void install_cluster_signal_cleanup() { testbed_detail::install_child_signal_cleanup(); }

}  // namespace perfgate
