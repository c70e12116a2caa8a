#pragma once
// One worker thread's state: its slice of the schedule, its transport, its histograms.

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "core/histogram.h"
#include "flow_iteration.h"
#include "run_plan.h"

namespace perfgate {

/// Counters and histograms of one endpoint within one phase; merged across workers after the run.
struct EndpointCell {
  Histogram latency;
  Histogram service_time;
  int64_t requests = 0;
  std::array<int64_t, static_cast<size_t>(Outcome::kCount_)> outcomes{};
  std::array<int64_t, 1000> statuses{};        // HTTP status -> count (1..999)
  std::map<std::string, NamedMetric> metrics;  // flows only: polls, stream timings
  std::map<std::string, Tally> tallies;        // flows only

  void merge(const EndpointCell& other);
  /// Counts one finished request: its latency (from the due time) and service time in microseconds,
  /// its outcome, and its HTTP status when 1..999 (0: no response).
  void record(int64_t latency_us, int64_t service_us, Outcome outcome, int status);
  /// Records `value` into metric `name` (created with `unit` on first use).
  void add_metric(const char* name, const char* unit, int64_t value);
};

/// Histogram layout of per-interval figures: 2 digits (1%) is plenty for a live line and a timeline
/// point, and keeps each interval histogram at ~25 KiB instead of 184 KiB.
HistogramConfig interval_histogram_config();

/// One endpoint's figures for the current interval.
struct IntervalCell {
  Histogram latency{interval_histogram_config()};
  double latency_sum_us = 0;
  std::array<int64_t, static_cast<size_t>(Outcome::kCount_)> outcomes{};
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t sent = 0;
  int64_t max_lag_ns = 0;
};

/// Everything a worker gathered since the coordinator last collected.
struct IntervalAccum {
  std::vector<IntervalCell> endpoints;
  int64_t lag_count = 0;
  double lag_sum_ns = 0;
  int64_t lag_max_ns = 0;
  int64_t behind = 0;            // sent more than 1 ms after due
  int64_t connection_waits = 0;  // found no free connection when due
  int64_t connect_failures = 0;  // completions that failed to connect (refused, unreachable, TLS)
  int64_t connected = 0;         // completions that reached the server, whatever their status
  int64_t io_waited_ns = 0;      // time the workers were blocked waiting for I/O (summed over workers)

  void reset();
  void merge(const IntervalAccum& other);
};

/// Runs one worker's share of the plan: requests with index % threads == id (open model) or the
/// virtual users with index % threads == id (closed model).
class Worker {
 public:
  Worker(const RunPlan& plan, int id, const Clock& clock, uint64_t seed);

  /// Creates the transport and prepares every request; errors are setup failures.
  Status init(TransportKind kind, TlsVerification tls = TlsVerification::kVerify);

  /// The worker thread's body: runs until the schedule is done and nothing is in flight, or stop.
  void run(MonoTime start, const std::atomic<bool>& stop);

  /// Moves this interval's figures into `into` (merging) and starts a new interval. Thread-safe.
  void collect(IntervalAccum& into);

  /// Requests in flight now (approximate; read from another thread).
  [[nodiscard]] int64_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

  /// Streamed responses open now (approximate; read from another thread).
  [[nodiscard]] int64_t open_streams() const { return open_streams_.load(std::memory_order_relaxed); }

  /// Per phase, per statistics slot (RunPlan::slots) figures; read only after run() returned.
  [[nodiscard]] const std::vector<std::vector<EndpointCell>>& cells() const { return cells_; }

 private:
  struct Pending {
    MonoTime due{0};        // when this step was due: the arrival, or the previous step's end
    MonoTime flow_due{0};   // when the iteration was due (first step)
    MonoTime flow_sent{0};  // when the first step was sent
    uint32_t endpoint = 0;
    uint16_t phase = 0;
    uint16_t step = 0;
    bool retry = false;      // a poll repeat: not an arrival
    int32_t user = -1;       // closed model: index into users_
    int32_t iteration = -1;  // dynamic endpoints: index into iterations_
  };
  struct User {
    MonoTime ready{0};
    int64_t global_index = 0;
    bool busy = false;
  };

  void release_open(MonoTime now, MonoTime start);
  void release_closed(MonoTime now, MonoTime start);
  void enqueue(const Pending& p);
  Pending pop_pending();
  void dispatch(MonoTime now);
  void expire_pending(MonoTime now);
  void complete(const Pending& p, Outcome outcome, int status, MonoTime sent, MonoTime done);
  [[nodiscard]] std::chrono::nanoseconds timeout_of(const Pending& p) const;
  [[nodiscard]] bool source_exhausted() const;

  // Flows with state (worker_flow.cpp).
  int32_t acquire_iteration(uint32_t endpoint, int64_t number);
  bool start_dynamic(Pending& p, uint64_t slot, MonoTime now);
  void complete_flow(const Pending& p, Outcome outcome, int status, MonoTime sent, MonoTime done);
  void finish_iteration(const Pending& p, Outcome outcome, int status, MonoTime sent, MonoTime done, MonoTime step_due);
  void schedule(const Pending& p);
  void release_delayed(MonoTime now);
  void check_streams(MonoTime now);
  [[nodiscard]] std::chrono::nanoseconds flow_wait(MonoTime now) const;
  void end_user(const Pending& p, MonoTime done);
  void forget_stream(uint64_t slot);
  void cancel_stream(uint64_t slot, MonoTime now);
  const RunPlan& plan_;
  int id_;
  const Clock& clock_;
  EndpointPicker picker_;
  std::unique_ptr<Transport> transport_;
  std::vector<std::vector<size_t>> request_ids_;  // by endpoint, then step
  std::vector<std::vector<EndpointCell>> cells_;

  // Open model cursor.
  int64_t next_index_ = 0;
  std::optional<std::chrono::nanoseconds> next_due_;
  // Closed model users.
  std::vector<User> users_;
  bool users_done_ = false;
  MonoTime previous_check_ = MonoTime::min();
  // The users are scanned only when one may be released: the active count changed, or the earliest
  // think time of an idle user ended. With every user holding a long stream, nothing is scanned.
  MonoTime next_release_ = MonoTime::min();
  int64_t scanned_active_ = -1;

  // Requests due but waiting for a connection: a ring that grows to the worst backlog and stays.
  std::vector<Pending> ring_;
  size_t ring_head_ = 0;
  size_t ring_size_ = 0;
  size_t blocked_counted_ = 0;        // queued requests already counted as connection waits
  int64_t io_waited_counted_ns_ = 0;  // transport I/O wait already added to interval_
  std::vector<Pending> slots_;        // in flight, by transport tag
  std::vector<uint64_t> free_slots_;
  std::vector<Completion> completions_;

  std::vector<std::unique_ptr<FlowIteration>> iterations_;
  std::vector<int32_t> free_iterations_;
  std::vector<Pending> delayed_;  // min-heap by due: poll repeats and think time between steps
  // Streams in flight, by transport tag; with thousands open, nothing here is a scan over them: a
  // stream is found through the cancel queue (cancel_after_events) or the deadline heap (cancel_after).
  struct StreamDeadline {
    MonoTime at{0};
    uint64_t slot = 0;
  };
  std::vector<uint8_t> stream_open_;              // by tag: a stream is in flight there
  int64_t streams_ = 0;                           // how many
  std::vector<uint64_t> cancel_queue_;            // tags whose stream reached cancel_after_events
  std::vector<StreamDeadline> stream_deadlines_;  // min-heap by `at`; entries of ended streams are skipped
  std::atomic<int64_t> open_streams_{0};
  std::vector<Pending> unrendered_;  // steps whose variables were undefined, failed after dispatch
  std::mt19937_64 rng_;
  int64_t iterations_started_ = 0;  // closed model
  int64_t iteration_quota_ = -1;    // closed model max_iterations share; -1: unlimited

  std::mutex interval_mutex_;
  IntervalAccum interval_;
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace perfgate
