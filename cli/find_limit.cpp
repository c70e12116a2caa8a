// perfgate run --find-limit: flags, the scenario's "search" block, and one engine run per step.
#include "cli/find_limit.h"

#include <cmath>

#include "core/units.h"

namespace perfgate::cli {
namespace {

Result<std::chrono::microseconds> duration_flag(const std::string& text, const char* flag) {
  auto d = parse_duration(text);
  if (!d) return d.error().with_context(flag);
  return *d;
}

// "5%" or "0.05".
Result<double> share_flag(std::string text, const char* flag) {
  double scale = 1;
  if (!text.empty() && text.back() == '%') {
    text.pop_back();
    scale = 0.01;
  }
  try {
    size_t used = 0;
    const double v = std::stod(text, &used) * scale;
    if (used == text.size() && v > 0 && v < 1) return v;
  } catch (const std::exception&) {
  }
  return invalid_input(std::string(flag) + ": expected a share in (0%, 100%) such as 5% or 0.05");
}

std::string rate_text(double rps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, rps < 100 ? "%.1f" : "%.0f", rps);
  return buf;
}

}  // namespace

void add_find_limit_flags(CLI::App* cmd, FindLimitFlags& f) {
  cmd->add_option("--find-limit", f.slo,
                  "Search the highest arrival rate that keeps this SLO, e.g. \"p95 < 1s, error_rate < 1%\"");
  cmd->add_option("--find-limit-start", f.start_rps, "Search: first step's rate, requests/s (default 10)");
  cmd->add_option("--find-limit-max", f.max_rps, "Search: highest rate tried, requests/s (default 10000)");
  cmd->add_option("--find-limit-growth", f.growth, "Search: factor between steps until one fails (default 2)");
  cmd->add_option("--find-limit-precision", f.precision, "Search: stop when the bracket is this narrow (default 5%)");
  cmd->add_option("--find-limit-warm-up", f.warm_up, "Search: excluded start of every step (default 2s)");
  cmd->add_option("--find-limit-hold", f.hold, "Search: judged part of every step (default 10s)");
  cmd->add_option("--find-limit-budget", f.budget, "Search: time for all steps together (default 10m)");
}

bool search_requested(const FindLimitFlags& flags, const Scenario& scenario) {
  return !flags.slo.empty() || scenario.search.has_value();
}

Result<SearchSetup> resolve_search(const FindLimitFlags& f, const Scenario& scenario, const SloMeasurability& can) {
  const SearchSpec spec = scenario.search.value_or(SearchSpec{});
  const std::string file = scenario.source_path.empty() ? std::string("scenario") : scenario.source_path;
  SearchSetup setup;
  std::string slo_origin = "--find-limit";
  setup.slo_text = f.slo;
  if (setup.slo_text.empty()) {
    setup.slo_text = spec.slo;
    slo_origin = file + ": search.slo";
  }
  if (scenario.shape.model != LoadModel::kOpen) {
    return invalid_input(slo_origin + ": a limit search offers arrival rates (open model), and " + file +
                         " is a closed-model scenario; set \"load\": {\"model\": \"open\", ...}");
  }
  if (setup.slo_text.empty()) {
    return invalid_input(slo_origin + ": empty SLO; write e.g. \"p95 < 1s, error_rate < 1%\"");
  }
  auto slo = parse_slo(setup.slo_text, slo_origin, can);
  if (!slo) return slo.error();
  setup.slo = std::move(*slo);

  LimitSearchPlan& plan = setup.plan;
  if (spec.start_rps) plan.start_rps = *spec.start_rps;
  if (spec.max_rps) plan.max_rps = *spec.max_rps;
  if (spec.growth) plan.growth = *spec.growth;
  if (spec.precision) plan.precision = *spec.precision;
  if (spec.warm_up) plan.warm_up = *spec.warm_up;
  if (spec.hold) plan.hold = *spec.hold;
  if (spec.budget) plan.budget = *spec.budget;
  if (f.start_rps) plan.start_rps = *f.start_rps;
  if (f.max_rps) plan.max_rps = *f.max_rps;
  if (f.growth) plan.growth = *f.growth;
  if (!f.precision.empty()) {
    auto p = share_flag(f.precision, "--find-limit-precision");
    if (!p) return p.error();
    plan.precision = *p;
  }
  if (!f.warm_up.empty()) {
    auto d = duration_flag(f.warm_up, "--find-limit-warm-up");
    if (!d) return d.error();
    plan.warm_up = *d;
  }
  if (!f.hold.empty()) {
    auto d = duration_flag(f.hold, "--find-limit-hold");
    if (!d) return d.error();
    plan.hold = *d;
  }
  if (!f.budget.empty()) {
    auto d = duration_flag(f.budget, "--find-limit-budget");
    if (!d) return d.error();
    plan.budget = *d;
  }
  if (plan.max_rps < plan.start_rps && !f.max_rps && !spec.max_rps) plan.max_rps = plan.start_rps;
  if (auto st = validate_plan(plan); !st) return st.error().with_context("--find-limit");
  return setup;
}

void print_search_summary(std::FILE* out, const LimitSearch& s) {
  std::fprintf(out, "limit search  SLO \"%s\"  (each step: %.1fs warm-up excluded, %.1fs judged)\n", s.slo.c_str(),
               s.warm_up_s, s.hold_s);
  std::fprintf(out, "  %10s %10s %10s %10s %8s  %s\n", "offered/s", "achieved/s", "p50", "p95", "errors", "verdict");
  for (const auto& st : s.steps) {
    const LatencySummary l = LatencySummary::of(st.latency);
    std::string verdict = st.verdict;
    if (!st.broken.empty()) {
      verdict += " (";
      for (size_t i = 0; i < st.broken.size(); ++i) verdict += (i ? ", " : "") + st.broken[i];
      verdict += ")";
    }
    const double error_pct =
        st.requests > 0 ? 100.0 * static_cast<double>(st.errors) / static_cast<double>(st.requests) : 0;
    std::fprintf(out, "  %10s %10s %10s %10s %7.2f%%  %s\n", rate_text(st.offered_rps).c_str(),
                 rate_text(st.achieved_rps).c_str(), format_duration_us(l.p50).c_str(),
                 format_duration_us(l.p95).c_str(), error_pct, verdict.c_str());
  }
  std::fprintf(out, "  verdict: %s\n", s.verdict.c_str());
  if (s.max_sustainable_rps)
    std::fprintf(out, "  max_sustainable_rps: %s\n", rate_text(*s.max_sustainable_rps).c_str());
  else
    std::fprintf(out, "  max_sustainable_rps: none (no step was within the SLO)\n");
  if (s.first_failing_rps) {
    std::fprintf(out, "  first failing rate: %s/s, broke %s first\n", rate_text(*s.first_failing_rps).c_str(),
                 s.broken_first.c_str());
  }
  if (!s.note.empty()) std::fprintf(out, "  %s\n", s.note.c_str());
}

ExitCode search_exit_code(const LimitSearch& s) {
  if (s.verdict == "below_start") return ExitCode::kBudgetFailed;
  if (s.verdict == "generator_limited" || s.verdict == "inconclusive") return ExitCode::kToolFailure;
  return ExitCode::kPass;
}

}  // namespace perfgate::cli
