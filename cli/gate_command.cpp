// perfgate gate RESULT [--baseline BASE] [--budgets FILE] [--findings FILE]: the CI decision.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "analyzers/budget.h"
#include "analyzers/gate.h"
#include "cli/command.h"
#include "core/files.h"
#include "core/run_result_io.h"
#include "core/units.h"
#include "history/baseline_history.h"
#include "reports/gate_console.h"
#include "reports/gate_markdown.h"
#include "reports/junit.h"

namespace perfgate::cli {
namespace {

struct GateOptions {
  std::string result_path;
  std::string baseline_path;
  std::string baseline_history;  ///< BRANCH[:N]: pool the branch's last N good runs
  std::string history_store = "perfgate-history";
  std::string budgets_path;
  std::string findings_path;
  std::string out_path;
  std::string junit_path;
  std::string markdown_path;
  bool strict = false;
  CompareOptions compare;
  std::string min_effect_abs = "1ms";
};

// GitHub shares one summary file between all steps of a job and documents appending to it;
// replacing it atomically would erase the other steps' summaries.
Status append_step_summary(const std::string& path, const std::string& markdown) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return io_error(path + ": cannot open $GITHUB_STEP_SUMMARY for appending");
  const bool ok = std::fwrite(markdown.data(), 1, markdown.size(), f) == markdown.size();
  if (std::fclose(f) != 0 || !ok) return io_error(path + ": cannot write $GITHUB_STEP_SUMMARY");
  return {};
}

ExitCode run_gate_command(const GateOptions& options) {
  if (options.baseline_path.empty() && options.baseline_history.empty() && options.budgets_path.empty()) {
    return report_error(invalid_input(
        "gate: nothing to check; give --baseline FILE (or --baseline-history BRANCH[:N]) and/or --budgets FILE"));
  }
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--out", options.out_path},
                                   {"--junit", options.junit_path},
                                   {"--markdown", options.markdown_path}}) {
    if (path.empty()) continue;
    if (auto st = check_output_path(path, flag); !st) return report_error(st.error());
  }
  GateInputs inputs;
  inputs.compare = options.compare;
  auto abs = parse_duration(options.min_effect_abs);
  if (!abs) return report_error(abs.error().with_context("--min-effect-abs"));
  inputs.compare.min_effect_abs_us = static_cast<double>(abs->count());

  auto result = read_run_result(options.result_path);
  if (!result) return report_error(result.error());
  inputs.result = &*result;
  inputs.result_path = options.result_path;

  std::optional<RunResult> baseline;
  if (!options.baseline_path.empty()) {
    auto b = read_run_result(options.baseline_path);
    if (!b) return report_error(b.error());
    baseline = std::move(*b);
    inputs.baseline = &*baseline;
    inputs.baseline_path = options.baseline_path;
  } else if (!options.baseline_history.empty()) {
    auto spec = parse_baseline_history(options.baseline_history);
    if (!spec) return report_error(spec.error());
    auto store = open_history_store(options.history_store);
    if (!store) return report_error(store.error());
    std::string description;
    auto pooled = load_history_baseline(**store, *spec, result->context.identity_hash(), description);
    if (!pooled) return report_error(pooled.error());
    baseline = std::move(*pooled);
    inputs.baseline = &*baseline;
    inputs.baseline_path = description;
    std::fprintf(stderr, "perfgate: baseline pooled from %s\n", description.c_str());
  }
  std::optional<BudgetSet> budgets;
  if (!options.budgets_path.empty()) {
    auto b = read_budgets(options.budgets_path);
    if (!b) return report_error(b.error());
    budgets = std::move(*b);
    inputs.budgets = &*budgets;
  }
  std::optional<Findings> findings;
  if (!options.findings_path.empty()) {
    auto f = read_findings(options.findings_path);
    if (!f) return report_error(f.error());
    findings = std::move(*f);
    inputs.findings = &*findings;
  }

  const GateReport report = run_gate(inputs);
  std::fputs(gate_report_to_console(report).c_str(), stdout);
  if (!options.out_path.empty()) {
    if (Status s = write_gate_report(report, options.out_path); !s) return report_error(s.error());
  }
  if (!options.junit_path.empty()) {
    if (Status s = write_file_atomically(options.junit_path, gate_report_to_junit(report)); !s)
      return report_error(s.error());
  }
  const std::string markdown = gate_report_to_markdown(report);
  if (!options.markdown_path.empty()) {
    if (Status s = write_file_atomically(options.markdown_path, markdown); !s) return report_error(s.error());
  }
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    if (Status s = append_step_summary(summary, markdown); !s) return report_error(s.error());
  }
  const Strictness strictness = options.strict ? Strictness::kStrict : Strictness::kDefault;
  return gate_passes(report, strictness) ? ExitCode::kPass : ExitCode::kBudgetFailed;
}

}  // namespace

void add_gate_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<GateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gate", "Judge a run against budgets and/or a baseline (exit 1 on a failed budget or a clear regression)");
  cmd->add_option("result", o->result_path, "Result JSON written by 'perfgate run'")->required();
  cmd->add_option("--baseline", o->baseline_path, "Baseline result to compare with ('perfgate baseline save')");
  cmd->add_option("--baseline-history", o->baseline_history,
                  "Pool the last N good runs of BRANCH in the history as the baseline (BRANCH[:N], N default 5)")
      ->excludes("--baseline");
  cmd->add_option("--store", o->history_store, "History for --baseline-history: a directory or postgresql:// URI")
      ->capture_default_str();
  cmd->add_option("--budgets", o->budgets_path, "Budgets file (docs/budgets.md)");
  cmd->add_option("--findings", o->findings_path, "Findings JSON from the query analyzer, for findings budgets");
  cmd->add_option("--out", o->out_path, "Write the gate report as JSON");
  cmd->add_option("--junit", o->junit_path, "Write the gate report as JUnit XML");
  cmd->add_option("--markdown", o->markdown_path,
                  "Write the gate report as Markdown (also appended to $GITHUB_STEP_SUMMARY when set)");
  cmd->add_flag("--strict", o->strict, "Fail the build on warnings and inconclusive checks too");
  cmd->add_option("--alpha", o->compare.alpha, "Significance level of each comparison test")
      ->capture_default_str()
      ->check(CLI::Range(0.0001, 0.5));
  cmd->add_option("--min-effect", o->compare.min_effect, "Smallest relative slowdown that counts (0.05 = +5%)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  cmd->add_option("--min-effect-abs", o->min_effect_abs, "Smallest absolute slowdown that counts")
      ->capture_default_str();
  cmd->add_option("--min-intervals", o->compare.min_intervals, "Per-second samples needed in each run")
      ->capture_default_str()
      ->check(CLI::Range(3, 1000000));
  cmd->add_option("--error-floor", o->compare.error_rate_floor,
                  "Smallest error-rate increase that counts (0.005 = 0.5 points)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->callback([o, &slot] { slot.run = [o] { return run_gate_command(*o); }; });
}

}  // namespace perfgate::cli
