#pragma once
// JUnit XML rendering of a gate report, for CI systems that show test results (docs/budgets.md).

#include <string>

#include "core/gate_report.h"

namespace perfgate {

/// Renders `report` as one JUnit <testsuite> with one <testcase> per check: classname is
/// "perfgate.KIND" (budget, baseline, run), name is the check id. A failed check carries a <failure>
/// whose message names the measured value, the limit and the endpoint/phase; an inconclusive check is
/// <skipped> with its reason (visible, never a silent pass); a warning keeps its message in
/// <system-out>. Text is XML-escaped; control characters are dropped. Pure; thread-safe.
std::string gate_report_to_junit(const GateReport& report);

}  // namespace perfgate
