#pragma once
// Spike verdicts of a finished run (docs/run.md "Spike verdicts"): for every spike phase, the share of
// errors during it and the time until the per-interval p95 was back under its limit after it.

#include <optional>
#include <vector>

#include "core/run_result.h"

namespace perfgate {

/// Judges every spike phase of `result` (SpikeVerdict says which phases are spikes). `p95_limit_us`
/// (> 0) is the p95 that counts as recovered; nullopt takes 2 x the p95 of the phase before the spike
/// (at least 1 ms). Recovery uses the same rule as a budget's `recovery.p95 < LIMIT` (three intervals
/// in a row under the limit). A phase with no phase before it, or none after it, is not a spike.
/// Pure function; an empty result gives an empty list.
std::vector<SpikeVerdict> judge_spikes(const RunResult& result, std::optional<double> p95_limit_us);

}  // namespace perfgate
