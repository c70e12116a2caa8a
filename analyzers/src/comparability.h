#pragma once
// Whether a baseline and a run measured the same thing well enough to be compared (docs/budgets.md,
// "Baseline comparison"): the same workload and plan, and a load generator that offered it.

#include <string>
#include <vector>

#include "analyzers/compare.h"
#include "core/run_result.h"

namespace perfgate {

/// Why `base` and `cur` cannot be compared, or "" when they can. Slight generator lateness adds a
/// line to `notes`. When a saturated run's figures are a bound (a baseline whose connections all
/// waited for the server; a candidate sent late for want of CPU), the runs compare, a note says so,
/// and `only_no_worse` gets the reason: only passes stand then.
std::string incompatibility(const RunResult& base, const RunResult& cur, const CompareOptions& o,
                            std::vector<std::string>& notes, std::string& only_no_worse);

}  // namespace perfgate
