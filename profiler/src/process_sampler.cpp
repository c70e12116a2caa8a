#include "profiler/process_sampler.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <regex>
#include <string>
#include <unordered_map>

#include "core/units.h"
#include "proc_files.h"

namespace perfgate {

struct ProcessSampler::Matcher {
  std::regex regex;
};

struct ProcessSampler::Tracked {
  int64_t pid = 0;
  uint64_t start_ticks = 0;
  int dir_fd = -1;  // /proc/PID held open: after the process dies, reads fail even if the PID is reused
  bool alive = true;
  uint64_t last_utime = 0;
  uint64_t last_stime = 0;
  int64_t last_ctx = 0;
  MonoTime last_time{0};
  int64_t hwm_bytes = -1;
  size_t timeline = 0;
};

namespace {

constexpr size_t kMaxCommandChars = 200;

int open_pid_dir(int proc_fd, int64_t pid) {
  char name[24];
  std::snprintf(name, sizeof name, "%lld", static_cast<long long>(pid));
  return openat(proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

bool is_dead(char state) { return state == 'Z' || state == 'X' || state == 'x'; }

// Seconds since boot on the clock /proc/PID/stat start times are measured on.
double boottime_s() {
  timespec ts{};
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string command_of(int dir_fd, int64_t pid) {
  std::string cmd = proc::read_cmdline(dir_fd);
  if (cmd.empty()) {
    char buf[1024];
    const long n = proc::read_small_file(dir_fd, "comm", buf, sizeof buf);
    cmd = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "pid " + std::to_string(pid);
    while (!cmd.empty() && cmd.back() == '\n') cmd.pop_back();
    cmd = "[" + cmd + "]";
  }
  if (cmd.size() > kMaxCommandChars) cmd.resize(kMaxCommandChars);
  return cmd;
}

}  // namespace

ProcessSampler::ProcessSampler() = default;

ProcessSampler::~ProcessSampler() {
  for (auto& t : tracked_) {
    if (t.dir_fd >= 0) close(t.dir_fd);
  }
  if (proc_fd_ >= 0) close(proc_fd_);
}

Result<std::unique_ptr<ProcessSampler>> ProcessSampler::create(const ProcessTargets& targets, MonoTime now) {
  std::unique_ptr<ProcessSampler> s(new ProcessSampler());
  s->targets_ = targets;
  s->self_pid_ = getpid();
  const long tck = sysconf(_SC_CLK_TCK);
  s->ticks_per_s_ = tck > 0 ? static_cast<double>(tck) : 100.0;
  s->proc_fd_ = open(targets.proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->proc_fd_ < 0) {
    return unavailable(targets.proc_root + ": cannot read procfs: " + std::strerror(errno) +
                       "; process sampling needs Linux /proc");
  }
  proc::Stat self{};
  const int self_fd = openat(s->proc_fd_, "self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool self_ok = self_fd >= 0 && proc::read_stat(self_fd, self);
  if (self_fd >= 0) close(self_fd);
  if (!self_ok) return unavailable(targets.proc_root + ": not a readable procfs (cannot parse self/stat)");

  if (!targets.pattern.empty()) {
    try {
      s->matcher_ = std::make_unique<Matcher>(Matcher{std::regex(targets.pattern, std::regex::ECMAScript)});
    } catch (const std::regex_error& e) {
      return invalid_input("process pattern '" + targets.pattern + "': not a valid regular expression (" + e.what() +
                           ")");
    }
  }
  for (const int64_t pid : targets.pids) {
    if (pid <= 0) return invalid_input("pid " + std::to_string(pid) + ": must be a positive process id");
    const int fd = open_pid_dir(s->proc_fd_, pid);
    proc::Stat st{};
    if (fd < 0 || !proc::read_stat(fd, st) || is_dead(st.state)) {
      if (fd >= 0) close(fd);
      return invalid_input("pid " + std::to_string(pid) + ": no such process; check the PID (ps -p " +
                           std::to_string(pid) + ")");
    }
    if (!s->is_tracked_alive(pid))
      s->track(pid, fd, now, false);
    else
      close(fd);
  }
  if (s->matcher_ || targets.children == ChildProcesses::kInclude) s->discover(now, false);
  s->last_discovery_ = now;
  return s;
}

bool ProcessSampler::is_tracked_alive(int64_t pid) const {
  for (const auto& t : tracked_) {
    if (t.alive && t.pid == pid) return true;
  }
  return false;
}

void ProcessSampler::track(int64_t pid, int dir_fd, MonoTime now, bool mid_run) {
  proc::Stat st{};
  proc::Status status{};
  if (!proc::read_stat(dir_fd, st) || is_dead(st.state) || !proc::read_status(dir_fd, status)) {
    close(dir_fd);
    return;
  }
  Tracked t;
  t.pid = pid;
  t.dir_fd = dir_fd;
  t.start_ticks = st.start_ticks;
  t.last_time = now;
  t.hwm_bytes = status.hwm_bytes;
  if (mid_run) {
    // A process found mid-run (a restarted worker) has no baseline; its first sample reports its
    // lifetime average CPU and context switches, counted from its own start.
    const double age_s = boottime_s() - static_cast<double>(st.start_ticks) / ticks_per_s_;
    t.last_time = now - std::chrono::duration_cast<MonoTime>(std::chrono::duration<double>(age_s > 0 ? age_s : 0));
  } else {
    t.last_utime = st.utime_ticks;
    t.last_stime = st.stime_ticks;
    t.last_ctx = status.ctx_switches > 0 ? status.ctx_switches : 0;
  }
  t.timeline = timelines_.size();
  ProcessTimeline timeline;
  timeline.pid = pid;
  timeline.command = command_of(dir_fd, pid);
  timelines_.push_back(std::move(timeline));
  tracked_.push_back(t);
}

void ProcessSampler::discover(MonoTime now, bool mid_run) {
  const bool children = targets_.children == ChildProcesses::kInclude;
  std::unordered_map<int64_t, int64_t> parent_of;
  std::vector<int64_t> matched;
  proc::for_each_pid(proc_fd_, [&](int64_t pid) {
    if (pid == self_pid_) return;
    const bool known = is_tracked_alive(pid);
    if (known && !children) return;
    const int fd = open_pid_dir(proc_fd_, pid);
    if (fd < 0) return;
    if (children) {
      proc::Stat st{};
      if (proc::read_stat(fd, st) && !is_dead(st.state)) parent_of[pid] = st.ppid;
    }
    if (!known && matcher_) {
      const std::string cmd = proc::read_cmdline(fd);
      if (!cmd.empty() && std::regex_search(cmd, matcher_->regex)) matched.push_back(pid);
    }
    close(fd);
  });
  for (const int64_t pid : matched) {
    const int fd = open_pid_dir(proc_fd_, pid);
    if (fd >= 0) track(pid, fd, now, mid_run);
  }
  if (!children) return;
  // Descendants of anything watched, transitively: repeat until no new process joins.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, ppid] : parent_of) {
      if (pid == self_pid_ || is_tracked_alive(pid) || !is_tracked_alive(ppid)) continue;
      const int fd = open_pid_dir(proc_fd_, pid);
      if (fd < 0) continue;
      const size_t before = tracked_.size();
      track(pid, fd, now, mid_run);
      grew = grew || tracked_.size() != before;
    }
  }
}

void ProcessSampler::sample(MonoTime now, int64_t t_ms) {
  const bool rescan = matcher_ || targets_.children == ChildProcesses::kInclude;
  if (rescan && now - last_discovery_ >= targets_.discovery_interval) {
    discover(now, true);
    last_discovery_ = now;
  }
  ProcessTotals totals;
  for (auto& t : tracked_) {
    if (!t.alive) continue;
    proc::Stat st{};
    proc::Status status{};
    if (!proc::read_stat(t.dir_fd, st) || is_dead(st.state) || st.start_ticks != t.start_ticks ||
        !proc::read_status(t.dir_fd, status)) {
      // Gone (or a zombie awaiting its parent): an exit is an event of the run, not an error.
      t.alive = false;
      close(t.dir_fd);
      t.dir_fd = -1;
      ProcessTimeline& timeline = timelines_[t.timeline];
      timeline.exited = true;
      timeline.exited_at_ms = t_ms;
      char note[96];
      std::snprintf(note, sizeof note, "pid %lld exited at %.1f s", static_cast<long long>(t.pid),
                    static_cast<double>(t_ms) / 1000.0);
      notes_.emplace_back(std::string(note) + " (" + timeline.command.substr(0, 60) + ")");
      continue;
    }
    const double dt_s = std::chrono::duration<double>(now - t.last_time).count();
    ProcessSample s;
    s.t_ms = t_ms;
    s.rss_bytes = status.rss_bytes > 0 ? status.rss_bytes : 0;
    s.pss_bytes = proc::read_pss_bytes(t.dir_fd);
    if (dt_s > 0) {
      const double to_percent = 100.0 / (ticks_per_s_ * dt_s);
      s.cpu_user_percent = static_cast<double>(st.utime_ticks - t.last_utime) * to_percent;
      s.cpu_system_percent = static_cast<double>(st.stime_ticks - t.last_stime) * to_percent;
      s.cpu_percent = s.cpu_user_percent + s.cpu_system_percent;
    }
    s.threads = status.threads >= 0 ? status.threads : st.threads;
    s.open_fds = proc::count_open_fds(t.dir_fd);
    s.ctx_switches = status.ctx_switches >= t.last_ctx ? status.ctx_switches - t.last_ctx : 0;
    t.last_utime = st.utime_ticks;
    t.last_stime = st.stime_ticks;
    t.last_ctx = status.ctx_switches >= 0 ? status.ctx_switches : t.last_ctx;
    t.last_time = now;
    if (status.hwm_bytes > t.hwm_bytes) t.hwm_bytes = status.hwm_bytes;
    timelines_[t.timeline].samples.push_back(s);
    totals.rss_bytes += s.rss_bytes;
    totals.cpu_percent += s.cpu_percent;
    ++totals.processes;
  }
  totals_ = totals;
}

std::vector<ProcessTimeline> ProcessSampler::take_timelines(std::vector<std::string>& notes) {
  for (auto& t : tracked_) {
    if (t.hwm_bytes > 0) {
      notes_.push_back("pid " + std::to_string(t.pid) + ": peak RSS (VmHWM) " +
                       format_bytes(static_cast<double>(t.hwm_bytes)) + " (" +
                       timelines_[t.timeline].command.substr(0, 60) + ")");
    }
    if (t.dir_fd >= 0) close(t.dir_fd);
    t.dir_fd = -1;
    t.alive = false;
  }
  tracked_.clear();
  notes.insert(notes.end(), notes_.begin(), notes_.end());
  notes_.clear();
  return std::move(timelines_);
}

}  // namespace perfgate
