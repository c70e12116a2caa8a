#pragma once
// Evaluates budgets (analyzers/budget.h) against one run: one CheckResult per rule and endpoint.

#include <vector>

#include "analyzers/budget.h"
#include "core/findings.h"
#include "core/gate_report.h"
#include "core/run_result.h"

namespace perfgate {

/// Evaluates every rule of `budgets` on `result`. An entry with an endpoint pattern or category yields
/// one check per matching endpoint; a global entry one check for the whole run (request and flow
/// endpoints merged). A rule that cannot be measured (no match, missing phase, metric, profile or
/// findings) yields an inconclusive check saying why, never a silent pass. `findings` may be null.
/// Latency failures while the generator was saturated become inconclusive (the figure is the tool's).
/// Pure function; thread-safe for distinct inputs.
std::vector<CheckResult> evaluate_budgets(const BudgetSet& budgets, const RunResult& result, const Findings* findings);

}  // namespace perfgate
