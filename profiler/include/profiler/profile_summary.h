#pragma once
// Summaries of a profile's timelines, overall and per phase of the load shape.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/run_result.h"

namespace perfgate {

/// Summarises the samples whose t_ms lies in [from_ms, to_ms): peak of the RSS summed over processes
/// at each instant, mean summed CPU, CPU microseconds per request (0 when `requests` <= 0), peak
/// PostgreSQL connections, the Theil-Sen RSS slope in MB (10^6 bytes) per hour with its ~95%
/// half-width (0 with fewer than 3 instants), and from `timeline` (the run's intervals; empty: none)
/// the Theil-Sen slope of CPU microseconds per completed request per hour over the intervals inside
/// the window that the samples cover whole (0 with fewer than 3). Pure; thread-compatible.
ProfileSummary summarize_window(const Profile& profile, int64_t from_ms, int64_t to_ms, int64_t requests,
                                std::span<const IntervalStats> timeline = {});

/// Completed requests per phase name (RunResult::phase_stats), for per-phase cpu_us_per_request.
using PhaseRequests = std::map<std::string, int64_t>;

/// Fills `profile.summary` (samples from the end of the last phase marked `excluded`, i.e. after warm-up; all
/// samples when `phases` is empty) and `profile.phases` (one entry per phase, keyed by name;
/// cpu_us_per_request from `requests_by_phase`, 0 for a phase missing there); `timeline` (the run's
/// intervals, on the profile's time axis) gives the CPU-per-request drift fit of each.
void summarize_profile(Profile& profile, const std::vector<PhaseInfo>& phases, int64_t total_requests,
                       const PhaseRequests& requests_by_phase = {}, std::span<const IntervalStats> timeline = {});

}  // namespace perfgate
