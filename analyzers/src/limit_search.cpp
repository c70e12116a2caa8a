// The limit search (docs/run.md "Finding the limit"): SLO parsing, step judgement and the step loop.
#include "analyzers/limit_search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analyzers/budget_evaluator.h"

namespace perfgate {
namespace {

std::string rate_text(double rps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, rps < 100 ? "%.1f" : "%.0f", rps);
  return buf;
}

// Why a rule cannot judge a step, or "" when it can.
std::string unmeasurable(const BudgetRule& rule, const SloMeasurability& can) {
  switch (rule.metric) {
    case BudgetMetric::kPeakRss:
    case BudgetMetric::kRssSlope:
    case BudgetMetric::kRssGrowth:
    case BudgetMetric::kCpuDrift:
    case BudgetMetric::kCpu:
    case BudgetMetric::kCpuPerRequest:
      if (!can.server_profiled) {
        return rule.label +
               " is measured on the server's processes, and this run watches none; add --watch-pid PID, "
               "--watch-pattern REGEX or --spawn CMD";
      }
      return "";
    case BudgetMetric::kPgConnections:
      if (!can.postgres_sampled) return "pg_connections needs PostgreSQL sampling; add --pg DSN";
      return "";
    case BudgetMetric::kQueriesPerRequest:
    case BudgetMetric::kSlowQueryMean:
    case BudgetMetric::kNoFindings:
      return rule.label +
             " comes from the query analysis after a whole run, not from one step; put it in a "
             "budgets file for perfgate gate";
    case BudgetMetric::kRecovery:
      return "recovery measures the end of a spike phase, and a search holds each rate constant; judge it with a "
             "spike scenario and a budgets file";
    case BudgetMetric::kMaxSustainableRps:
      return "max_sustainable_rps is what the search finds; budget it in a budgets file for perfgate gate";
    default:
      return "";
  }
}

// Below this share of the offered rate actually sent, a step measured the generator, not the service.
constexpr double kMinSentShare = 0.95;

// Requests started per second over the whole step (warm-up included: the schedule does not pause
// between phases), from the timeline; nullopt when the result has no timeline or phases. The whole
// step rather than the judged phase, because the last interval also holds the drain after the
// schedule, so a share of it by time would undercount the sends.
std::optional<double> sent_rps(const RunResult& r) {
  int64_t sent = 0, span_ms = 0;
  for (const auto& p : r.phases) span_ms += p.end_ms - p.start_ms;
  for (const auto& i : r.timeline) sent += i.sent;
  if (span_ms <= 0 || r.timeline.empty()) return std::nullopt;
  return static_cast<double>(sent) * 1000.0 / static_cast<double>(span_ms);
}

LimitStep generator_limited(LimitStep& s, const RunResult& step) {
  s.verdict = "generator_limited";
  s.broken.clear();
  s.messages.push_back(step.generator.note);
  return s;
}

// How far past its limit a check went, relative to the limit (for "which SLO broke first").
double excess_of(const CheckResult& c) {
  if (!c.limit || *c.limit <= 0) return c.measured > 0 ? 1e9 : 0;
  return std::fabs(c.measured - *c.limit) / *c.limit;
}

}  // namespace

Result<BudgetSet> parse_slo(std::string_view text, const std::string& flag, const SloMeasurability& can) {
  BudgetSet set;
  set.source = flag;
  BudgetEntry entry;
  entry.origin = flag;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c != ',' || depth > 0) continue;
    const std::string_view piece = text.substr(start, i - start);
    size_t lead = 0;
    while (lead < piece.size() && (piece[lead] == ' ' || piece[lead] == '\t')) ++lead;
    const std::string where = flag + ": column " + std::to_string(start + lead + 1) + ": ";
    auto rule = parse_budget_rule(piece);
    if (!rule) return invalid_input(where + rule.error().message);
    if (const std::string why = unmeasurable(*rule, can); !why.empty()) {
      std::string message = where;
      message.append("rule \"").append(rule->text).append("\": cannot be judged in this search: ").append(why);
      return invalid_input(message);
    }
    entry.rules.push_back(std::move(*rule));
    start = i + 1;
  }
  if (depth != 0) return invalid_input(flag + ": unbalanced parentheses; write e.g. \"p95 < 1s, error_rate < 1%\"");
  set.entries.push_back(std::move(entry));
  return set;
}

Status validate_plan(const LimitSearchPlan& plan) {
  if (!(plan.start_rps > 0)) return invalid_input("search start rate: must be > 0 requests/s");
  if (!(plan.max_rps >= plan.start_rps)) {
    return invalid_input("search max rate: must be >= the start rate (" + rate_text(plan.start_rps) + "/s)");
  }
  if (plan.max_rps > 1'000'000) return invalid_input("search max rate: at most 1000000 requests/s from one generator");
  if (!(plan.growth > 1)) return invalid_input("search growth: must be > 1 (2 doubles the rate each step)");
  if (!(plan.precision > 0 && plan.precision < 1))
    return invalid_input("search precision: must be in (0%, 100%), e.g. 5%");
  if (plan.warm_up.count() < 0) return invalid_input("search warm-up: must be >= 0");
  if (plan.hold.count() <= 0) return invalid_input("search hold: must be > 0 (e.g. 10s)");
  if (plan.budget < plan.warm_up + plan.hold) {
    return invalid_input("search budget: must hold at least one step (warm-up + hold); raise it or shorten the steps");
  }
  return {};
}

LimitStep judge_step(const BudgetSet& slo, double offered_rps, const RunResult& step) {
  LimitStep s;
  s.offered_rps = offered_rps;
  s.achieved_rps = step.achieved_rps;
  s.duration_s = step.duration_s;
  s.requests = step.total_requests();
  s.errors = step.total_errors();
  s.generator = step.generator;
  for (const auto& e : step.endpoints) {
    if (e.kind != EndpointKind::kStep) s.latency.merge(e.latency);
  }
  // A generator short of CPU (its own, or the machine's) sends late. A step it did not even send is
  // the generator's limit. Otherwise its lateness is in the latency from the due time, and the
  // service's own part is the service time (send -> done): judged on that, a breach is the service's.
  // Requests that waited for a busy connection (cause "connections") waited for the server: every
  // connection is busy only when responses are late, so such a step is judged as it is.
  // A busy generator (its workers hardly ever waited for I/O) read responses late, which holds in
  // the service time as much as in the latency: any breach may be its own, so it is the limit.
  const bool generator_short = step.generator.saturated && step.generator.cause != "connections";
  if (generator_short) {
    const std::optional<double> sent = sent_rps(step);
    if (sent && *sent < kMinSentShare * offered_rps) return generator_limited(s, step);
  }
  RunResult view = step;
  view.generator.saturated = false;
  if (generator_short) {
    for (auto& e : view.endpoints) e.latency = e.service_time;
    for (auto& ps : view.phase_stats) {
      for (auto& e : ps.endpoints) e.latency = e.service_time;
    }
  }
  const std::vector<CheckResult> checks = evaluate_budgets(slo, view, nullptr);
  bool inconclusive = false;
  std::vector<const CheckResult*> failed;
  for (const auto& c : checks) {
    s.messages.push_back(c.message);
    if (c.verdict == Verdict::kFail) failed.push_back(&c);
    if (c.verdict == Verdict::kInconclusive) inconclusive = true;
  }
  // The rule furthest past its limit is named first: at the first failing rate it is the one that broke.
  std::stable_sort(failed.begin(), failed.end(),
                   [](const CheckResult* a, const CheckResult* b) { return excess_of(*a) > excess_of(*b); });
  for (const CheckResult* c : failed) s.broken.push_back(c->metric);
  if (step.generator.busy() && !failed.empty()) return generator_limited(s, step);
  if (generator_short && failed.empty()) {
    // Within the SLO on service time; if the lateness alone breaks it, whether the service would keep
    // the SLO at this rate offered on time is unknown.
    view.endpoints = step.endpoints;
    view.phase_stats = step.phase_stats;
    for (const auto& c : evaluate_budgets(slo, view, nullptr)) {
      if (c.verdict == Verdict::kFail) return generator_limited(s, step);
    }
  }
  if (!failed.empty())
    s.verdict = "bad";
  else if (inconclusive || s.requests == 0)
    s.verdict = "inconclusive";
  else
    s.verdict = "good";
  return s;
}

Result<RunResult> find_limit(const BudgetSet& slo, const std::string& slo_text, const LimitSearchPlan& plan,
                             const StepRunner& run_step) {
  LimitSearch search;
  search.slo = slo_text;
  search.precision = plan.precision;
  search.warm_up_s = static_cast<double>(plan.warm_up.count()) / 1e6;
  search.hold_s = static_cast<double>(plan.hold.count()) / 1e6;
  std::optional<RunResult> best;   // highest good step
  std::optional<RunResult> first;  // kept while no step was good
  std::optional<double> good, bad;
  const auto step_time = plan.warm_up + plan.hold;
  std::chrono::microseconds planned{0};
  double rate = plan.start_rps;
  while (true) {
    if (planned + step_time > plan.budget) {
      search.verdict = "time_budget";
      search.note = "the time budget ran out before the bracket was within " + rate_text(plan.precision * 100) + "%";
      break;
    }
    auto result = run_step(rate);
    if (!result) return result.error();
    planned += step_time;
    LimitStep step = judge_step(slo, rate, *result);
    if (result->partial) {
      // A stopped step held its rate for less than planned; judging it would bias the bracket.
      step.verdict = "interrupted";
      search.steps.push_back(std::move(step));
      search.verdict = "interrupted";
      search.note = "stopped during the step at " + rate_text(rate) + " requests/s";
      if (!first && !best) first = std::move(*result);
      break;
    }
    const std::string verdict = step.verdict;
    const std::vector<std::string> broken = step.broken;
    search.steps.push_back(std::move(step));
    if (verdict == "generator_limited") {
      search.verdict = "generator_limited";
      search.note = "perfgate could not offer " + rate_text(rate) + " requests/s (" + result->generator.note +
                    "); the service's limit was not reached by the load offered, so it is not known";
      if (!first && !best) first = std::move(*result);
      break;
    }
    if (verdict == "inconclusive") {
      search.verdict = "inconclusive";
      search.note = "the step at " + rate_text(rate) + " requests/s could not be judged: " +
                    (search.steps.back().messages.empty() ? std::string("no request completed")
                                                          : search.steps.back().messages.front());
      if (!first && !best) first = std::move(*result);
      break;
    }
    if (verdict == "good") {
      if (!good || rate > *good) {
        good = rate;
        best = std::move(*result);
      }
    } else {
      if (!bad || rate < *bad) {
        bad = rate;
        search.broken_first = broken.empty() ? "" : broken.front();
      }
      if (!first && !best) first = std::move(*result);
    }
    if (!bad) {
      if (rate >= plan.max_rps) {
        search.verdict = "above_max";
        search.note = "still within the SLO at the highest rate allowed (" + rate_text(plan.max_rps) +
                      " requests/s); the limit is above it: raise the maximum";
        break;
      }
      rate = std::min(rate * plan.growth, plan.max_rps);
      continue;
    }
    if (!good) {
      search.verdict = "below_start";
      search.note = "already breaking the SLO at the first step (" + rate_text(plan.start_rps) +
                    " requests/s); the limit is below it: lower the start rate";
      break;
    }
    if (*bad - *good <= plan.precision * *good) {
      search.verdict = "found";
      search.note = "sustains " + rate_text(*good) + " requests/s; " + rate_text(*bad) + " requests/s broke " +
                    search.broken_first;
      break;
    }
    rate = (*good + *bad) / 2;
  }
  search.max_sustainable_rps = good;
  search.first_failing_rps = bad;
  RunResult out = best ? std::move(*best) : first ? std::move(*first) : RunResult{};
  out.limit_search = std::move(search);
  return out;
}

}  // namespace perfgate
