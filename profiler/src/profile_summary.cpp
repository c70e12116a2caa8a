#include "profiler/profile_summary.h"

#include <algorithm>
#include <limits>
#include <map>

#include "profiler/slope.h"

namespace perfgate {
namespace {

struct Instant {
  int64_t rss_bytes = 0;
  double cpu_percent = 0;
  double cpu_us = 0;
};

}  // namespace

ProfileSummary summarize_window(const Profile& profile, int64_t from_ms, int64_t to_ms, int64_t requests) {
  // Every pass stamps all processes with the same t_ms, so grouping by t_ms sums processes at one
  // instant; a peak of per-process peaks would overstate memory that was never resident at once.
  std::map<int64_t, Instant> instants;
  for (const auto& timeline : profile.processes) {
    int64_t prev_t = -1;
    for (const auto& s : timeline.samples) {
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
                       const PhaseRequests& requests_by_phase) {
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  for (const auto& p : phases) {
    if (p.excluded) from_ms = std::max(from_ms, p.end_ms);
  }
  profile.summary = summarize_window(profile, from_ms, std::numeric_limits<int64_t>::max(), total_requests);
  profile.phases.clear();
  for (const auto& p : phases) {
    const auto it = requests_by_phase.find(p.name);
    const int64_t requests = it == requests_by_phase.end() ? 0 : it->second;
    profile.phases[p.name] = summarize_window(profile, p.start_ms, p.end_ms, requests);
  }
}

}  // namespace perfgate
