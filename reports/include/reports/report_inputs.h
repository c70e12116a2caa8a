#pragma once
// What a report renders: one run, and optionally its baseline, the query analyzer's findings and the
// gate's decision. Analyzers compute; reports only render (STYLE.md rule 7).

#include "core/findings.h"
#include "core/gate_report.h"
#include "core/run_result.h"

namespace perfgate {

/// The inputs of one report. Non-owning: every pointer must outlive the render call; only `result`
/// is required (a null `result` is a bug). Renderers are pure functions of these inputs and safe to
/// call from several threads at once.
struct ReportInputs {
  const RunResult* result = nullptr;    ///< the run being reported
  const RunResult* baseline = nullptr;  ///< the run it is compared with, or nullptr
  const Findings* findings = nullptr;   ///< query analyzer output, or nullptr
  const GateReport* gate = nullptr;     ///< budget and baseline verdicts, or nullptr
  /// The baseline's query analysis, or nullptr; with `baseline`, the reports open with the
  /// before/after tables of reports/before_after.h (a fix proved in numbers, as perfgate demo does).
  const Findings* baseline_findings = nullptr;
};

}  // namespace perfgate
