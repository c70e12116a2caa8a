// Evaluating budgets against a run: scope resolution and the verdict of ceilings and floors.
#include "analyzers/budget_evaluator.h"

#include <algorithm>
#include <cmath>

#include "budget_checks.h"

namespace perfgate {
namespace budget_detail {

const char* op_text(BudgetOp op) {
  switch (op) {
    case BudgetOp::kLess:
      return "<";
    case BudgetOp::kLessEqual:
      return "<=";
    case BudgetOp::kGreater:
      return ">";
    case BudgetOp::kGreaterEqual:
      return ">=";
  }
  return "?";
}

std::string where(const Target& target) {
  std::string w = target.endpoint.empty() ? "whole run" : target.endpoint;
  if (target.phase) w += " [" + target.phase->name + "]";
  return w;
}

std::string limit_text(const BudgetRule& rule, const std::string& unit) {
  std::string text = format_check_value(rule.limit, unit);
  if (rule.tolerance > 1.0) {
    char factor[32];
    std::snprintf(factor, sizeof factor, "%.3g", rule.tolerance);
    text += " (x" + std::string(factor) + " tolerance: " + format_check_value(rule.limit * rule.tolerance, unit) + ")";
  }
  return text;
}

CheckResult make_check(const BudgetRule& rule, const Target& target) {
  CheckResult c;
  c.kind = "budget";
  c.endpoint = target.endpoint;
  c.phase = target.phase ? target.phase->name : "";
  c.metric = rule.label;
  c.id = "budget:" + (target.endpoint.empty() ? std::string("run") : target.endpoint) + ":" +
         (c.phase.empty() ? "" : c.phase + ":") + rule.label;
  c.limit = rule.limit;
  return c;
}

}  // namespace budget_detail

namespace {

using namespace budget_detail;

bool is_ceiling(BudgetOp op) { return op == BudgetOp::kLess || op == BudgetOp::kLessEqual; }

bool breaks(BudgetOp op, double value, double limit) {
  switch (op) {
    case BudgetOp::kLess:
      return value >= limit;
    case BudgetOp::kLessEqual:
      return value > limit;
    case BudgetOp::kGreater:
      return value <= limit;
    case BudgetOp::kGreaterEqual:
      return value < limit;
  }
  return true;
}

bool is_latency_figure(BudgetMetric m) {
  return m == BudgetMetric::kLatency || m == BudgetMetric::kNamedMetric || m == BudgetMetric::kTimeoutShare;
}

CheckResult judge(const BudgetRule& rule, const Target& target, const Measure& m) {
  CheckResult c = make_check(rule, target);
  c.unit = m.unit;
  const std::string head = where(target) + " " + rule.label;
  if (!m.value) {
    c.verdict = Verdict::kInconclusive;
    c.message = head + ": cannot evaluate \"" + rule.text + "\": " + m.reason;
    return c;
  }
  const double v = *m.value;
  c.measured = v;
  const std::string value_text = format_check_value(v, m.unit);
  const std::string tail = m.detail.empty() ? "" : " (" + m.detail + ")";
  if (!breaks(rule.op, v, rule.limit)) {
    c.verdict = Verdict::kPass;
    c.message = head + " " + value_text + " " + op_text(rule.op) + " " + format_check_value(rule.limit, m.unit) + tail;
    return c;
  }
  const bool within_tolerance =
      is_ceiling(rule.op) && rule.tolerance > 1.0 && !breaks(rule.op, v, rule.limit * rule.tolerance);
  const double bound = within_tolerance || !is_ceiling(rule.op) ? rule.limit : rule.limit * rule.tolerance;
  const double excess = std::fabs(v - bound);
  char pct[32] = "";
  if (bound > 0) std::snprintf(pct, sizeof pct, ", %+.0f%%", (v - bound) / bound * 100.0);
  const std::string by = " by " + format_check_value(excess, m.unit) + pct;
  if (within_tolerance) {
    c.verdict = Verdict::kWarn;
    c.message = head + " " + value_text + " is over its budget " + format_check_value(rule.limit, m.unit) + by +
                ", within the tolerance " + limit_text(rule, m.unit) + tail;
    return c;
  }
  c.verdict = rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail;
  c.message = head + " " + value_text + (is_ceiling(rule.op) ? " exceeds " : " is below ") + limit_text(rule, m.unit) +
              by + " [budget \"" + rule.text + "\"]" + tail;
  if (c.verdict == Verdict::kFail && target.generator_saturated && is_latency_figure(rule.metric)) {
    // A saturated generator sends late; the late time is counted as latency, so the figure may be
    // the tool's own. Failing the build on it would blame the service for the tool.
    c.verdict = Verdict::kInconclusive;
    c.message +=
        "; the load generator was saturated, so this latency may be the tool's: rerun with fewer "
        "requests per second or more CPU";
  }
  return c;
}

Measure measure_search(const Target& target) {
  Measure m;
  m.unit = "rps";
  if (!target.search) {
    m.reason = "the result holds no limit search; produce it with perfgate run --find-limit";
    return m;
  }
  if (!target.search->max_sustainable_rps) {
    m.reason = "the search found no sustainable rate (" + target.search->verdict + ": " + target.search->note + ")";
    return m;
  }
  m.value = *target.search->max_sustainable_rps;
  m.detail = "search verdict " + target.search->verdict;
  if (target.search->first_failing_rps) {
    m.detail += ", first failing rate " + format_check_value(*target.search->first_failing_rps, "rps") + " broke " +
                target.search->broken_first;
  }
  return m;
}

CheckResult evaluate_rule(const BudgetRule& rule, const Target& target) {
  switch (rule.metric) {
    case BudgetMetric::kRecovery:
      return evaluate_recovery(rule, target);
    case BudgetMetric::kRssSlope:
      return evaluate_rss_slope(rule, target);
    case BudgetMetric::kRssGrowth:
      return evaluate_rss_growth(rule, target);
    case BudgetMetric::kCpuDrift:
      return evaluate_cpu_drift(rule, target);
    case BudgetMetric::kNoFindings:
      return evaluate_findings_rule(rule, target);
    case BudgetMetric::kMaxSustainableRps:
      return judge(rule, target, measure_search(target));
    case BudgetMetric::kLatency:
    case BudgetMetric::kNamedMetric:
    case BudgetMetric::kErrorRate:
    case BudgetMetric::kTimeoutShare:
    case BudgetMetric::kThroughput:
    case BudgetMetric::kTallyShare:
      return judge(rule, target, measure_endpoint_metric(rule, target));
    default:
      return judge(rule, target, measure_resource_metric(rule, target));
  }
}

// Merges the request and flow endpoints into one (steps are inside flows; counting them would
// count the same time twice).
EndpointStats merge_endpoints(const std::vector<EndpointStats>& endpoints) {
  EndpointStats all;
  all.name = "";
  for (const auto& e : endpoints) {
    if (e.kind == EndpointKind::kStep) continue;
    all.merge(e);
  }
  return all;
}

const std::vector<EndpointStats>* endpoints_of(const RunResult& r, const PhaseInfo* phase) {
  if (!phase) return &r.endpoints;
  for (const auto& ps : r.phase_stats) {
    if (ps.phase == phase->name) return &ps.endpoints;
  }
  return nullptr;
}

std::string phase_names(const RunResult& r) {
  std::string names;
  for (const auto& p : r.phases) names += (names.empty() ? "" : ", ") + p.name;
  return names.empty() ? "none" : names;
}

}  // namespace

namespace {

std::vector<CheckResult> evaluate(const BudgetSet& budgets, const RunResult& result, const Findings* findings,
                                  std::vector<std::string>* notes) {
  std::vector<CheckResult> checks;
  std::vector<std::string> unmatched_categories;
  for (const BudgetEntry& entry : budgets.entries) {
    Target base;
    base.findings = findings;
    base.run_endpoints = &result.endpoints;
    base.generator_saturated = result.generator.saturated;
    if (result.limit_search) base.search = &*result.limit_search;
    base.duration_s = result.duration_s;
    base.pattern = !entry.scope.endpoint.empty() ? entry.scope.endpoint
                                                 : entry.scope.category + (entry.scope.category.empty() ? "" : ".*");
    if (result.profile) base.profile = &result.profile->summary;

    if (!entry.scope.phase.empty()) {
      for (const auto& p : result.phases) {
        if (p.name == entry.scope.phase) base.phase = &p;
      }
      if (!base.phase) {
        for (const auto& rule : entry.rules) {
          Target t = base;
          t.endpoint = base.pattern;
          CheckResult c = make_check(rule, t);
          c.phase = entry.scope.phase;
          c.verdict = Verdict::kInconclusive;
          c.message = "phase \"" + entry.scope.phase + "\" of " + entry.origin +
                      " is not in the result (phases: " + phase_names(result) + "); fix the budget's phase name";
          checks.push_back(std::move(c));
        }
        continue;
      }
      base.duration_s = static_cast<double>(base.phase->end_ms - base.phase->start_ms) / 1000.0;
      if (result.profile) {
        auto it = result.profile->phases.find(base.phase->name);
        base.profile = it == result.profile->phases.end() ? nullptr : &it->second;
      }
    }

    const std::vector<EndpointStats>* endpoints = endpoints_of(result, base.phase);
    static const std::vector<EndpointStats> kNone;
    if (!endpoints) endpoints = &kNone;

    if (entry.scope.endpoint.empty() && entry.scope.category.empty()) {
      const EndpointStats merged = merge_endpoints(*endpoints);
      Target t = base;
      t.stats = &merged;
      t.timeline = &result.timeline;
      for (const auto& rule : entry.rules) checks.push_back(evaluate_rule(rule, t));
      continue;
    }

    bool matched = false;
    for (const auto& e : *endpoints) {
      const bool hit = !entry.scope.endpoint.empty() ? endpoint_matches(entry.scope.endpoint, e.name)
                                                     : endpoint_category(e.name) == entry.scope.category;
      if (!hit) continue;
      matched = true;
      Target t = base;
      t.endpoint = e.name;
      t.stats = &e;
      // Per-phase endpoint statistics carry no timeline; recovery reads the overall one.
      if (const EndpointStats* overall = result.find_endpoint(e.name)) t.timeline = &overall->timeline;
      for (const auto& rule : entry.rules) checks.push_back(evaluate_rule(rule, t));
    }
    if (!matched && notes != nullptr && entry.scope.endpoint.empty()) {
      // A category is a convention a defaults file applies to every app; an app without such
      // endpoints has nothing to check there, which is one remark, not a verdict per rule.
      const std::string name = entry.scope.category + (base.phase ? " (phase " + base.phase->name + ")" : "");
      if (std::find(unmatched_categories.begin(), unmatched_categories.end(), name) == unmatched_categories.end()) {
        unmatched_categories.push_back(name);
      }
    } else if (!matched) {
      for (const auto& rule : entry.rules) {
        Target t = base;
        t.endpoint = base.pattern;
        CheckResult c = make_check(rule, t);
        c.verdict = Verdict::kInconclusive;
        c.message = "no endpoint matches " +
                    (entry.scope.endpoint.empty() ? "category \"" + entry.scope.category + "\""
                                                  : "\"" + entry.scope.endpoint + "\"") +
                    (base.phase ? " in phase " + base.phase->name : std::string()) + " (" + entry.origin +
                    "); fix the pattern or the scenario";
        checks.push_back(std::move(c));
      }
    }
  }
  if (notes != nullptr && !unmatched_categories.empty()) {
    std::string names;
    for (const auto& n : unmatched_categories) names += (names.empty() ? "" : ", ") + n;
    notes->push_back("budgets for categories with no endpoint in this run were not checked (" + budgets.source +
                     "): " + names);
  }
  return checks;
}

}  // namespace

std::vector<CheckResult> evaluate_budgets(const BudgetSet& budgets, const RunResult& result, const Findings* findings) {
  return evaluate(budgets, result, findings, nullptr);
}

std::vector<CheckResult> evaluate_budgets(const BudgetSet& budgets, const RunResult& result, const Findings* findings,
                                          std::vector<std::string>& notes) {
  return evaluate(budgets, result, findings, &notes);
}

}  // namespace perfgate