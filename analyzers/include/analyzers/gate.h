#pragma once
// The CI gate (docs/budgets.md): budgets and baseline comparison over one run, combined into one
// GateReport (core/gate_report.h) with an overall verdict.

#include <string>

#include "analyzers/budget.h"
#include "analyzers/compare.h"
#include "core/findings.h"
#include "core/gate_report.h"
#include "core/run_result.h"

namespace perfgate {

/// Whether warnings and inconclusive checks fail the build.
enum class Strictness { kDefault, kStrict };

/// What the gate looks at. Pointers are borrowed for the call; null means "not given".
struct GateInputs {
  const RunResult* result = nullptr;  ///< required: the run under judgement
  std::string result_path;
  const RunResult* baseline = nullptr;  ///< compare against it when given
  std::string baseline_path;
  const BudgetSet* budgets = nullptr;  ///< evaluate when given
  const Findings* findings = nullptr;  ///< the query analyzer's output, for findings budgets
  CompareOptions compare;
};

/// Identifies one run across files (start time, host, scenario hash, request count), so a gate
/// report can be matched with the result it judged, wherever either file was copied.
std::string result_identity(const RunResult& result);

/// Evaluates the budgets and the baseline comparison; an incomplete run adds an inconclusive check.
/// Check ids are unique within the report (a repeated id gets "#2", "#3", ...). `inputs.result` must
/// not be null (a bug otherwise). Pure function; thread-safe for distinct inputs.
GateReport run_gate(const GateInputs& inputs);

/// True when the report lets the build pass: no failure, and under kStrict no warning or
/// inconclusive check either.
bool gate_passes(const GateReport& report, Strictness strictness);

}  // namespace perfgate
