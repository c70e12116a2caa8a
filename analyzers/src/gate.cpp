// The gate: budgets + baseline comparison -> one report with an overall verdict.
#include "analyzers/gate.h"

#include <cassert>
#include <map>

#include "analyzers/budget_evaluator.h"

namespace perfgate {

std::string result_identity(const RunResult& result) {
  return result.context.start_time + " " + result.context.host + " " + result.context.scenario_hash.substr(0, 16) +
         " " + std::to_string(result.total_requests());
}

GateReport run_gate(const GateInputs& inputs) {
  assert(inputs.result != nullptr);
  const RunResult& result = *inputs.result;
  GateReport report;
  report.result_path = inputs.result_path;
  report.result_id = result_identity(result);
  report.baseline_path = inputs.baseline ? inputs.baseline_path : "";
  report.budgets_path = inputs.budgets ? inputs.budgets->source : "";

  if (!result.complete()) {
    CheckResult c;
    c.id = "run:complete";
    c.kind = "run";
    c.metric = "complete";
    c.verdict = Verdict::kInconclusive;
    c.message = result.status == RunStatus::kFailed
                    ? std::string(
                          "the run failed: no request succeeded, so it measured nothing about the service; fix the "
                          "target and rerun")
                    : "the run is " + std::string(run_status_name(result.shown_status())) +
                          ": its figures cover only part of the scenario; rerun to completion";
    report.checks.push_back(std::move(c));
  }
  if (result.generator.saturated) {
    report.notes.push_back("the load generator was saturated: " + result.generator.note);
  }
  if (inputs.budgets) {
    auto checks = evaluate_budgets(*inputs.budgets, result, inputs.findings, report.notes);
    report.checks.insert(report.checks.end(), checks.begin(), checks.end());
  }
  if (inputs.baseline && !inputs.baseline->complete()) {
    CheckResult c;
    c.id = "baseline:run:complete";
    c.kind = "baseline";
    c.metric = "complete";
    c.verdict = Verdict::kInconclusive;
    c.message = "the baseline run is " + std::string(run_status_name(inputs.baseline->shown_status())) +
                ", so comparisons with it are unreliable; save a complete run with 'perfgate baseline save'";
    report.checks.push_back(std::move(c));
  }
  if (inputs.baseline) {
    Comparison comparison = compare_runs(*inputs.baseline, result, inputs.compare);
    report.checks.insert(report.checks.end(), comparison.checks.begin(), comparison.checks.end());
    report.notes.insert(report.notes.end(), comparison.notes.begin(), comparison.notes.end());
  }
  std::map<std::string, int> seen;
  for (auto& c : report.checks) {
    const int n = ++seen[c.id];
    if (n > 1) c.id += "#" + std::to_string(n);
  }
  report.overall = combine_verdicts(report.checks);
  return report;
}

bool gate_passes(const GateReport& report, Strictness strictness) {
  if (report.overall == Verdict::kFail) return false;
  if (strictness == Strictness::kStrict) return report.overall == Verdict::kPass;
  return true;
}

}  // namespace perfgate
