#include "history/baseline_history.h"

#include <algorithm>

#include "core/run_result_io.h"

namespace perfgate {

Result<BaselineHistorySpec> parse_baseline_history(const std::string& text) {
  BaselineHistorySpec spec;
  const size_t colon = text.rfind(':');
  spec.branch = colon == std::string::npos ? text : text.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string n = text.substr(colon + 1);
    const bool digits =
        !n.empty() && n.size() <= 4 && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(n) < 1 || std::stoi(n) > 1000) {
      return invalid_input("--baseline-history: " + text + ": N must be a whole number in 1..1000 (e.g. main:5)");
    }
    spec.runs = static_cast<size_t>(std::stoi(n));
  }
  if (spec.branch.empty())
    return invalid_input("--baseline-history: " + text + ": name a branch (e.g. main or main:5)");
  return spec;
}

Result<RunResult> load_history_baseline(HistoryStore& store, const BaselineHistorySpec& spec,
                                        const std::string& identity_hash, std::string& description) {
  auto entries = store.list(spec.branch, WithResults::kYes);
  if (!entries) return entries.error();
  std::vector<int64_t> chosen;
  size_t other_scenarios = 0, not_good = 0;
  for (auto it = entries->rbegin(); it != entries->rend() && chosen.size() < spec.runs; ++it) {
    if (it->summary.scenario_hash != identity_hash) {
      ++other_scenarios;
    } else if (!is_good_run(it->summary)) {
      ++not_good;
    } else {
      chosen.push_back(it->summary.id);
    }
  }
  if (chosen.empty()) {
    return invalid_input("--baseline-history " + spec.branch + ": " + store.describe() +
                         " has no complete run of this scenario on branch " + spec.branch + " (" +
                         std::to_string(entries->size()) + " runs: " + std::to_string(other_scenarios) +
                         " of other scenarios, " + std::to_string(not_good) +
                         " partial or failed); add one with 'perfgate history add'");
  }
  std::reverse(chosen.begin(), chosen.end());
  std::vector<RunResult> runs;
  for (const auto& e : *entries) {
    if (std::find(chosen.begin(), chosen.end(), e.summary.id) == chosen.end()) continue;
    const std::string source = store.describe() + " run " + std::to_string(e.summary.id);
    auto r = run_result_from_json(e.result_json, source);
    if (!r) return r.error();
    runs.push_back(std::move(*r));
  }
  description = "history " + spec.branch + ": runs";
  for (size_t i = 0; i < chosen.size(); ++i) description += (i == 0 ? " " : ", ") + std::to_string(chosen[i]);
  description += " of " + store.describe();
  return pool_baseline_runs(runs, "--baseline-history " + spec.branch);
}

}  // namespace perfgate
