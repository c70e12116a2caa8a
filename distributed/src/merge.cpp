#include "distributed/merge.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "profiler/profile_summary.h"

namespace perfgate {
namespace {

bool is_complete(const RunResult& r) { return r.complete(); }

Status check_shards(const std::vector<ShardResult>& shards, const MergeOptions& options) {
  if (shards.empty()) return invalid_input("no shard results to merge");
  const ShardResult& first = shards.front();
  std::map<int, const ShardResult*> by_index;
  for (const ShardResult& s : shards) {
    const RunResult& r = s.result;
    if (!r.segment) {
      return invalid_input(s.path +
                           ": segment: missing; this is not a shard's result (run each shard with "
                           "'perfgate run SCENARIO --segment K/N')");
    }
    if (r.context.scenario_hash != first.result.context.scenario_hash) {
      return invalid_input(s.path + ": context.scenario_hash: " + r.context.scenario_hash + " (scenario \"" +
                           r.context.scenario_name + "\") differs from " + first.path + "'s " +
                           first.result.context.scenario_hash + " (scenario \"" + first.result.context.scenario_name +
                           "\"); merge only shards of one scenario run with the same --time-scale and --rate-scale");
    }
    if (r.model != first.result.model) {
      return invalid_input(s.path + ": model: differs from " + first.path + "'s; merge only shards of one scenario");
    }
    if (r.segment->count != first.result.segment->count) {
      return invalid_input(s.path + ": segment: " + r.segment->to_string() + " splits the load into " +
                           std::to_string(r.segment->count) + " segments but " + first.path + " (" +
                           first.result.segment->to_string() + ") into " + std::to_string(first.result.segment->count) +
                           "; every shard of a run needs the same N");
    }
    const auto [it, inserted] = by_index.emplace(r.segment->index, &s);
    if (!inserted) {
      return invalid_input(s.path + ": segment: " + r.segment->to_string() + " is also the segment of " +
                           it->second->path + "; overlapping segments would count the same arrivals twice");
    }
  }
  const ShardResult* earliest = nullptr;
  const ShardResult* latest = nullptr;
  for (const ShardResult& s : shards) {
    if (s.result.start_unix_ms <= 0) continue;
    if (earliest == nullptr || s.result.start_unix_ms < earliest->result.start_unix_ms) earliest = &s;
    if (latest == nullptr || s.result.start_unix_ms > latest->result.start_unix_ms) latest = &s;
  }
  if (earliest != nullptr && latest->result.start_unix_ms - earliest->result.start_unix_ms > options.max_skew.count()) {
    return invalid_input(
        latest->path + ": start_unix_ms: started " +
        std::to_string(latest->result.start_unix_ms - earliest->result.start_unix_ms) + " ms after " + earliest->path +
        ", more than the allowed skew of " + std::to_string(options.max_skew.count()) +
        " ms; start the shards together (--start-at) on clocks kept in sync (NTP), or raise --max-skew");
  }
  return {};
}

// Intervals that carry their histograms merge exactly: counts add and the percentiles are read from
// the union. Older shards carry percentiles only, which cannot be merged exactly; the worst shard's
// figure is an upper bound of the union's and never hides a spike one shard saw. Counts add exactly.
void add_interval(IntervalStats& into, const IntervalStats& from) {
  into.duration_ms = std::max(into.duration_ms, from.duration_ms);
  into.requests += from.requests;
  into.errors += from.errors;
  into.sent += from.sent;
  into.schedule_lag_us = std::max(into.schedule_lag_us, from.schedule_lag_us);
  auto mine = Histogram::from_base64(into.histogram);
  auto theirs = Histogram::from_base64(from.histogram);
  if (!into.histogram.empty() && !from.histogram.empty() && mine && theirs) {
    mine->merge(*theirs);
    into.histogram = mine->to_base64();
    if (!mine->empty()) {
      into.p50_us = static_cast<double>(mine->value_at_percentile(50));
      into.p90_us = static_cast<double>(mine->value_at_percentile(90));
      into.p95_us = static_cast<double>(mine->value_at_percentile(95));
      into.p99_us = static_cast<double>(mine->value_at_percentile(99));
      into.max_us = static_cast<double>(mine->max());
    }
    return;
  }
  // A histogram of one shard alone would pass for the interval's whole: drop it.
  into.histogram.clear();
  into.p50_us = std::max(into.p50_us, from.p50_us);
  into.p90_us = std::max(into.p90_us, from.p90_us);
  into.p95_us = std::max(into.p95_us, from.p95_us);
  into.p99_us = std::max(into.p99_us, from.p99_us);
  into.max_us = std::max(into.max_us, from.max_us);
}

// Places a shard's intervals on the merged timeline: shifted by the shard's start offset and snapped
// to the interval grid, so shards started within a fraction of an interval share their intervals.
void add_timeline(std::map<int64_t, IntervalStats>& into, const std::vector<IntervalStats>& from, int64_t offset_ms,
                  int64_t grid_ms) {
  for (const IntervalStats& i : from) {
    const int64_t t = i.t_ms + offset_ms;
    const int64_t slot = static_cast<int64_t>(std::llround(static_cast<double>(t) / static_cast<double>(grid_ms)));
    auto [it, inserted] = into.try_emplace(slot);
    if (inserted) {
      it->second = i;
      it->second.t_ms = slot * grid_ms;
    } else {
      add_interval(it->second, i);
    }
  }
}

std::vector<IntervalStats> timeline_of(const std::map<int64_t, IntervalStats>& slots) {
  std::vector<IntervalStats> out;
  out.reserve(slots.size());
  for (const auto& [slot, i] : slots) out.push_back(i);
  return out;
}

// Endpoints in the order they first appear, matched by name and kind.
class EndpointMerger {
 public:
  void add(const EndpointStats& e) {
    const auto key = std::make_pair(e.name, e.kind);
    const auto it = index_.find(key);
    if (it == index_.end()) {
      index_.emplace(key, merged_.size());
      merged_.push_back(e);
      merged_.back().timeline.clear();
    } else {
      merged_[it->second].merge(e);
    }
  }
  std::vector<EndpointStats>& endpoints() { return merged_; }
  [[nodiscard]] size_t index_of(const EndpointStats& e) const { return index_.at(std::make_pair(e.name, e.kind)); }

 private:
  std::map<std::pair<std::string, EndpointKind>, size_t> index_;
  std::vector<EndpointStats> merged_;
};

GeneratorHealth merged_health(const std::vector<ShardResult>& shards) {
  GeneratorHealth h;
  double lag_weighted = 0;
  int64_t weight = 0;
  for (const ShardResult& s : shards) {
    const GeneratorHealth& g = s.result.generator;
    h.saturated = h.saturated || g.saturated;
    h.max_schedule_lag_us = std::max(h.max_schedule_lag_us, g.max_schedule_lag_us);
    const int64_t n = s.result.total_requests();
    lag_weighted += g.mean_schedule_lag_us * static_cast<double>(n);
    weight += n;
    h.requests_behind += g.requests_behind;
    h.cpu_percent += g.cpu_percent;
    // Shards are separate processes: memory and open streams add up.
    if (g.rss_idle_bytes >= 0) h.rss_idle_bytes = std::max<int64_t>(h.rss_idle_bytes, 0) + g.rss_idle_bytes;
    if (g.rss_peak_bytes >= 0) h.rss_peak_bytes = std::max<int64_t>(h.rss_peak_bytes, 0) + g.rss_peak_bytes;
    h.peak_open_streams += g.peak_open_streams;
    if (g.saturated) {
      if (!h.note.empty()) h.note += "; ";
      h.note += "segment " + s.result.segment->to_string() + ": " + g.note;
    }
  }
  h.mean_schedule_lag_us = weight > 0 ? lag_weighted / static_cast<double>(weight) : 0;
  return h;
}

RunContext merged_context(const std::vector<const ShardResult*>& ordered) {
  RunContext c = ordered.front()->result.context;
  std::set<std::string> seen;
  std::string hosts;
  c.cpu_count = 0;
  for (const ShardResult* s : ordered) {
    const RunContext& sc = s->result.context;
    c.cpu_count += sc.cpu_count;
    c.load_average_1m = std::max(c.load_average_1m, sc.load_average_1m);
    if (!sc.start_time.empty() && (c.start_time.empty() || sc.start_time < c.start_time)) c.start_time = sc.start_time;
    if (seen.insert(sc.host).second) hosts += (hosts.empty() ? "" : ",") + sc.host;
  }
  c.host = hosts;
  return c;
}

}  // namespace

Status attach_profile(RunResult& merged, const RunResult& profile_run, const std::string& profile_path) {
  if (!profile_run.profile) {
    return invalid_input(profile_path +
                         ": profile: missing; give the result of 'perfgate profile' run beside the target");
  }
  int64_t profile_start = profile_run.start_unix_ms;
  if (profile_start <= 0) {
    auto parsed = parse_rfc3339_ms(profile_run.context.start_time);
    if (!parsed) return invalid_input(profile_path + ": context.start_time: " + parsed.error().message);
    profile_start = *parsed;
  }
  if (merged.start_unix_ms <= 0) {
    return invalid_input(
        "the shards carry no start_unix_ms, so the profile cannot be placed on their timeline; "
        "rerun the shards with this perfgate version");
  }
  // Samples before the shards started or after they ended still show the server's state around the
  // run (idle memory, the drain); they stay, at negative or late times, and only the phase windows
  // count them into the summaries.
  Profile p = *profile_run.profile;
  const int64_t shift = profile_start - merged.start_unix_ms;
  for (auto& process : p.processes) {
    for (auto& sample : process.samples) sample.t_ms += shift;
    if (process.exited_at_ms >= 0) process.exited_at_ms += shift;
  }
  for (auto& sample : p.postgres) sample.t_ms += shift;
  PhaseRequests per_phase;
  for (const auto& ps : merged.phase_stats) {
    for (const auto& e : ps.endpoints) {
      if (e.kind != EndpointKind::kStep) per_phase[ps.phase] += e.requests;
    }
  }
  summarize_profile(p, merged.phases, merged.total_requests(), per_phase);
  merged.profile = std::move(p);
  return {};
}

Result<RunResult> merge_shards(const std::vector<ShardResult>& shards, const MergeOptions& options) {
  if (auto st = check_shards(shards, options); !st) return st.error();
  std::vector<const ShardResult*> ordered;
  ordered.reserve(shards.size());
  for (const ShardResult& s : shards) ordered.push_back(&s);
  std::sort(ordered.begin(), ordered.end(), [](const ShardResult* a, const ShardResult* b) {
    return a->result.segment->index < b->result.segment->index;
  });
  const RunResult& first = ordered.front()->result;

  RunResult m;
  m.context = merged_context(ordered);
  m.model = first.model;
  m.labels = first.labels;
  m.phases = first.phases;
  for (auto& p : m.phases) p.target_rps_start = p.target_rps_end = 0, p.vus_start = p.vus_end = 0;

  int64_t start = 0;
  for (const ShardResult* s : ordered) {
    if (s->result.start_unix_ms > 0 && (start == 0 || s->result.start_unix_ms < start)) start = s->result.start_unix_ms;
  }
  m.start_unix_ms = start;
  int64_t latest = start;
  for (const ShardResult* s : ordered) latest = std::max(latest, s->result.start_unix_ms);

  MergeInfo info;
  info.segment_count = first.segment->count;
  info.start_skew_ms = latest - start;
  int64_t grid_ms = 1000;
  if (!first.timeline.empty() && first.timeline.front().duration_ms > 0) grid_ms = first.timeline.front().duration_ms;

  EndpointMerger overall;
  std::map<size_t, std::map<int64_t, IntervalStats>> endpoint_timelines;
  std::vector<std::string> phase_order;
  std::map<std::string, EndpointMerger> phases;
  std::map<int64_t, IntervalStats> timeline;
  double target_rps = 0;
  bool any_target = false;
  int complete = 0;
  for (const ShardResult* s : ordered) {
    const RunResult& r = s->result;
    const int64_t offset = r.start_unix_ms > 0 && start > 0 ? r.start_unix_ms - start : 0;
    for (const EndpointStats& e : r.endpoints) {
      overall.add(e);
      add_timeline(endpoint_timelines[overall.index_of(e)], e.timeline, offset, grid_ms);
    }
    for (const PhaseStats& ps : r.phase_stats) {
      if (phases.find(ps.phase) == phases.end()) phase_order.push_back(ps.phase);
      for (const EndpointStats& e : ps.endpoints) phases[ps.phase].add(e);
    }
    add_timeline(timeline, r.timeline, offset, grid_ms);
    // Each shard's phases carry its own share of the targets; the shares add up to the scenario's.
    for (auto& p : m.phases) {
      for (const PhaseInfo& sp : r.phases) {
        if (sp.name != p.name) continue;
        p.target_rps_start += sp.target_rps_start;
        p.target_rps_end += sp.target_rps_end;
        p.vus_start += sp.vus_start;
        p.vus_end += sp.vus_end;
      }
    }
    if (r.target_rps) {
      target_rps += *r.target_rps;
      any_target = true;
    }
    m.duration_s = std::max(m.duration_s, r.duration_s);
    if (!m.profile && r.profile) m.profile = r.profile;
    for (const auto& [k, v] : r.labels) m.labels.try_emplace(k, v);

    ShardSummary summary;
    summary.segment = *r.segment;
    summary.file = s->path;
    summary.status = r.status;
    summary.host = r.context.host;
    summary.start_unix_ms = r.start_unix_ms;
    summary.requests = r.total_requests();
    summary.achieved_rps = r.achieved_rps;
    summary.generator = r.generator;
    info.shards.push_back(std::move(summary));
    if (is_complete(r))
      ++complete;
    else
      info.partial_segments.push_back(r.segment->index);
  }
  for (int k = 1; k <= info.segment_count; ++k) {
    const bool present = std::any_of(ordered.begin(), ordered.end(),
                                     [k](const ShardResult* s) { return s->result.segment->index == k; });
    if (!present) info.missing_segments.push_back(k);
  }

  m.endpoints = std::move(overall.endpoints());
  for (size_t i = 0; i < m.endpoints.size(); ++i) m.endpoints[i].timeline = timeline_of(endpoint_timelines[i]);
  for (const auto& name : phase_order) m.phase_stats.push_back(PhaseStats{name, std::move(phases[name].endpoints())});
  m.timeline = timeline_of(timeline);
  if (any_target) m.target_rps = target_rps;
  m.achieved_rps = m.duration_s > 0 ? static_cast<double>(m.total_requests()) / m.duration_s : 0;
  m.generator = merged_health(shards);

  const bool whole = info.missing_segments.empty() && info.partial_segments.empty();
  m.partial = !whole;
  const bool all_failed = std::all_of(ordered.begin(), ordered.end(),
                                      [](const ShardResult* s) { return s->result.status == RunStatus::kFailed; });
  m.status = whole ? RunStatus::kComplete : complete == 0 && all_failed ? RunStatus::kFailed : RunStatus::kPartial;
  m.merge = std::move(info);
  return m;
}

}  // namespace perfgate
