// perfgate history add RESULT | history show: the run history of a branch and its change points.
#include <cstdio>
#include <memory>

#include "analyzers/history.h"
#include "cli/command.h"
#include "core/files.h"
#include "core/findings.h"
#include "core/run_result_io.h"
#include "history/store.h"
#include "pipeline/run_session.h"

namespace perfgate::cli {
namespace {

constexpr const char* kDefaultStore = "perfgate-history";

struct HistoryAddOptions {
  std::string result_path;
  std::string findings_path;
  std::string commit;
  std::string branch;
  std::string label;
  std::string store = kDefaultStore;
};

struct HistoryShowOptions {
  std::string store = kDefaultStore;
  std::string branch;
  bool json = false;
  HistoryOptions analysis;
};

ExitCode run_history_add(const HistoryAddOptions& o) {
  auto text = read_file(o.result_path);
  if (!text) return report_error(text.error());
  auto result = run_result_from_json(*text, o.result_path);
  if (!result) return report_error(result.error());
  std::optional<Findings> findings;
  const std::string findings_path = o.findings_path.empty() ? default_findings_path(o.result_path) : o.findings_path;
  if (!o.findings_path.empty() || read_file(findings_path)) {
    auto f = read_findings(findings_path);
    if (!f) return report_error(f.error().with_context("--findings"));
    findings = std::move(*f);
  }
  RunSummary summary = summarize_run(*result, findings ? &*findings : nullptr);
  if (!o.commit.empty()) summary.commit = o.commit;
  if (!o.branch.empty()) summary.branch = o.branch;
  if (!o.label.empty()) summary.label = o.label;
  auto store = open_history_store(o.store);
  if (!store) return report_error(store.error());
  auto id = (*store)->append({summary, *text});
  if (!id) return report_error(id.error());
  std::printf("perfgate: added run %lld (%s%s%s) to %s\n", static_cast<long long>(*id),
              summary.branch.empty() ? "no branch" : ("branch " + summary.branch).c_str(),
              summary.commit.empty() ? "" : (", commit " + summary.commit.substr(0, 12)).c_str(),
              summary.status == "complete" ? "" : (", " + summary.status + ": plotted, never compared").c_str(),
              (*store)->describe().c_str());
  return ExitCode::kPass;
}

ExitCode run_history_show(const HistoryShowOptions& o) {
  auto store = open_history_store(o.store);
  if (!store) return report_error(store.error());
  auto entries = (*store)->list(o.branch, WithResults::kNo);
  if (!entries) return report_error(entries.error());
  std::vector<RunSummary> runs;
  for (const auto& e : *entries) runs.push_back(e.summary);
  const HistoryOptions& options = o.analysis;
  const std::vector<HistoryChange> changes = find_history_changes(runs, options);
  if (o.json) {
    std::fputs(history_report_to_json((*store)->describe(), o.branch, runs, changes, options).c_str(), stdout);
    return ExitCode::kPass;
  }
  size_t good = 0;
  for (const auto& r : runs) good += is_good_run(r) ? 1 : 0;
  std::printf("%s%s: %zu runs (%zu complete)\n", (*store)->describe().c_str(),
              o.branch.empty() ? "" : (" branch " + o.branch).c_str(), runs.size(), good);
  if (changes.empty()) {
    std::printf("no change point (E-divisive means; p < %g and a change of at least %g%%)\n",
                options.change_points.max_p_value, options.change_points.min_magnitude * 100);
    return ExitCode::kPass;
  }
  for (const auto& c : changes) {
    char change[64];
    std::snprintf(change, sizeof change, "%+.1f%%", c.change.relative_change * 100);
    std::printf(
        "%s %s %s %s: %s from run %lld%s%s (%.4g -> %.4g, p=%.2g)\n", c.regression() ? "REGRESSION " : "improvement",
        c.scenario_name.c_str(), c.endpoint.empty() ? "(server)" : c.endpoint.c_str(), c.metric.c_str(), change,
        static_cast<long long>(c.first_run_id), c.first_commit.empty() ? "" : (" commit " + c.first_commit).c_str(),
        c.first_label.empty() ? "" : (" [" + c.first_label + "]").c_str(), c.change.mean_before, c.change.mean_after,
        c.change.p_value);
  }
  return ExitCode::kPass;
}

}  // namespace

void add_history_command(CLI::App& app, CommandSlot& slot) {
  CLI::App* history = app.add_subcommand("history", "Keep a branch's runs and find where their performance changed");
  history->require_subcommand(1);

  auto a = std::make_shared<HistoryAddOptions>();
  CLI::App* add = history->add_subcommand("add", "Append a result to the history (atomically)");
  add->add_option("result", a->result_path, "Result JSON written by 'perfgate run'")->required();
  add->add_option("--commit", a->commit, "The commit the run measured (default: the result's labels.git_sha)");
  add->add_option("--branch", a->branch, "The branch the commit is on (default: the result's labels.branch)");
  add->add_option("--label", a->label, "A name for the run (default: the result's labels.label)");
  add->add_option("--findings", a->findings_path,
                  "Findings JSON of the run (default: RESULT.findings.json when present)");
  add->add_option("--store", a->store, "History directory, or a postgresql:// URI")->capture_default_str();
  add->callback([a, &slot] { slot.run = [a] { return run_history_add(*a); }; });

  auto s = std::make_shared<HistoryShowOptions>();
  CLI::App* show = history->add_subcommand("show", "List the runs and the change points of each endpoint and metric");
  show->add_option("--store", s->store, "History directory, or a postgresql:// URI")->capture_default_str();
  show->add_option("--branch", s->branch, "Only this branch's runs (default: every run)");
  show->add_flag("--json", s->json, "Print runs and change points as JSON");
  show->add_option("--max-p-value", s->analysis.change_points.max_p_value, "A change needs a Welch t-test p below this")
      ->capture_default_str()
      ->check(CLI::Range(1e-12, 0.5));
  show->add_option("--min-magnitude", s->analysis.change_points.min_magnitude,
                   "A change needs at least this relative change of the mean (0.05 = 5%)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  show->callback([s, &slot] { slot.run = [s] { return run_history_show(*s); }; });
}

}  // namespace perfgate::cli
