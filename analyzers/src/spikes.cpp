// Spike verdicts: which phases are spikes, their error share, and their recovery measured with the
// budget evaluator's recovery rule, so "recovered" means the same here as in a budgets file.
#include "analyzers/spikes.h"

#include <algorithm>
#include <string>

#include "analyzers/budget.h"
#include "analyzers/budget_evaluator.h"

namespace perfgate {
namespace {

double peak_of(const PhaseInfo& p) {
  return std::max({p.target_rps_start, p.target_rps_end, static_cast<double>(std::max(p.vus_start, p.vus_end))});
}

double end_of(const PhaseInfo& p) { return std::max(p.target_rps_end, static_cast<double>(p.vus_end)); }

const PhaseStats* stats_of(const RunResult& r, const std::string& phase) {
  for (const auto& ps : r.phase_stats) {
    if (ps.phase == phase) return &ps;
  }
  return nullptr;
}

// Requests, errors and latency of a phase over its top-level endpoints (a flow's steps are inside it).
EndpointStats merged(const PhaseStats* ps) {
  EndpointStats m;
  if (ps == nullptr) return m;
  for (const auto& e : ps->endpoints) {
    if (e.kind != EndpointKind::kStep) m.merge(e);
  }
  return m;
}

// A spike rises to at least twice the load before it and is followed by lower load; a phase the
// scenario names "spike" is one whatever its numbers.
bool is_spike(const std::vector<PhaseInfo>& phases, size_t i) {
  if (i == 0 || i + 1 >= phases.size()) return false;
  if (phases[i].name == "spike") return true;
  const double before = end_of(phases[i - 1]);
  return before > 0 && peak_of(phases[i]) >= 2 * before && peak_of(phases[i + 1]) < peak_of(phases[i]);
}

}  // namespace

std::vector<SpikeVerdict> judge_spikes(const RunResult& result, std::optional<double> p95_limit_us) {
  std::vector<SpikeVerdict> out;
  const std::vector<PhaseInfo>& phases = result.phases;
  for (size_t i = 0; i < phases.size(); ++i) {
    if (!is_spike(phases, i)) continue;
    const PhaseInfo& phase = phases[i];
    SpikeVerdict v;
    v.phase = phase.name;
    const EndpointStats during = merged(stats_of(result, phase.name));
    v.requests = during.requests;
    v.errors = during.errors.total;
    v.error_share = v.requests > 0 ? static_cast<double>(v.errors) / static_cast<double>(v.requests) : 0;
    if (p95_limit_us) {
      v.p95_limit_us = *p95_limit_us;
      v.limit_source = "--spike-p95";
    } else {
      const EndpointStats before = merged(stats_of(result, phases[i - 1].name));
      const double p95 =
          before.latency.total_count() > 0 ? static_cast<double>(before.latency.value_at_percentile(95)) : 0;
      v.p95_limit_us = std::max(1000.0, 2 * p95);
      v.limit_source = "baseline";
    }
    int64_t last_ms = phase.end_ms;
    for (const auto& t : result.timeline) last_ms = std::max(last_ms, t.t_ms + t.duration_ms);
    v.observed_after_s = static_cast<double>(last_ms - phase.end_ms) / 1000.0;
    // The budget evaluator's recovery rule, with a window as long as the run went on: "within" only
    // decides pass/fail there, and here the measured time is the verdict.
    BudgetSet set;
    BudgetEntry entry;
    entry.scope.phase = phase.name;
    entry.origin = "spike verdict";
    auto rule =
        parse_budget_rule("recovery.p95 < " + std::to_string(static_cast<int64_t>(v.p95_limit_us)) + "us within " +
                          std::to_string(std::max<int64_t>(1, last_ms - phase.end_ms + 1000)) + "ms");
    if (!rule) continue;  // cannot happen for a rule built from numbers; skipping beats a made-up figure
    entry.rules.push_back(std::move(*rule));
    set.entries.push_back(std::move(entry));
    const std::vector<CheckResult> checks = evaluate_budgets(set, result, nullptr);
    if (checks.empty() || checks.front().verdict == Verdict::kInconclusive) {
      v.verdict = v.observed_after_s > 0 ? "not_recovered" : "no_data";
    } else if (checks.front().verdict == Verdict::kPass) {
      v.recovery_s = checks.front().measured / 1e6;
      v.verdict = "recovered";
    } else {
      v.verdict = "not_recovered";
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace perfgate
