#pragma once
// Saving a run as the baseline that later runs are compared with (docs/budgets.md, "Baselines").

#include <string>

#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// Checks that `result` may serve as a baseline: status "complete", not partial. Otherwise
/// kInvalidInput naming `source_name`, the status and the fix.
Status check_baseline_candidate(const RunResult& result, const std::string& source_name);

/// Reads the result at `result_path`, checks it (check_baseline_candidate) and copies it to
/// `baseline_path` atomically, byte for byte. An unreadable, invalid, partial or failed result is
/// kInvalidInput and leaves any existing baseline untouched; a write failure is kIo.
Status save_baseline(const std::string& result_path, const std::string& baseline_path);

}  // namespace perfgate
