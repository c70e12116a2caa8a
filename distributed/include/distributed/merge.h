#pragma once
// Merging the results of the shards of one distributed run (`perfgate merge`, docs/distributed.md)
// into one result that gate, report and history read like any other. Histograms merge exactly: every
// percentile of the merged result is the percentile of the union of the shards' samples.

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// One shard result to merge and the file it came from (named in errors and in the merge record).
struct ShardResult {
  std::string path;
  RunResult result;
};

/// How strict the merge is.
struct MergeOptions {
  /// Largest accepted difference between the shards' start instants (wall clock); shards further
  /// apart did not offer their slices of the schedule at the same time. >= 0.
  std::chrono::milliseconds max_skew{1000};
};

/// Merges shard results of one scenario into one result. Endpoints, phases and flows are matched by
/// name; request, error, status and tally counts add; latency, service-time and named-metric
/// histograms merge exactly; timelines are aligned on the shards' wall-clock start instants; each
/// shard's generator health is kept in `merge.shards`. Segments of 1..N with no shard are listed in
/// `merge.missing_segments`, interrupted or failed shards in `merge.partial_segments`; either makes
/// the result "partial". Errors (kInvalidInput, naming the file and the field): no shards, a result
/// that is not a shard's (no `segment`), shards of different scenarios, load models or segment counts,
/// two shards of the same segment, start instants further apart than `max_skew`.
Result<RunResult> merge_shards(const std::vector<ShardResult>& shards, const MergeOptions& options = {});

/// Puts the profile of `profile_run` (a profile-only result of `perfgate profile`, run once beside the
/// target while the shards ran) on `merged`'s timeline, shifted by the difference of their wall-clock
/// starts, and summarises it per phase with the merged request counts (cpu_us_per_request).
/// Errors (kInvalidInput naming `profile_path`): no profile in it, no parseable context.start_time,
/// or `merged` without a wall-clock start.
Status attach_profile(RunResult& merged, const RunResult& profile_run, const std::string& profile_path);

}  // namespace perfgate
