#pragma once
// `gate --baseline-history BRANCH[:N]` (docs/history.md): the last N good runs of a branch, of the
// same scenario as the run being judged, pooled into one baseline.

#include <string>

#include "core/result.h"
#include "core/run_result.h"
#include "history/store.h"

namespace perfgate {

/// A parsed BRANCH[:N].
struct BaselineHistorySpec {
  std::string branch;
  size_t runs = 5;  ///< N, 1..1000
};

/// Parses "main" or "main:10"; kInvalidInput naming --baseline-history and the fix otherwise.
Result<BaselineHistorySpec> parse_baseline_history(const std::string& text);

/// The pooled baseline (pool_baseline_runs) of the last `spec.runs` good runs of `spec.branch` in
/// `store` whose recorded identity equals `identity_hash` (RunContext::identity_hash() of the
/// candidate, so a run against another host:port pools with main's); `description` receives which
/// runs ("history main: runs 4, 5, 6 of directory perfgate-history"). kInvalidInput when there is
/// none; the store's errors as they are.
Result<RunResult> load_history_baseline(HistoryStore& store, const BaselineHistorySpec& spec,
                                        const std::string& identity_hash, std::string& description);

}  // namespace perfgate
