#include "proc_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace perfgate::proc {
namespace {

// Parses an unsigned decimal at p, skipping leading blanks; advances p past it.
uint64_t parse_u64(const char*& p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  uint64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  return v;
}

int64_t parse_i64(const char*& p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  const auto v = static_cast<int64_t>(parse_u64(p, end));
  return negative ? -v : v;
}

void skip_fields(const char*& p, const char* end, int n) {
  for (int i = 0; i < n && p < end; ++i) {
    while (p < end && *p == ' ') ++p;
    while (p < end && *p != ' ') ++p;
  }
}

bool starts_with(const char* p, const char* end, const char* prefix, size_t n) {
  return static_cast<size_t>(end - p) >= n && std::memcmp(p, prefix, n) == 0;
}

const char* next_line(const char* p, const char* end) {
  const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
  return nl != nullptr ? static_cast<const char*>(nl) + 1 : end;
}

}  // namespace

long read_small_file(int dir_fd, const char* path, char* buf, unsigned long cap) {
  const int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  unsigned long total = 0;
  while (total + 1 < cap) {
    const ssize_t n = read(fd, buf + total, cap - 1 - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      close(fd);
      errno = saved;
      return -1;
    }
    if (n == 0) break;
    total += static_cast<unsigned long>(n);
  }
  close(fd);
  buf[total] = 0;
  return static_cast<long>(total);
}

bool parse_stat(const char* text, long len, Stat& out) {
  const char* end = text + len;
  // The command name (field 2) may contain spaces and ')', so fields are counted from the last ')'.
  const char* close_paren = nullptr;
  for (const char* p = text; p < end; ++p) {
    if (*p == ')') close_paren = p;
  }
  if (close_paren == nullptr || close_paren + 2 >= end) return false;
  const char* p = close_paren + 2;
  out.state = *p++;                     // field 3
  out.ppid = parse_i64(p, end);         // field 4
  skip_fields(p, end, 9);               // fields 5..13
  out.utime_ticks = parse_u64(p, end);  // 14
  out.stime_ticks = parse_u64(p, end);  // 15
  skip_fields(p, end, 4);               // 16..19
  out.threads = parse_i64(p, end);      // 20
  skip_fields(p, end, 1);               // 21
  out.start_ticks = parse_u64(p, end);  // 22
  return p <= end;
}

void parse_status(const char* text, long len, Status& out) {
  const char* end = text + len;
  int64_t voluntary = -1;
  int64_t nonvoluntary = -1;
  for (const char* p = text; p < end; p = next_line(p, end)) {
    if (starts_with(p, end, "VmRSS:", 6)) {
      const char* q = p + 6;
      out.rss_bytes = parse_i64(q, end) * 1024;
    } else if (starts_with(p, end, "VmHWM:", 6)) {
      const char* q = p + 6;
      out.hwm_bytes = parse_i64(q, end) * 1024;
    } else if (starts_with(p, end, "Threads:", 8)) {
      const char* q = p + 8;
      out.threads = parse_i64(q, end);
    } else if (starts_with(p, end, "voluntary_ctxt_switches:", 24)) {
      const char* q = p + 24;
      voluntary = parse_i64(q, end);
    } else if (starts_with(p, end, "nonvoluntary_ctxt_switches:", 27)) {
      const char* q = p + 27;
      nonvoluntary = parse_i64(q, end);
    }
  }
  if (voluntary >= 0 && nonvoluntary >= 0) out.ctx_switches = voluntary + nonvoluntary;
}

int64_t parse_pss_bytes(const char* text, long len) {
  const char* end = text + len;
  for (const char* p = text; p < end; p = next_line(p, end)) {
    if (starts_with(p, end, "Pss:", 4)) {
      const char* q = p + 4;
      return parse_i64(q, end) * 1024;
    }
  }
  return -1;
}

bool read_stat(int pid_dir_fd, Stat& out) {
  char buf[1024];
  const long n = read_small_file(pid_dir_fd, "stat", buf, sizeof buf);
  return n > 0 && parse_stat(buf, n, out);
}

bool read_status(int pid_dir_fd, Status& out) {
  char buf[4096];
  const long n = read_small_file(pid_dir_fd, "status", buf, sizeof buf);
  if (n <= 0) return false;
  parse_status(buf, n, out);
  return true;
}

int64_t read_pss_bytes(int pid_dir_fd) {
  char buf[4096];
  const long n = read_small_file(pid_dir_fd, "smaps_rollup", buf, sizeof buf);
  return n > 0 ? parse_pss_bytes(buf, n) : -1;
}

bool for_each_dirent(int dir_fd, void (*fn)(const char* name, void* ctx), void* ctx) {
  if (lseek(dir_fd, 0, SEEK_SET) < 0) return false;
  // getdents64 straight into a stack buffer: opendir/readdir would malloc a 32 KiB buffer per call.
  alignas(8) char buf[8192];
  for (;;) {
    const long n = syscall(SYS_getdents64, dir_fd, buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) return true;
    for (long off = 0; off < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buf + off);
      fn(entry->d_name, ctx);
      off += entry->d_reclen;
    }
  }
}

int64_t count_open_fds(int pid_dir_fd) {
  const int fd = openat(pid_dir_fd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int64_t count = 0;
  const bool ok = for_each_dirent(
      fd,
      [](const char* name, void* c) {
        if (name[0] != '.') ++*static_cast<int64_t*>(c);
      },
      &count);
  close(fd);
  return ok ? count : -1;
}

std::string read_cmdline(int pid_dir_fd) {
  char buf[4096];
  const long n = read_small_file(pid_dir_fd, "cmdline", buf, sizeof buf);
  if (n <= 0) return {};
  std::string s(buf, static_cast<size_t>(n));
  for (char& c : s) {
    if (c == 0) c = ' ';
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace perfgate::proc
