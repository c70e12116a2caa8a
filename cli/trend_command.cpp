// perfgate trend DIR|FILES... -o trend.html: how latency, errors and memory moved over many runs.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "analyzers/history.h"
#include "cli/command.h"
#include "core/files.h"
#include "core/run_result_io.h"
#include "history/store.h"
#include "reports/trend_report.h"

namespace perfgate::cli {
namespace {

struct TrendCommandOptions {
  std::vector<std::string> inputs;
  std::string store;  ///< a history store instead of files (history show --html draws the same)
  std::string branch;
  std::string output_path;
  size_t window = 5;
  double threshold_percent = 10;
};

struct LoadedRun {
  std::string path;
  RunResult result;
};

// A directory contributes every *.json result in it (other JSON, e.g. gate reports, is skipped
// with a note); a file named explicitly must be a result.
Result<std::vector<LoadedRun>> load_runs(const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::vector<LoadedRun> runs;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(input, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path().string());
      }
      if (ec) return invalid_input(input + ": cannot list directory: " + ec.message());
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        auto result = read_run_result(file);
        if (!result) {
          std::fprintf(stderr, "perfgate: note: skipping %s\n", result.error().message.c_str());
          continue;
        }
        runs.push_back({file, std::move(*result)});
      }
      continue;
    }
    auto result = read_run_result(input);
    if (!result) return result.error();
    runs.push_back({input, std::move(*result)});
  }
  if (runs.empty()) return invalid_input("no result files found in " + std::to_string(inputs.size()) + " input(s)");
  return runs;
}

// The store's runs in id order, named by their id, commit and label.
Result<std::vector<LoadedRun>> load_store(const std::string& spec, const std::string& branch) {
  auto store = open_history_store(spec);
  if (!store) return store.error();
  auto entries = (*store)->list(branch, WithResults::kYes);
  if (!entries) return entries.error();
  std::vector<LoadedRun> runs;
  for (const auto& e : *entries) {
    const std::string source = (*store)->describe() + " run " + std::to_string(e.summary.id);
    auto r = run_result_from_json(e.result_json, source);
    if (!r) return r.error();
    r->labels["history_id"] = std::to_string(e.summary.id);
    if (!e.summary.commit.empty()) r->labels["git_sha"] = e.summary.commit;
    if (!e.summary.label.empty()) r->labels["label"] = e.summary.label;
    runs.push_back({source, std::move(*r)});
  }
  return runs;
}

ExitCode run_trend(const TrendCommandOptions& options) {
  if (options.inputs.empty() == options.store.empty()) {
    return report_error(invalid_input("trend: give result files/directories or --store, not both or neither"));
  }
  auto loaded = options.store.empty() ? load_runs(options.inputs) : load_store(options.store, options.branch);
  if (!loaded) return report_error(loaded.error());
  // A store is already in the order runs were added; files are ordered by their start time.
  if (options.store.empty())
    // ISO-8601 UTC start times order correctly as strings.
    std::stable_sort(loaded->begin(), loaded->end(), [](const LoadedRun& a, const LoadedRun& b) {
      return a.result.context.start_time < b.result.context.start_time;
    });
  std::vector<RunResult> runs;
  runs.reserve(loaded->size());
  for (auto& run : *loaded) runs.push_back(std::move(run.result));
  TrendOptions trend;
  // Change points per scenario over the good runs; a run is known by its history id or position.
  std::vector<RunSummary> summaries;
  for (size_t i = 0; i < runs.size(); ++i) {
    // Files are numbered by position; a store's runs already carry their id (load_store).
    if (options.store.empty()) runs[i].labels["history_id"] = std::to_string(i + 1);
    summaries.push_back(summarize_run(runs[i], nullptr));
    summaries.back().id = std::stoll(runs[i].labels["history_id"]);
  }
  trend.changes = find_history_changes(summaries);
  trend.window = options.window;
  trend.threshold = options.threshold_percent / 100.0;
  const Status written = write_file_atomically(options.output_path, render_trend_html(runs, trend));
  if (!written) return report_error(written.error());
  std::fprintf(stderr, "perfgate: wrote %s (%zu runs)\n", options.output_path.c_str(), runs.size());
  return ExitCode::kPass;
}

}  // namespace

void add_trend_command(CLI::App& app, CommandSlot& slot) {
  auto options = std::make_shared<TrendCommandOptions>();
  CLI::App* cmd = app.add_subcommand("trend", "Chart p95/p99, error rate and peak memory over many runs");
  cmd->add_option("inputs", options->inputs, "Result JSON files, or directories of them");
  cmd->add_option("--store", options->store, "Chart a history store instead (directory or postgresql:// URI)");
  cmd->add_option("--branch", options->branch, "With --store: only this branch's runs");
  cmd->add_option("-o,--output", options->output_path, "Output HTML file")->required();
  cmd->add_option("--window", options->window, "Compare each run with the median of this many previous runs")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--threshold", options->threshold_percent, "Percent worse than that median that marks a regression")
      ->check(CLI::Range(0.0, 1000.0));
  cmd->callback([options, &slot] { slot.run = [options] { return run_trend(*options); }; });
}

}  // namespace perfgate::cli
