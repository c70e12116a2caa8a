#include "run_record.h"

#include <algorithm>
#include <cstdio>

namespace perfgate {
namespace {

int64_t to_ms(std::chrono::nanoseconds d) { return d.count() / 1'000'000; }

IntervalStats interval_point(const Histogram& h, int64_t requests, int64_t errors, int64_t sent, int64_t max_lag_ns,
                             int64_t t_ms, int64_t duration_ms) {
  IntervalStats s;
  s.t_ms = t_ms;
  s.duration_ms = duration_ms;
  s.requests = requests;
  s.errors = errors;
  s.sent = sent;
  s.schedule_lag_us = static_cast<double>(std::max<int64_t>(0, max_lag_ns)) / 1000.0;
  if (!h.empty()) {
    s.p50_us = static_cast<double>(h.value_at_percentile(50));
    s.p90_us = static_cast<double>(h.value_at_percentile(90));
    s.p95_us = static_cast<double>(h.value_at_percentile(95));
    s.p99_us = static_cast<double>(h.value_at_percentile(99));
    s.max_us = static_cast<double>(h.max());
  }
  // Kept compressed (a few hundred bytes a second per timeline) so that the interval can be read
  // back whole: HdrHistogram interval logs, exact merges of shards' intervals.
  s.histogram = h.to_base64();
  return s;
}

EndpointStats stats_of(const StatSlot& slot, const EndpointCell& cell) {
  EndpointStats e;
  e.name = slot.name;
  e.kind = slot.kind;
  e.requests = cell.requests;
  for (size_t i = 1; i < cell.outcomes.size(); ++i) e.errors.add(static_cast<Outcome>(i), cell.outcomes[i]);
  e.latency = cell.latency;
  e.service_time = cell.service_time;
  e.metrics = cell.metrics;
  e.tallies = cell.tallies;
  for (size_t s = 0; s < cell.statuses.size(); ++s) {
    if (cell.statuses[s] > 0) e.status_codes[std::to_string(s)] = cell.statuses[s];
  }
  return e;
}

}  // namespace

void append_interval(RunRecord& record, const IntervalAccum& interval, int64_t t_ms, int64_t duration_ms) {
  Histogram whole(interval_histogram_config());
  int64_t requests = 0, errors = 0, sent = 0;
  record.endpoint_timelines.resize(interval.endpoints.size());
  for (size_t i = 0; i < interval.endpoints.size(); ++i) {
    const IntervalCell& c = interval.endpoints[i];
    whole.merge(c.latency);
    requests += c.requests;
    errors += c.errors;
    sent += c.sent;
    record.endpoint_timelines[i].push_back(
        interval_point(c.latency, c.requests, c.errors, c.sent, c.max_lag_ns, t_ms, duration_ms));
  }
  record.timeline.push_back(interval_point(whole, requests, errors, sent, interval.lag_max_ns, t_ms, duration_ms));
  record.totals.merge(interval);
  record.sent += sent;
}

RunStatus run_status(const RunRecord& record, int64_t requests, int64_t errors) {
  // A run in which nothing succeeded measured nothing about the service: it is "failed", whatever
  // ended it, so no baseline or trend takes it for a measurement.
  if (record.gave_up || requests - errors <= 0) return RunStatus::kFailed;
  return record.stopped ? RunStatus::kPartial : RunStatus::kComplete;
}

GeneratorHealth health_of(const RunRecord& record, const RunPlan& plan) {
  GeneratorHealth h;
  h.rss_idle_bytes = record.rss_idle_bytes;
  h.rss_peak_bytes = record.rss_peak_bytes;
  h.peak_open_streams = record.peak_open_streams;
  const IntervalAccum& t = record.totals;
  if (plan.model != LoadModel::kOpen) {
    h.cpu_percent = record.cpu_percent;
    return h;
  }
  h.max_schedule_lag_us = static_cast<double>(t.lag_max_ns) / 1000.0;
  h.mean_schedule_lag_us = t.lag_count > 0 ? t.lag_sum_ns / static_cast<double>(t.lag_count) / 1000.0 : 0;
  h.requests_behind = t.behind;
  h.cpu_percent = record.cpu_percent;
  const double worker_ns = static_cast<double>(record.ran.count()) * plan.threads;
  if (worker_ns > 0) h.io_wait_percent = std::min(100.0, 100.0 * static_cast<double>(t.io_waited_ns) / worker_ns);
  // More than 1% of requests sent over 1 ms late, with some sent at least 10 ms late, means the offered
  // load was not the planned load; comparisons against such a run are inconclusive, so say which
  // resource ran out. A handful of late requests (a scheduler hiccup early in a run), or a few
  // milliseconds of jitter on a busy machine, is noise, not saturation: latency is measured from the
  // due time either way, so the jitter is already in the figures.
  constexpr int64_t kMinBehind = 5;
  constexpr double kSaturatedLagUs = 10'000;
  if (t.behind >= kMinBehind && static_cast<double>(t.behind) > 0.01 * static_cast<double>(record.sent) &&
      h.max_schedule_lag_us >= kSaturatedLagUs) {
    h.saturated = true;
    char note[320];
    // Requests that waited for a connection while the generator idled point at the connection bound,
    // not at the machine: "other processes held the CPUs" would send the user after the wrong cause.
    // But connections also stay busy when their responses wait to be read: workers that hardly ever
    // blocked on I/O had responses queued for them, so the generator set the pace, not the server.
    const bool idle = record.cpu_percent <= 50.0 * plan.threads;
    if (!h.busy() && (t.connection_waits * 2 >= t.behind || (idle && t.connection_waits * 10 >= t.behind))) {
      h.cause = "connections";
      std::snprintf(note, sizeof note,
                    "connections exhausted: %lld requests waited for a free connection (bound %d); the latency "
                    "includes that wait; raise --connections / max_connections",
                    static_cast<long long>(t.connection_waits), plan.total_connections);
    } else if (record.cpu_percent > 50.0 * plan.threads) {
      h.cause = "cpu";
      std::snprintf(note, sizeof note,
                    "generator could not keep up: %lld of %lld requests sent over 1 ms late (max lag %.1f ms) at "
                    "%.0f%% CPU, waiting for responses %.0f%% of the time; add --threads or lower the rate",
                    static_cast<long long>(t.behind), static_cast<long long>(record.sent), h.max_schedule_lag_us / 1000,
                    record.cpu_percent, std::max(0.0, h.io_wait_percent));
    } else {
      // Late sends while the workers were mostly idle: the threads were waiting for a CPU, so more
      // threads would not help; the machine was busy with something else.
      h.cause = "scheduler";
      std::snprintf(note, sizeof note,
                    "%lld of %lld requests sent over 1 ms late (max lag %.1f ms) while the generator used only "
                    "%.0f%% CPU and waited for responses %.0f%% of the time: other processes held the CPUs; run on "
                    "a quieter machine",
                    static_cast<long long>(t.behind), static_cast<long long>(record.sent), h.max_schedule_lag_us / 1000,
                    record.cpu_percent, std::max(0.0, h.io_wait_percent));
    }
    h.note = note;
  }
  return h;
}

std::vector<PhaseInfo> phase_infos(const RunPlan& plan) {
  std::vector<PhaseInfo> out;
  for (const auto& p : plan.phases) {
    PhaseInfo info;
    info.name = p.name;
    info.start_ms = to_ms(p.start);
    info.end_ms = to_ms(p.end);
    // A segment offers its share: every N-th arrival, or its users of the floor of the VU curve.
    if (plan.model == LoadModel::kOpen) {
      info.target_rps_start = p.target_start / plan.segment.count;
      info.target_rps_end = p.target_end / plan.segment.count;
    } else {
      info.vus_start = plan.segment.share_of(static_cast<int64_t>(p.target_start));
      info.vus_end = plan.segment.share_of(static_cast<int64_t>(p.target_end));
    }
    info.excluded = p.excluded;
    out.push_back(info);
  }
  return out;
}

RunResult assemble_result(const Scenario& scenario, const RunPlan& plan, const std::vector<const Worker*>& workers,
                          const RunRecord& record) {
  RunResult r;
  r.context.scenario_name = scenario.name;
  r.context.scenario_hash = scenario.hash;
  r.context.workload_hash = scenario.workload_hash;
  r.context.target = plan.target.origin() + plan.target.path_prefix;
  r.model = plan.model;
  r.partial = record.stopped || record.gave_up;
  r.phases = phase_infos(plan);
  r.timeline = record.timeline;
  r.generator = health_of(record, plan);
  r.start_unix_ms = record.start_unix_ms;

  const size_t phase_count = std::max<size_t>(1, plan.phases.size());
  std::vector<EndpointCell> overall(plan.slots.size());
  for (size_t ph = 0; ph < phase_count; ++ph) {
    std::vector<EndpointCell> merged(plan.slots.size());
    for (const Worker* w : workers) {
      for (size_t i = 0; i < plan.slots.size(); ++i) merged[i].merge(w->cells()[ph][i]);
    }
    PhaseStats ps;
    ps.phase = ph < plan.phases.size() ? plan.phases[ph].name : "main";
    for (size_t i = 0; i < plan.slots.size(); ++i) {
      ps.endpoints.push_back(stats_of(plan.slots[i], merged[i]));
      if (ph >= plan.phases.size() || !plan.phases[ph].excluded) overall[i].merge(merged[i]);
    }
    r.phase_stats.push_back(std::move(ps));
  }
  for (size_t i = 0; i < plan.slots.size(); ++i) {
    EndpointStats s = stats_of(plan.slots[i], overall[i]);
    const size_t e = plan.slots[i].endpoint;
    if (plan.slots[i].kind != EndpointKind::kStep && e < record.endpoint_timelines.size())
      s.timeline = record.endpoint_timelines[e];
    r.endpoints.push_back(std::move(s));
  }

  // Measured time: the non-warm-up part of the schedule that actually ran. Draining the last
  // responses after the schedule ends is not offered load, so it does not dilute the rate.
  const auto ran = record.stopped ? std::min(record.elapsed, plan.duration) : plan.duration;
  double measured_s = 0;
  double planned_requests = 0;
  for (const auto& p : plan.phases) {
    if (p.excluded) continue;
    const auto begin = p.start;
    const auto end = std::min(p.end, ran);
    if (end <= begin) continue;
    const double b = static_cast<double>(begin.count()) / 1e9;
    const double e = static_cast<double>(end.count()) / 1e9;
    measured_s += e - b;
    if (plan.arrivals) planned_requests += plan.arrivals->rate().integral_to(e) - plan.arrivals->rate().integral_to(b);
  }
  r.duration_s = measured_s;
  if (plan.model == LoadModel::kOpen && measured_s > 0)
    r.target_rps = planned_requests / plan.segment.count / measured_s;
  // Requests that complete after the schedule ended are counted, so is the time they took: a server
  // that answers 40 of 50 requests/s leaves a backlog that drains after the end, and dividing all of
  // them by the schedule's length alone would report 50 achieved (k6 likewise divides by the whole
  // test including its graceful stop). Even a server that keeps up answers the last request one
  // service time after the end; that much is the window shifted by the latency, not a backlog, so
  // only the drain beyond the slowest endpoint's p99 service time (queueing excluded) counts.
  const auto drain =
      !record.stopped && record.elapsed > plan.duration ? record.elapsed - plan.duration : std::chrono::nanoseconds(0);
  double service_p99_s = 0;
  for (const auto& e : r.endpoints) {
    if (e.kind != EndpointKind::kStep && !e.service_time.empty()) {
      service_p99_s = std::max(service_p99_s, static_cast<double>(e.service_time.value_at_percentile(99)) / 1e6);
    }
  }
  const double achieved_s = measured_s + std::max(0.0, static_cast<double>(drain.count()) / 1e9 - service_p99_s);
  r.achieved_rps = achieved_s > 0 ? static_cast<double>(r.total_requests()) / achieved_s : 0;
  r.status = run_status(record, r.total_requests(), r.total_errors());
  return r;
}

}  // namespace perfgate
