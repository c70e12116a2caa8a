#include "loadgen/engine.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "run_plan.h"
#include "run_record.h"
#include "worker.h"

namespace perfgate {
namespace {

using std::chrono::nanoseconds;

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The process's resident set, bytes (/proc/self/statm); -1 when unreadable.
int64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long long size_pages = 0;
  long long resident_pages = -1;
  const int got = std::fscanf(f, "%lld %lld", &size_pages, &resident_pages);
  std::fclose(f);
  if (got != 2 || resident_pages < 0) return -1;
  return resident_pages * ::sysconf(_SC_PAGESIZE);
}

// Every connection is a descriptor; the common soft limit of 1024 would turn a large pool into a
// wall of connect errors that are the generator's fault, not the target's. When even the hard limit
// cannot hold the pool, the run is refused before any request: failures caused by the generator's
// own limit would otherwise be reported as the target refusing connections.
constexpr rlim_t kSpareDescriptors = 64;  // stdio, epoll and eventfds, libcurl, result writing

Status raise_descriptor_limit(const RunPlan& plan) {
  const int connections = plan.total_connections;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  const rlim_t wanted = static_cast<rlim_t>(connections) + 256;
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  const rlim_t needed = static_cast<rlim_t>(connections) + kSpareDescriptors;
  if (limit.rlim_cur >= needed) return {};
  const std::string allows = " file descriptors but RLIMIT_NOFILE allows " + std::to_string(limit.rlim_cur) +
                             " (hard limit " + std::to_string(limit.rlim_max) + "); ";
  if (plan.model == LoadModel::kClosed) {
    // A closed-model user holds its connection (a stream: for the whole stream), so the user count
    // is the number to lower.
    return invalid_input("load: " + std::to_string(connections) + " virtual users need " + std::to_string(needed) +
                         allows + "raise the hard limit to at least " + std::to_string(needed) +
                         " (ulimit -Hn, or LimitNOFILE= under systemd) or run fewer users per process (--segment)");
  }
  return invalid_input("connections: " + std::to_string(connections) + " connections need about " +
                       std::to_string(needed) + allows +
                       "lower --connections (or the scenario's max_connections) or raise the limit (ulimit -n)");
}

// Drives the workers from the caller's thread: cuts the timeline into intervals, tells the observer,
// relays a stop request.
class Coordinator {
 public:
  Coordinator(const RunPlan& plan, const EngineOptions& options, const Clock& clock, RunObserver* observer,
              const StopSignal* stop)
      : plan_(plan), options_(options), clock_(clock), observer_(observer), stop_(stop) {
    interval_.endpoints.resize(plan.endpoints.size());
  }

  Result<RunRecord> run() {
    if (auto st = raise_descriptor_limit(plan_); !st) return st.error();
    // Idle is before the workers exist: their connection pools grow with the number of users, so
    // memory per stream must include them, not hide them in the baseline.
    record_.rss_idle_bytes = resident_bytes();
    record_.rss_peak_bytes = record_.rss_idle_bytes;
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < plan_.threads; ++i) {
      workers.push_back(std::make_unique<Worker>(plan_, i, clock_, options_.seed));
      if (auto st = workers.back()->init(options_.transport, options_.tls); !st) return st.error();
    }
    wait_for_start_at();
    const double cpu_before = cpu_seconds();
    if (observer_ != nullptr) observer_->on_start(phase_infos(plan_));
    // The schedule starts a moment after the threads are created, so that thread start-up is not
    // counted as the generator falling behind on the first requests.
    MonoTime start = clock_.now() + std::chrono::milliseconds(20);
    const nanoseconds wall_now = std::chrono::system_clock::now().time_since_epoch();
    if (options_.start_at_unix_ms > 0) {
      const nanoseconds until = std::chrono::milliseconds(options_.start_at_unix_ms) - wall_now;
      start = std::max(start, clock_.now() + until);
    }
    record_.start_unix_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(wall_now + (start - clock_.now())).count();
    std::atomic<bool> halt{false};
    std::atomic<int> finished{0};
    std::vector<std::thread> threads;
    threads.reserve(workers.size());
    for (auto& w : workers) {
      threads.emplace_back([&w, &halt, &finished, start] {
        w->run(start, halt);
        finished.fetch_add(1, std::memory_order_release);
      });
    }
    size_t phase = SIZE_MAX;
    int64_t k = 0;
    while (true) {
      sample_memory(workers);
      const nanoseconds elapsed = clock_.now() - start;
      if (stop_ != nullptr && stop_->stop_requested() && !record_.stopped) {
        record_.stopped = elapsed < plan_.duration;
        record_.elapsed = elapsed;
        halt.store(true, std::memory_order_relaxed);
      }
      if (elapsed < plan_.duration && !plan_.phases.empty()) {
        const size_t now_phase = phase_index_at(plan_.phases, elapsed);
        if (now_phase != phase) {
          phase = now_phase;
          if (observer_ != nullptr) observer_->on_phase_change(phase_infos(plan_)[phase]);
        }
      }
      if (elapsed >= options_.interval * (k + 1)) {
        close_interval(workers, k, options_.interval, elapsed);
        ++k;
        if (nothing_connects(options_.interval) && !halt.load(std::memory_order_relaxed)) {
          record_.gave_up = true;
          record_.stopped = elapsed < plan_.duration;
          record_.elapsed = elapsed;
          halt.store(true, std::memory_order_relaxed);
        }
      }
      if (finished.load(std::memory_order_acquire) == plan_.threads) break;
      const nanoseconds to_boundary = options_.interval * (k + 1) - (clock_.now() - start);
      std::this_thread::sleep_for(std::clamp(to_boundary, nanoseconds{0}, nanoseconds{std::chrono::milliseconds(10)}));
    }
    for (auto& t : threads) t.join();
    sample_memory(workers);
    const nanoseconds end = clock_.now() - start;
    if (!record_.stopped || record_.elapsed.count() == 0) record_.elapsed = end;
    record_.ran = end;
    const nanoseconds tail = end - options_.interval * k;
    if (tail.count() > 0) close_interval(workers, k, tail, end);
    const double wall_s = static_cast<double>(end.count()) / 1e9;
    record_.cpu_percent = wall_s > 0 ? (cpu_seconds() - cpu_before) / wall_s * 100 : 0;
    workers_ = std::move(workers);
    return std::move(record_);
  }

  [[nodiscard]] std::vector<const Worker*> workers() const {
    std::vector<const Worker*> out;
    for (const auto& w : workers_) out.push_back(w.get());
    return out;
  }

 private:
  // A target that refuses every connection would otherwise be hammered for the whole schedule (a
  // 30-minute scenario against a typo'd port); once anything connected, later refusals are the
  // system under test failing and are measured, not cut short.
  bool nothing_connects(nanoseconds length) {
    if (interval_.connected > 0) ever_connected_ = true;
    if (ever_connected_ || options_.give_up_after.count() <= 0) return false;
    if (interval_.connect_failures > 0) refused_for_ += length;
    return refused_for_ >= options_.give_up_after;
  }

  // Shards on several machines share a wall-clock start (--start-at); waiting here, before the
  // threads and the observers start, keeps the wait out of the timeline and the live progress.
  // The last 100 ms are left to the schedule's own precise start.
  void wait_for_start_at() const {
    if (options_.start_at_unix_ms <= 0) return;
    const auto margin = std::chrono::milliseconds(100);
    while (stop_ == nullptr || !stop_->stop_requested()) {
      const nanoseconds left = std::chrono::milliseconds(options_.start_at_unix_ms) -
                               std::chrono::system_clock::now().time_since_epoch() - margin;
      if (left.count() <= 0) return;
      std::this_thread::sleep_for(std::min<nanoseconds>(left, std::chrono::milliseconds(50)));
    }
  }

  void close_interval(const std::vector<std::unique_ptr<Worker>>& workers, int64_t k, nanoseconds length,
                      nanoseconds elapsed) {
    interval_.reset();
    int64_t in_flight = 0;
    for (const auto& w : workers) {
      w->collect(interval_);
      in_flight += w->in_flight();
    }
    const int64_t t_ms = (options_.interval * k).count() / 1'000'000;
    append_interval(record_, interval_, t_ms, length.count() / 1'000'000);
    if (observer_ == nullptr) return;
    LiveStatus status;
    status.elapsed = elapsed;
    status.total = plan_.duration;
    status.model = plan_.model;
    // Phase and target at the interval's midpoint: for a linear ramp that is the interval's mean
    // target, the figure its achieved rate should be compared with.
    const nanoseconds middle = options_.interval * k + length / 2;
    if (!plan_.phases.empty()) {
      const PhasePlan& p = plan_.phases[phase_index_at(plan_.phases, middle)];
      status.phase = p.name;
      status.phase_excluded = p.excluded;
    }
    status.target = plan_.model == LoadModel::kOpen
                        ? plan_.arrivals->rate_at(middle) / plan_.segment.count
                        : static_cast<double>(plan_.segment.share_of(plan_.users->active_at(middle)));
    status.interval = record_.timeline.back();
    status.health = health_of(record_, plan_);
    status.in_flight = in_flight;
    status.endpoints.resize(interval_.endpoints.size());
    for (size_t i = 0; i < interval_.endpoints.size(); ++i) {
      const IntervalCell& c = interval_.endpoints[i];
      LiveEndpoint& e = status.endpoints[i];
      e.name = plan_.endpoints[i].name;
      e.requests = c.requests;
      e.sent = c.sent;
      e.outcomes = c.outcomes;
      e.latency_sum_us = c.latency_sum_us;
      e.latency = c.latency;
    }
    observer_->on_interval(status);
  }

  // Every 10 ms at most (the loop's pace): a few microseconds for statm and one atomic per worker.
  void sample_memory(const std::vector<std::unique_ptr<Worker>>& workers) {
    int64_t streams = 0;
    for (const auto& w : workers) streams += w->open_streams();
    record_.peak_open_streams = std::max(record_.peak_open_streams, streams);
    const int64_t rss = resident_bytes();
    if (rss >= 0) record_.rss_peak_bytes = std::max(record_.rss_peak_bytes, rss);
  }

  bool ever_connected_ = false;
  nanoseconds refused_for_{0};
  const RunPlan& plan_;
  const EngineOptions& options_;
  const Clock& clock_;
  RunObserver* observer_;
  const StopSignal* stop_;
  IntervalAccum interval_;
  RunRecord record_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace

Result<RunResult> run_load(const Scenario& scenario, const EngineOptions& options, const Clock& clock,
                           RunObserver* observer, const StopSignal* stop) {
  auto plan = make_run_plan(scenario, options);
  if (!plan) return plan.error();
  Coordinator coordinator(*plan, options, clock, observer, stop);
  auto record = coordinator.run();
  if (!record) return record.error();
  RunResult result = assemble_result(scenario, *plan, coordinator.workers(), *record);
  result.segment = options.segment;
  if (observer != nullptr) observer->on_finish(result);
  return result;
}

}  // namespace perfgate
