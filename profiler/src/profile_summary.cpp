#include "profiler/profile_summary.h"

#include <algorithm>
#include <limits>
#include <map>
#include <span>
#include <vector>

#include "profiler/slope.h"

namespace perfgate {
namespace {

struct Instant {
  int64_t rss_bytes = 0;
  double cpu_percent = 0;
  double cpu_us = 0;
};

// Fits CPU per request against time over the timeline intervals inside [from_ms, to_ms): each
// interval's CPU microseconds (summed over processes) over the requests it completed. A sample's
// cpu_percent is the mean over the span since the previous sample, so the span is spread over the
// intervals it overlaps in proportion; an interval is fitted only when the samples cover it whole,
// since a half-sampled second would read as a drop in CPU per request.
void fit_cpu_per_request(const Profile& profile, int64_t from_ms, int64_t to_ms,
                         std::span<const IntervalStats> timeline, ProfileSummary& out) {
  std::vector<const IntervalStats*> windows;
  for (const auto& i : timeline) {
    if (i.duration_ms > 0 && i.requests > 0 && i.t_ms >= from_ms && i.t_ms + i.duration_ms <= to_ms) {
      windows.push_back(&i);
    }
  }
  if (windows.empty()) return;
  std::sort(windows.begin(), windows.end(), [](const auto* a, const auto* b) { return a->t_ms < b->t_ms; });
  std::vector<double> cpu_us(windows.size(), 0.0);
  int64_t sampled_from = std::numeric_limits<int64_t>::max();
  int64_t sampled_to = std::numeric_limits<int64_t>::min();
  for (const auto& process : profile.processes) {
    int64_t prev_t = std::numeric_limits<int64_t>::min();
    for (const auto& s : process.samples) {
      const int64_t start = prev_t != std::numeric_limits<int64_t>::min() ? prev_t : s.t_ms - profile.interval_ms;
      const int64_t end = s.t_ms;
      prev_t = s.t_ms;
      if (end <= start) continue;
      sampled_from = std::min(sampled_from, start);
      sampled_to = std::max(sampled_to, end);
      const double us_per_ms = s.cpu_percent / 100.0 * 1000.0;
      auto it = std::partition_point(windows.begin(), windows.end(),
                                     [start](const auto* w) { return w->t_ms + w->duration_ms <= start; });
      for (; it != windows.end() && (*it)->t_ms < end; ++it) {
        const int64_t overlap = std::min(end, (*it)->t_ms + (*it)->duration_ms) - std::max(start, (*it)->t_ms);
        cpu_us[static_cast<size_t>(it - windows.begin())] += static_cast<double>(overlap) * us_per_ms;
      }
    }
  }
  std::vector<double> hours;
  std::vector<double> per_request;
  for (size_t k = 0; k < windows.size(); ++k) {
    const IntervalStats& w = *windows[k];
    if (w.t_ms < sampled_from || w.t_ms + w.duration_ms > sampled_to) continue;
    hours.push_back((static_cast<double>(w.t_ms) + static_cast<double>(w.duration_ms) / 2.0) / 3'600'000.0);
    per_request.push_back(cpu_us[k] / static_cast<double>(w.requests));
  }
  out.cpu_per_request_intervals = static_cast<int64_t>(hours.size());
  const SlopeFit fit = theil_sen(hours, per_request);
  if (fit.points < 3) return;
  out.cpu_per_request_slope_us_per_hour = fit.slope;
  out.cpu_per_request_slope_ci_us_per_hour = fit.ci_half_width;
  out.cpu_per_request_start_us = fit.intercept + fit.slope * hours.front();
}

}  // namespace

ProfileSummary summarize_window(const Profile& profile, int64_t from_ms, int64_t to_ms, int64_t requests,
                                std::span<const IntervalStats> timeline) {
  // Every pass stamps all processes with the same t_ms, so grouping by t_ms sums processes at one
  // instant; a peak of per-process peaks would overstate memory that was never resident at once.
  std::map<int64_t, Instant> instants;
  for (const auto& process : profile.processes) {
    int64_t prev_t = -1;
    for (const auto& s : process.samples) {
      const int64_t dt_ms = prev_t >= 0 ? s.t_ms - prev_t : profile.interval_ms;
      prev_t = s.t_ms;
      if (s.t_ms < from_ms || s.t_ms >= to_ms) continue;
      Instant& in = instants[s.t_ms];
      in.rss_bytes += s.rss_bytes;
      in.cpu_percent += s.cpu_percent;
      in.cpu_us += s.cpu_percent / 100.0 * static_cast<double>(dt_ms) * 1000.0;
    }
  }
  ProfileSummary out;
  double cpu_sum = 0;
  double cpu_us = 0;
  std::vector<double> hours;
  std::vector<double> megabytes;
  hours.reserve(instants.size());
  megabytes.reserve(instants.size());
  for (const auto& [t_ms, in] : instants) {
    out.peak_rss_bytes = std::max(out.peak_rss_bytes, in.rss_bytes);
    cpu_sum += in.cpu_percent;
    cpu_us += in.cpu_us;
    hours.push_back(static_cast<double>(t_ms) / 3'600'000.0);
    megabytes.push_back(static_cast<double>(in.rss_bytes) / 1e6);
  }
  out.samples = static_cast<int64_t>(instants.size());
  if (!instants.empty()) out.mean_cpu_percent = cpu_sum / static_cast<double>(instants.size());
  if (requests > 0) out.cpu_us_per_request = cpu_us / static_cast<double>(requests);
  const SlopeFit fit = theil_sen(hours, megabytes);
  out.rss_slope_mb_per_hour = fit.slope;
  out.rss_slope_ci_mb_per_hour = fit.ci_half_width;
  fit_cpu_per_request(profile, from_ms, to_ms, timeline, out);

  int64_t pg_samples = 0;
  for (const auto& s : profile.postgres) {
    if (s.t_ms < from_ms || s.t_ms >= to_ms) continue;
    ++pg_samples;
    out.peak_pg_connections = std::max(out.peak_pg_connections, s.total);
    out.max_connections = std::max(out.max_connections, s.max_connections);
  }
  if (out.samples == 0) out.samples = pg_samples;
  return out;
}

void summarize_profile(Profile& profile, const std::vector<PhaseInfo>& phases, int64_t total_requests,
                       const PhaseRequests& requests_by_phase, std::span<const IntervalStats> timeline) {
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  for (const auto& p : phases) {
    if (p.excluded) from_ms = std::max(from_ms, p.end_ms);
  }
  profile.summary = summarize_window(profile, from_ms, std::numeric_limits<int64_t>::max(), total_requests, timeline);
  profile.phases.clear();
  for (const auto& p : phases) {
    const auto it = requests_by_phase.find(p.name);
    const int64_t requests = it == requests_by_phase.end() ? 0 : it->second;
    profile.phases[p.name] = summarize_window(profile, p.start_ms, p.end_ms, requests, timeline);
  }
}

}  // namespace perfgate
