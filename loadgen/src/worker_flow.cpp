// The worker's handling of flows with state: per-iteration variables, rendered requests, response
// rules, polling, streams and think time between steps. Plain requests never come here.
#include <algorithm>
#include <cmath>

#include "core/metric_names.h"
#include "worker.h"

namespace perfgate {
namespace {

using std::chrono::nanoseconds;

int64_t to_us(nanoseconds d) { return std::max<int64_t>(0, d.count() / 1000); }

bool later(const auto& a, const auto& b) { return a.due > b.due; }

}  // namespace

int32_t Worker::acquire_iteration(uint32_t endpoint, int64_t number) {
  if (!plan_.endpoints[endpoint].dynamic) return -1;
  int32_t index;
  if (!free_iterations_.empty()) {
    index = free_iterations_.back();
    free_iterations_.pop_back();
  } else {
    iterations_.push_back(std::make_unique<FlowIteration>());
    index = static_cast<int32_t>(iterations_.size() - 1);
  }
  FlowIteration& it = *iterations_[static_cast<size_t>(index)];
  plan_.variables.begin_iteration(number, rng_, it.values);
  it.polling = false;
  it.think = nanoseconds{0};
  return index;
}

bool Worker::start_dynamic(Pending& p, uint64_t slot, MonoTime now) {
  const PlannedStep& st = plan_.endpoints[p.endpoint].steps[p.step];
  FlowIteration& it = *iterations_[static_cast<size_t>(p.iteration)];
  it.sent = now;
  it.cancel_at = MonoTime::max();
  if (st.flow == nullptr) {
    transport_->start(request_ids_[p.endpoint][p.step], slot);
    return true;
  }
  const FlowStepPlan& f = *st.flow;
  it.capture.begin(&f.rules, f.stream ? &*f.stream : nullptr, &clock_);
  ResponseSink* sink = f.rules.reads_response() || f.stream ? &it.capture : nullptr;
  if (f.templated) {
    it.spec.method = st.spec.method;
    it.spec.timeout = st.spec.timeout;
    if (!f.render(it.values, it.spec)) {
      unrendered_.push_back(p);
      return false;
    }
    transport_->start_once(it.spec, slot, sink);
  } else {
    transport_->start(request_ids_[p.endpoint][p.step], slot, sink);
  }
  if (f.poll) {
    if (!it.polling) it.poll.begin(p.due, f.poll->interval, f.poll->deadline);
    it.polling = true;
    it.poll.on_sent(now);
  }
  if (f.stream) {
    if (f.stream->cancel_after_time) {
      it.cancel_at = now + *f.stream->cancel_after_time;
      stream_deadlines_.push_back(StreamDeadline{it.cancel_at, slot});
      std::push_heap(stream_deadlines_.begin(), stream_deadlines_.end(),
                     [](const auto& a, const auto& b) { return a.at > b.at; });
    }
    if (f.stream->cancel_after_events) it.capture.notify_cancel(&cancel_queue_, slot);
    stream_open_[slot] = 1;
    ++streams_;
    open_streams_.store(streams_, std::memory_order_relaxed);
  }
  return true;
}

void Worker::schedule(const Pending& p) {
  delayed_.push_back(p);
  std::push_heap(delayed_.begin(), delayed_.end(), [](const Pending& a, const Pending& b) { return later(a, b); });
}

void Worker::release_delayed(MonoTime now) {
  while (!delayed_.empty() && delayed_.front().due <= now) {
    std::pop_heap(delayed_.begin(), delayed_.end(), [](const Pending& a, const Pending& b) { return later(a, b); });
    enqueue(delayed_.back());
    delayed_.pop_back();
  }
}

nanoseconds Worker::flow_wait(MonoTime now) const {
  nanoseconds wait = nanoseconds::max();
  if (!delayed_.empty()) wait = std::max(nanoseconds{0}, delayed_.front().due - now);
  // An entry of a stream that already ended only wakes the loop once, early.
  if (!stream_deadlines_.empty()) wait = std::min(wait, std::max(nanoseconds{0}, stream_deadlines_.front().at - now));
  return wait;
}

void Worker::forget_stream(uint64_t slot) {
  if (stream_open_[slot] == 0) return;
  stream_open_[slot] = 0;
  --streams_;
  open_streams_.store(streams_, std::memory_order_relaxed);
}

void Worker::check_streams(MonoTime now) {
  // Only the streams that asked to be cancelled are visited. An entry is stale when its stream ended
  // first (the tag may even carry a newer stream by now): a stream is cancelled only if it is open
  // and its own capture or deadline says so.
  const auto due_now = [&](uint64_t slot) {
    if (stream_open_[slot] == 0) return false;
    const FlowIteration& it = *iterations_[static_cast<size_t>(slots_[slot].iteration)];
    return it.capture.cancel_requested() || now >= it.cancel_at;
  };
  while (!cancel_queue_.empty()) {
    const uint64_t slot = cancel_queue_.back();
    cancel_queue_.pop_back();
    if (due_now(slot)) cancel_stream(slot, now);
  }
  while (!stream_deadlines_.empty() && stream_deadlines_.front().at <= now) {
    std::pop_heap(stream_deadlines_.begin(), stream_deadlines_.end(),
                  [](const auto& a, const auto& b) { return a.at > b.at; });
    const uint64_t slot = stream_deadlines_.back().slot;
    stream_deadlines_.pop_back();
    if (due_now(slot)) cancel_stream(slot, now);
  }
}

void Worker::cancel_stream(uint64_t slot, MonoTime now) {
  // A stream is cancelled by closing its connection, as a browser tab closing would; the step
  // ends there, successfully, and the server sees the disconnect.
  const Pending p = slots_[slot];
  const FlowIteration& it = *iterations_[static_cast<size_t>(p.iteration)];
  transport_->cancel(slot);
  forget_stream(slot);
  free_slots_.push_back(slot);
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  std::vector<EndpointCell>& cells = cells_[p.phase];
  const PlannedEndpoint& e = plan_.endpoints[p.endpoint];
  ++cells[e.step_slot(p.step)].tallies["stream"]["cancelled"];
  complete_flow(p, Outcome::kOk, -1, it.sent, now);
}

void Worker::complete_flow(const Pending& p, Outcome outcome, int status, MonoTime sent, MonoTime done) {
  const PlannedEndpoint& e = plan_.endpoints[p.endpoint];
  const PlannedStep& st = e.steps[p.step];
  FlowIteration& it = *iterations_[static_cast<size_t>(p.iteration)];
  std::vector<EndpointCell>& cells = cells_[p.phase];
  EndpointCell& step_cell = cells[e.step_slot(p.step)];
  // status -1: a stream this engine cancelled on purpose; its status line was not kept.
  const bool cancelled = status < 0;
  if (cancelled) status = 0;
  if (outcome == Outcome::kOk && status > 0) outcome = outcome_for_status(status, st.expected_statuses);
  MonoTime step_due = p.due;
  if (st.flow != nullptr) {
    const FlowStepPlan& f = *st.flow;
    CapturedResponse& response = it.capture.response();
    response.status = status;
    if (outcome == Outcome::kOk && !cancelled) {
      const Evaluation ev = evaluate(f.rules, response, it.values);
      for (const auto& [name, value] : ev.tallied) {
        ++step_cell.tallies[name][value];
        if (e.is_flow()) ++cells[e.first_slot].tallies[name][value];
      }
      if (!ev.checks_passed || !ev.extracted) {
        outcome = Outcome::kCheck;
      } else if (f.poll) {
        const PollState::Decision d = it.poll.on_response(done, ev.until_held);
        if (d.next == PollState::Next::kRetry) {
          Pending again = p;
          again.due = d.at;
          again.retry = true;
          schedule(again);
          return;
        }
        if (d.next == PollState::Next::kDeadline) {
          outcome = Outcome::kDeadline;
          done = d.at;
        }
      }
    }
    if (f.poll) {
      // The poll step's latency runs from when the step first became due to the response in
      // which the condition held: the time a user waits for the job, however many polls it took.
      step_due = it.poll.due();
      it.polling = false;
      step_cell.add_metric(kMetricPolls, "count", it.poll.polls());
      if (outcome == Outcome::kOk) step_cell.add_metric(kMetricPollTime, "us", to_us(done - step_due));
    }
    if (f.stream) {
      // Stream timings count from the step's due time, like its latency, so a stream that could
      // not start on time is charged for the wait (coordinated omission).
      const StreamTimes& t = it.capture.stream_times();
      if (t.first_byte) step_cell.add_metric(kMetricTimeToFirstByte, "us", to_us(*t.first_byte - step_due));
      if (t.first_event) step_cell.add_metric(kMetricTimeToFirstEvent, "us", to_us(*t.first_event - step_due));
      step_cell.add_metric(kMetricEvents, "count", t.events);
      if (t.events >= 2 && t.first_event && t.last_event && *t.last_event > *t.first_event) {
        const double seconds = std::chrono::duration<double>(*t.last_event - *t.first_event).count();
        step_cell.add_metric(kMetricEventRate, "events_per_s",
                             std::llround(static_cast<double>(t.events - 1) / seconds));
      }
      if (t.events >= 2) step_cell.add_metric(kMetricMaxEventGap, "us", to_us(t.max_gap));
      if (t.progress) step_cell.add_metric(kMetricProgress, "percent", std::llround(*t.progress));
      if (outcome == Outcome::kOk && !cancelled) {
        step_cell.add_metric(kMetricCompletion, "us", to_us(done - step_due));
        ++step_cell.tallies["stream"]["completed"];
      }
    }
  }
  if (e.is_flow()) step_cell.record(to_us(done - step_due), to_us(done - sent), outcome, status);
  if (outcome == Outcome::kOk) {
    for (size_t k = p.step + 1u; k < e.steps.size(); ++k) {
      const FlowStepPlan* next_flow = e.steps[k].flow.get();
      if (next_flow != nullptr && next_flow->run_if_defined != SIZE_MAX && !it.values[next_flow->run_if_defined]) {
        continue;
      }
      // The next step is due when this one ends, plus the user's pause between steps (closed
      // model). Think time is the user's, not the service's, so it is taken out of the flow's latency.
      Pending next = p;
      next.step = static_cast<uint16_t>(k);
      next.retry = false;
      next.due = done;
      if (plan_.model == LoadModel::kClosed && st.think_after.count() > 0) {
        next.due = done + st.think_after;
        it.think += st.think_after;
        schedule(next);
      } else {
        enqueue(next);
      }
      return;
    }
  }
  finish_iteration(p, outcome, status, sent, done, step_due);
}

void Worker::finish_iteration(const Pending& p, Outcome outcome, int status, MonoTime sent, MonoTime done,
                              MonoTime step_due) {
  const PlannedEndpoint& e = plan_.endpoints[p.endpoint];
  FlowIteration& it = *iterations_[static_cast<size_t>(p.iteration)];
  std::vector<EndpointCell>& cells = cells_[p.phase];
  const int64_t latency_us = to_us(done - p.flow_due - it.think);
  if (e.is_flow()) {
    cells[e.first_slot].record(latency_us, to_us(done - p.flow_sent - it.think), outcome, status);
  } else {
    cells[e.first_slot].record(to_us(done - step_due), to_us(done - sent), outcome, status);
  }
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
  free_iterations_.push_back(p.iteration);
  end_user(p, done);
}

}  // namespace perfgate
