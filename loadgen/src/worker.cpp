#include "worker.h"

#include <sys/prctl.h>

#include <algorithm>

namespace perfgate {
namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds kMaxWait = std::chrono::milliseconds(50);
constexpr nanoseconds kClosedRecheck = std::chrono::milliseconds(10);
constexpr int64_t kBehindNs = 1'000'000;

int64_t to_us(nanoseconds d) { return std::max<int64_t>(0, d.count() / 1000); }

// Seeds the endpoint choice and variables per worker and per segment, so shards of one run do not
// repeat each other's sequences; the whole load (segment 1/1) keeps the worker id alone.
uint64_t stream_id(const RunPlan& plan, int id) {
  return static_cast<uint64_t>(id) + (static_cast<uint64_t>(plan.segment.index - 1) << 20U);
}

}  // namespace

HistogramConfig interval_histogram_config() { return HistogramConfig{1, 3'600'000'000, 2}; }

void EndpointCell::merge(const EndpointCell& other) {
  latency.merge(other.latency);
  service_time.merge(other.service_time);
  requests += other.requests;
  for (size_t i = 0; i < outcomes.size(); ++i) outcomes[i] += other.outcomes[i];
  for (size_t i = 0; i < statuses.size(); ++i) statuses[i] += other.statuses[i];
  for (const auto& [name, m] : other.metrics) {
    auto [it, fresh] = metrics.try_emplace(name, m);
    if (!fresh) it->second.histogram.merge(m.histogram);
  }
  for (const auto& [name, t] : other.tallies) {
    for (const auto& [value, n] : t) tallies[name][value] += n;
  }
}

void EndpointCell::record(int64_t latency_us, int64_t service_us, Outcome outcome, int status) {
  latency.record(latency_us);
  service_time.record(service_us);
  ++requests;
  ++outcomes[static_cast<size_t>(outcome)];
  if (status > 0 && status < 1000) ++statuses[static_cast<size_t>(status)];
}

void EndpointCell::add_metric(const char* name, const char* unit, int64_t value) {
  auto it = metrics.find(name);
  if (it == metrics.end()) it = metrics.emplace(name, NamedMetric{unit, Histogram{}}).first;
  it->second.histogram.record(value);
}

void IntervalAccum::reset() {
  for (auto& c : endpoints) {
    c.latency.reset();
    c.latency_sum_us = 0;
    c.outcomes.fill(0);
    c.requests = c.errors = c.sent = c.max_lag_ns = 0;
  }
  lag_count = behind = connection_waits = lag_max_ns = connect_failures = connected = io_waited_ns = 0;
  lag_sum_ns = 0;
}

void IntervalAccum::merge(const IntervalAccum& other) {
  if (endpoints.size() < other.endpoints.size()) endpoints.resize(other.endpoints.size());
  for (size_t i = 0; i < other.endpoints.size(); ++i) {
    IntervalCell& c = endpoints[i];
    const IntervalCell& o = other.endpoints[i];
    c.latency.merge(o.latency);
    c.latency_sum_us += o.latency_sum_us;
    for (size_t k = 0; k < c.outcomes.size(); ++k) c.outcomes[k] += o.outcomes[k];
    c.requests += o.requests;
    c.errors += o.errors;
    c.sent += o.sent;
    c.max_lag_ns = std::max(c.max_lag_ns, o.max_lag_ns);
  }
  lag_count += other.lag_count;
  lag_sum_ns += other.lag_sum_ns;
  lag_max_ns = std::max(lag_max_ns, other.lag_max_ns);
  behind += other.behind;
  connect_failures += other.connect_failures;
  connected += other.connected;
  connection_waits += other.connection_waits;
  io_waited_ns += other.io_waited_ns;
}

Worker::Worker(const RunPlan& plan, int id, const Clock& clock, uint64_t seed)
    : plan_(plan),
      id_(id),
      clock_(clock),
      picker_(
          [&] {
            std::vector<double> w;
            for (const auto& e : plan.endpoints) w.push_back(e.weight);
            return w;
          }(),
          seed * 0x9E3779B97F4A7C15ULL + stream_id(plan, id)),
      rng_(seed * 0xBF58476D1CE4E5B9ULL + stream_id(plan, id)) {
  cells_.resize(std::max<size_t>(1, plan.phases.size()));
  for (auto& phase : cells_) phase.resize(plan.slots.size());
  interval_.endpoints.resize(plan.endpoints.size());
  slots_.resize(static_cast<size_t>(plan.connections_per_worker));
  stream_open_.resize(slots_.size());
  for (size_t i = slots_.size(); i-- > 0;) free_slots_.push_back(i);
  ring_.resize(64);
  if (plan.model == LoadModel::kOpen) {
    next_index_ = plan.first_arrival(id);
    next_due_ = plan.arrivals->due_time(next_index_);
  } else {
    for (int64_t g = plan.first_arrival(id); g < plan.users->peak(); g += plan.arrival_stride()) {
      users_.push_back(User{MonoTime{0}, g, false});
    }
    if (plan.max_iterations > 0) {
      iteration_quota_ = plan.max_iterations / plan.threads + (id < plan.max_iterations % plan.threads ? 1 : 0);
    }
  }
}

Status Worker::init(TransportKind kind, TlsVerification tls) {
  auto transport = make_transport(plan_.target, kind, TransportOptions{plan_.connections_per_worker, tls}, clock_);
  if (!transport) return transport.error();
  transport_ = std::move(*transport);
  for (const auto& e : plan_.endpoints) {
    request_ids_.emplace_back();
    for (const auto& step : e.steps) {
      auto id = transport_->prepare(step.spec);
      if (!id) return id.error();
      request_ids_.back().push_back(*id);
    }
  }
  return {};
}

void Worker::enqueue(const Pending& p) {
  if (ring_size_ == ring_.size()) {
    std::vector<Pending> bigger(ring_.size() * 2);
    for (size_t i = 0; i < ring_size_; ++i) bigger[i] = ring_[(ring_head_ + i) % ring_.size()];
    ring_ = std::move(bigger);
    ring_head_ = 0;
  }
  ring_[(ring_head_ + ring_size_) % ring_.size()] = p;
  ++ring_size_;
}

void Worker::release_open(MonoTime now, MonoTime start) {
  while (next_due_ && start + *next_due_ <= now) {
    const auto due = *next_due_;
    Pending p;
    p.due = p.flow_due = start + due;
    p.endpoint = static_cast<uint32_t>(picker_.next());
    p.phase = static_cast<uint16_t>(phase_index_at(plan_.phases, due));
    p.iteration = acquire_iteration(p.endpoint, next_index_);
    enqueue(p);
    next_index_ += plan_.arrival_stride();
    next_due_ = plan_.arrivals->due_time(next_index_);
  }
}

void Worker::release_closed(MonoTime now, MonoTime start) {
  const auto elapsed = now - start;
  if (elapsed >= plan_.duration) {
    users_done_ = true;
    return;
  }
  const int64_t active = plan_.users->active_at(elapsed);
  if (iteration_quota_ >= 0 && iterations_started_ >= iteration_quota_) {
    users_done_ = true;
    return;
  }
  if (active == scanned_active_ && now < next_release_) {
    // No idle active user is ready yet: a check that releases nobody (previous_check_ keeps its meaning).
    previous_check_ = now;
    return;
  }
  scanned_active_ = active;
  next_release_ = MonoTime::max();
  for (size_t i = 0; i < users_.size(); ++i) {
    User& u = users_[i];
    if (u.busy || u.global_index >= active) continue;
    if (u.ready > now) {
      next_release_ = std::min(next_release_, u.ready);
      continue;
    }
    if (iteration_quota_ >= 0 && iterations_started_ >= iteration_quota_) break;
    // Ready before the previous check yet not released then: the user was inactive (not yet ramped
    // in), so its iteration begins now; otherwise it begins when its think time ended. A user that
    // never ran (ready at 0) begins now too: when the first check comes after the start (a thread
    // scheduled late on a busy machine), "when its think time ended" would be the clock's epoch and
    // its first request an hour-long timeout.
    const MonoTime begin = u.ready < previous_check_ || u.ready < start ? now : u.ready;
    u.busy = true;
    Pending p;
    p.due = p.flow_due = begin;
    p.endpoint = static_cast<uint32_t>(picker_.next());
    p.phase = static_cast<uint16_t>(phase_index_at(plan_.phases, begin - start));
    p.user = static_cast<int32_t>(i);
    p.iteration = acquire_iteration(
        p.endpoint, (iterations_started_ * plan_.threads + id_) * plan_.segment.count + plan_.segment.index - 1);
    ++iterations_started_;
    enqueue(p);
  }
  previous_check_ = now;
}

Worker::Pending Worker::pop_pending() {
  const Pending p = ring_[ring_head_];
  ring_head_ = (ring_head_ + 1) % ring_.size();
  --ring_size_;
  if (blocked_counted_ > 0) --blocked_counted_;
  return p;
}

bool Worker::source_exhausted() const {
  const bool schedule_done = plan_.model == LoadModel::kOpen ? !next_due_.has_value() : users_done_;
  return schedule_done && delayed_.empty() && streams_ == 0;
}

void Worker::expire_pending(MonoTime now) {
  // A request that waited a whole timeout for a connection has failed as surely as one that was
  // sent and never answered; counting it keeps the backlog (and memory) bounded when the target hangs.
  while (ring_size_ > 0) {
    const Pending& p = ring_[ring_head_];
    if (now - p.due < timeout_of(p)) break;
    const Pending copy = pop_pending();
    complete(copy, Outcome::kTimeout, 0, now, now);
  }
}

void Worker::dispatch(MonoTime now) {
  std::lock_guard lock(interval_mutex_);
  while (ring_size_ > 0 && transport_->has_capacity() && !free_slots_.empty()) {
    Pending p = pop_pending();
    const uint64_t slot = free_slots_.back();
    if (p.step == 0 && !p.retry) p.flow_sent = now;
    if (p.iteration >= 0) {
      if (!start_dynamic(p, slot, now)) continue;
    } else {
      transport_->start(request_ids_[p.endpoint][p.step], slot);
    }
    free_slots_.pop_back();
    slots_[slot] = p;
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    if (p.step > 0 || p.retry) continue;
    // Arrivals only: a flow's later steps are not on the schedule.
    IntervalCell& cell = interval_.endpoints[p.endpoint];
    ++cell.sent;
    if (plan_.model == LoadModel::kOpen) {
      const int64_t lag = (now - p.due).count();
      cell.max_lag_ns = std::max(cell.max_lag_ns, lag);
      interval_.lag_max_ns = std::max(interval_.lag_max_ns, lag);
      interval_.lag_sum_ns += static_cast<double>(lag);
      ++interval_.lag_count;
      if (lag > kBehindNs) ++interval_.behind;
    }
  }
  const int64_t waited_ns = transport_->io_waited().count();
  interval_.io_waited_ns += waited_ns - io_waited_counted_ns_;
  io_waited_counted_ns_ = waited_ns;
  // Everything still queued found no free connection; count each such request once.
  if (ring_size_ > blocked_counted_) {
    interval_.connection_waits += static_cast<int64_t>(ring_size_ - blocked_counted_);
    blocked_counted_ = ring_size_;
  }
}

std::chrono::nanoseconds Worker::timeout_of(const Pending& p) const {
  return plan_.endpoints[p.endpoint].steps[p.step].spec.timeout;
}

void Worker::complete(const Pending& p, Outcome outcome, int status, MonoTime sent, MonoTime done) {
  // Open model: latency counts from the moment the request was due, not from when it was sent. A
  // generator that measures from the send time stops sending while the server stalls and so never
  // samples the stall it caused (coordinated omission, as wrk2 explains); the due time is what a
  // real user arriving on schedule would have experienced. Service time (send -> done) is kept beside
  // it. Closed model: `due` is when the user began its iteration, so both are close.
  if (p.iteration >= 0) {
    complete_flow(p, outcome, status, sent, done);
    return;
  }
  const PlannedEndpoint& e = plan_.endpoints[p.endpoint];
  if (outcome == Outcome::kOk && status > 0) outcome = outcome_for_status(status, e.steps[p.step].expected_statuses);
  std::vector<EndpointCell>& cells = cells_[p.phase];
  if (e.is_flow()) {
    cells[e.first_slot + 1 + p.step].record(to_us(done - p.due), to_us(done - sent), outcome, status);
    if (outcome == Outcome::kOk && p.step + 1u < e.steps.size()) {
      // The next step is due the moment this one ends; it queues like any arrival.
      Pending next = p;
      ++next.step;
      next.due = done;
      enqueue(next);
      return;
    }
  }
  // A plain request, or a whole flow (ended by its last step or its first failure).
  const int64_t latency_us = to_us(done - p.flow_due);
  cells[e.first_slot].record(latency_us, to_us(done - (e.is_flow() ? p.flow_sent : sent)), outcome, status);
  {
    std::lock_guard lock(interval_mutex_);
    IntervalCell& ic = interval_.endpoints[p.endpoint];
    ic.latency.record(latency_us);
    ic.latency_sum_us += static_cast<double>(latency_us);
    ++ic.outcomes[static_cast<size_t>(outcome)];
    ++ic.requests;
    if (outcome != Outcome::kOk) ++ic.errors;
    ++(outcome == Outcome::kConnect ? interval_.connect_failures : interval_.connected);
  }
  end_user(p, done);
}

void Worker::end_user(const Pending& p, MonoTime done) {
  if (p.user < 0) return;
  User& u = users_[static_cast<size_t>(p.user)];
  u.busy = false;
  u.ready = done + plan_.endpoints[p.endpoint].think_time;
  next_release_ = std::min(next_release_, u.ready);
}

void Worker::run(MonoTime start, const std::atomic<bool>& stop) {
  // The default 50 us timer slack would be added to every wake-up for a due request.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  completions_.reserve(slots_.size());
  while (!stop.load(std::memory_order_relaxed)) {
    MonoTime now = clock_.now();
    if (plan_.model == LoadModel::kOpen)
      release_open(now, start);
    else if (!users_done_)
      release_closed(now, start);
    release_delayed(now);
    expire_pending(now);
    dispatch(now);
    while (!unrendered_.empty()) {
      const Pending failed = unrendered_.back();
      unrendered_.pop_back();
      complete(failed, Outcome::kCheck, 0, now, now);
    }
    if (source_exhausted() && ring_size_ == 0 && transport_->in_flight() == 0) break;

    nanoseconds wait = kMaxWait;
    now = clock_.now();
    if (plan_.model == LoadModel::kOpen) {
      if (next_due_) wait = std::min(wait, std::max(nanoseconds{0}, start + *next_due_ - now));
    } else if (!users_done_) {
      wait = std::min(wait, kClosedRecheck);
      if (next_release_ != MonoTime::max()) wait = std::min(wait, std::max(nanoseconds{0}, next_release_ - now));
    }
    wait = std::min(wait, flow_wait(now));
    if (ring_size_ > 0) {
      const auto& front = ring_[ring_head_];
      wait = std::min(wait, std::max(nanoseconds{0}, front.due + timeout_of(front) - now));
    }
    completions_.clear();
    transport_->poll(wait, completions_);
    for (const Completion& c : completions_) {
      const Pending p = slots_[c.tag];
      free_slots_.push_back(c.tag);
      in_flight_.fetch_sub(1, std::memory_order_relaxed);
      forget_stream(c.tag);
      complete(p, c.outcome, c.status, c.sent, c.done);
    }
    if (streams_ > 0 || !cancel_queue_.empty()) check_streams(clock_.now());
  }
}

void Worker::collect(IntervalAccum& into) {
  std::lock_guard lock(interval_mutex_);
  into.merge(interval_);
  interval_.reset();
}

}  // namespace perfgate
