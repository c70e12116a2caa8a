// Run history: summaries, change points per scenario/endpoint/metric, pooled baselines.
#include "analyzers/history.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace perfgate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string label_of(const RunResult& r, const char* key) {
  const auto it = r.labels.find(key);
  return it == r.labels.end() ? "" : it->second;
}

double metric_value(const RunSummary& run, const std::string& endpoint, const std::string& metric) {
  if (metric == "peak_rss") return run.peak_rss_bytes.value_or(kNaN);
  for (const auto& e : run.endpoints) {
    if (e.name != endpoint) continue;
    if (e.requests <= 0) return kNaN;
    if (metric == "p95") return e.p95_us;
    if (metric == "p99") return e.p99_us;
    if (metric == "error_rate") return e.error_rate_percent;
    if (metric == "queries_per_request") return e.queries_per_request.value_or(kNaN);
  }
  return kNaN;
}

}  // namespace

RunSummary summarize_run(const RunResult& result, const Findings* findings) {
  RunSummary s;
  s.scenario_name = result.context.scenario_name;
  s.scenario_hash = result.context.identity_hash();
  s.commit = label_of(result, "git_sha");
  if (s.commit.empty()) s.commit = label_of(result, "commit");
  s.branch = label_of(result, "branch");
  s.label = label_of(result, "label");
  s.status = run_status_name(result.shown_status());
  s.start_time = result.context.start_time;
  if (result.profile) s.peak_rss_bytes = static_cast<double>(result.profile->summary.peak_rss_bytes);
  for (const auto& e : result.endpoints) {
    if (e.kind == EndpointKind::kStep) continue;
    EndpointSummary es;
    es.name = e.name;
    es.requests = e.requests;
    if (!e.latency.empty()) {
      es.p50_us = static_cast<double>(e.latency.value_at_percentile(50));
      es.p95_us = static_cast<double>(e.latency.value_at_percentile(95));
      es.p99_us = static_cast<double>(e.latency.value_at_percentile(99));
    }
    es.error_rate_percent =
        e.requests > 0 ? 100.0 * static_cast<double>(e.errors.total) / static_cast<double>(e.requests) : 0;
    if (findings != nullptr) {
      const auto it = findings->queries_per_request.find(e.name);
      if (it != findings->queries_per_request.end()) es.queries_per_request = it->second;
    }
    s.endpoints.push_back(std::move(es));
  }
  return s;
}

bool is_good_run(const RunSummary& run) {
  if (run.status != "complete") return false;
  int64_t requests = 0;
  for (const auto& e : run.endpoints) requests += e.requests;
  return requests > 0;
}

const std::vector<std::string>& history_metrics() {
  static const std::vector<std::string> kMetrics = {"p95", "p99", "error_rate", "peak_rss", "queries_per_request"};
  return kMetrics;
}

std::vector<HistoryChange> find_history_changes(const std::vector<RunSummary>& runs, const HistoryOptions& options) {
  // Scenario identity is the hash: two scenarios never share a series, whatever their names.
  std::vector<std::string> hashes;
  std::map<std::string, std::vector<const RunSummary*>> by_scenario;
  for (const auto& r : runs) {
    if (!is_good_run(r)) continue;
    if (by_scenario.find(r.scenario_hash) == by_scenario.end()) hashes.push_back(r.scenario_hash);
    by_scenario[r.scenario_hash].push_back(&r);
  }
  std::vector<HistoryChange> out;
  for (const auto& hash : hashes) {
    auto& series_runs = by_scenario[hash];
    if (series_runs.size() > options.max_runs) {
      series_runs.erase(series_runs.begin(), series_runs.end() - static_cast<std::ptrdiff_t>(options.max_runs));
    }
    std::vector<std::string> endpoints;
    std::set<std::string> seen;
    for (const RunSummary* r : series_runs) {
      for (const auto& e : r->endpoints) {
        if (seen.insert(e.name).second) endpoints.push_back(e.name);
      }
    }
    auto search = [&](const std::string& endpoint, const std::string& metric) {
      std::vector<double> values;
      for (const RunSummary* r : series_runs) values.push_back(metric_value(*r, endpoint, metric));
      ChangePointOptions cp = options.change_points;
      if (metric == "error_rate") cp.min_absolute = std::max(cp.min_absolute, options.error_rate_min_points);
      for (const ChangePoint& c : find_change_points(values, cp)) {
        const RunSummary& first = *series_runs[c.index];
        out.push_back({first.scenario_name, hash, endpoint, metric, c, first.id, first.commit,
                       first.label.empty() ? first.start_time : first.label, first.start_time});
      }
    };
    for (const auto& endpoint : endpoints) {
      for (const auto& metric : history_metrics()) {
        if (metric != "peak_rss") search(endpoint, metric);
      }
    }
    search("", "peak_rss");
  }
  return out;
}

Result<RunResult> pool_baseline_runs(const std::vector<RunResult>& runs, const std::string& source_name) {
  if (runs.empty()) return invalid_input(source_name + ": no good runs to pool");
  const RunResult& newest = runs.back();
  for (const auto& r : runs) {
    if (r.context.identity_hash() != newest.context.identity_hash()) {
      return invalid_input(source_name + ": the runs mix workloads (hash " + r.context.identity_hash().substr(0, 12) +
                           " and " + newest.context.identity_hash().substr(0, 12) + "); pool runs of one scenario");
    }
    if (r.target_rps.has_value() != newest.target_rps.has_value() ||
        (r.target_rps && *r.target_rps > 0 && std::fabs(*newest.target_rps / *r.target_rps - 1) > 0.05)) {
      return invalid_input(source_name + ": the runs have different target rates; pool runs of one load shape");
    }
  }
  RunResult pooled;
  pooled.context = newest.context;
  pooled.model = newest.model;
  pooled.target_rps = newest.target_rps;
  pooled.labels = newest.labels;
  pooled.labels["pooled_runs"] = std::to_string(runs.size());
  // Per-phase checks would find the same phase name N times on the laid-end-to-end timeline, so the
  // pooled baseline keeps only the excluded (warm-up) phases, shifted, so their seconds stay out of
  // the whole-run samples; the comparison is then whole-run per endpoint.
  int64_t offset_ms = 0;
  double achieved = 0, duration = 0;
  std::vector<double> peaks;
  for (const auto& r : runs) {
    int64_t run_end_ms = 0;
    for (const auto& p : r.phases) {
      run_end_ms = std::max(run_end_ms, p.end_ms);
      if (!p.excluded) continue;
      PhaseInfo shifted = p;
      shifted.start_ms += offset_ms;
      shifted.end_ms += offset_ms;
      pooled.phases.push_back(shifted);
    }
    for (const auto& e : r.endpoints) {
      EndpointStats* mine = nullptr;
      for (auto& p : pooled.endpoints) {
        if (p.name == e.name) mine = &p;
      }
      if (mine == nullptr) {
        EndpointStats first = e;
        first.timeline.clear();
        pooled.endpoints.push_back(std::move(first));
        mine = &pooled.endpoints.back();
      } else {
        mine->merge(e);
      }
      for (IntervalStats i : e.timeline) {
        run_end_ms = std::max(run_end_ms, i.t_ms + i.duration_ms);
        i.t_ms += offset_ms;
        mine->timeline.push_back(i);
      }
    }
    for (IntervalStats i : r.timeline) {
      run_end_ms = std::max(run_end_ms, i.t_ms + i.duration_ms);
      i.t_ms += offset_ms;
      pooled.timeline.push_back(i);
    }
    offset_ms += run_end_ms + 1000;
    achieved += r.achieved_rps * r.duration_s;
    duration += r.duration_s;
    pooled.generator.saturated = pooled.generator.saturated || r.generator.saturated;
    pooled.generator.requests_behind += r.generator.requests_behind;
    pooled.generator.max_schedule_lag_us =
        std::max(pooled.generator.max_schedule_lag_us, r.generator.max_schedule_lag_us);
    if (r.generator.saturated && pooled.generator.note.empty()) pooled.generator.note = r.generator.note;
    if (r.profile) peaks.push_back(static_cast<double>(r.profile->summary.peak_rss_bytes));
  }
  pooled.duration_s = duration;
  pooled.achieved_rps = duration > 0 ? achieved / duration : 0;
  if (!peaks.empty() && newest.profile) {
    // The median run's peak: one unusually lean or heavy run neither hides nor invents a memory growth.
    std::sort(peaks.begin(), peaks.end());
    pooled.profile = Profile{};
    pooled.profile->interval_ms = newest.profile->interval_ms;
    pooled.profile->summary = newest.profile->summary;
    pooled.profile->summary.peak_rss_bytes = static_cast<int64_t>(peaks[peaks.size() / 2]);
  }
  return pooled;
}

}  // namespace perfgate
