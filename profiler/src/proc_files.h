#pragma once
// Readers of the few /proc files the sampler needs. They run on the sampling thread at up to 100 Hz,
// so they read with open/read into caller-provided stack buffers and parse by hand: no iostreams, no
// allocation (except read_cmdline, which discovery uses at most once per discovery interval).

#include <cstdint>
#include <string>
#include <type_traits>

namespace perfgate::proc {

/// Fields of /proc/PID/stat.
struct Stat {
  char state = '?';  ///< R, S, D, Z (zombie), X (dead), ...
  int64_t ppid = 0;
  uint64_t utime_ticks = 0;  ///< user CPU, clock ticks (sysconf(_SC_CLK_TCK))
  uint64_t stime_ticks = 0;
  int64_t threads = 0;
  uint64_t start_ticks = 0;  ///< start time after boot; with the PID, identifies a process across reuse
};

/// Fields of /proc/PID/status; -1 where absent (kernel threads and zombies have no Vm* lines).
struct Status {
  int64_t rss_bytes = -1;
  int64_t hwm_bytes = -1;
  int64_t threads = -1;
  int64_t ctx_switches = -1;  ///< voluntary + nonvoluntary, cumulative
};

/// Reads a whole small file at `path` relative to `dir_fd` into `buf` (NUL-terminated).
/// Returns the byte count, or -1 with errno set.
long read_small_file(int dir_fd, const char* path, char* buf, unsigned long cap);

/// Parses /proc/PID/stat text; false when it is malformed.
bool parse_stat(const char* text, long len, Stat& out);
/// Parses /proc/PID/status text; fields absent from the text stay -1.
void parse_status(const char* text, long len, Status& out);
/// The Pss line of /proc/PID/smaps_rollup text in bytes, or -1 when absent.
int64_t parse_pss_bytes(const char* text, long len);

/// Reads and parses `stat` under a /proc/PID directory fd; false when the process is gone.
bool read_stat(int pid_dir_fd, Stat& out);
/// Reads and parses `status`; false when the process is gone.
bool read_status(int pid_dir_fd, Status& out);
/// PSS from smaps_rollup, or -1 when unreadable (permissions, old kernel).
int64_t read_pss_bytes(int pid_dir_fd);
/// Entries of fd/ (open file descriptors), or -1 when unreadable.
int64_t count_open_fds(int pid_dir_fd);
/// cmdline with NULs turned into spaces (trailing space trimmed); empty when unreadable or a kernel thread.
std::string read_cmdline(int pid_dir_fd);

/// Calls `fn(pid)` for every numeric entry of the directory `proc_dir_fd` (the /proc root).
/// Returns false when the directory cannot be read.
template <typename Fn>
bool for_each_pid(int proc_dir_fd, Fn&& fn);

/// Raw getdents64 over a directory fd; calls `fn(name)` per entry. False on a read error.
bool for_each_dirent(int dir_fd, void (*fn)(const char* name, void* ctx), void* ctx);

template <typename Fn>
bool for_each_pid(int proc_dir_fd, Fn&& fn) {
  return for_each_dirent(
      proc_dir_fd,
      [](const char* name, void* ctx) {
        int64_t pid = 0;
        for (const char* p = name; *p != 0; ++p) {
          if (*p < '0' || *p > '9') return;
          pid = pid * 10 + (*p - '0');
        }
        if (pid > 0) (*static_cast<std::remove_reference_t<Fn>*>(ctx))(pid);
      },
      static_cast<void*>(&fn));
}

}  // namespace perfgate::proc
