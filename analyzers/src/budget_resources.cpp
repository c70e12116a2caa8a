// Server, database and query-analysis budget measurements; recovery and memory-slope rules.
#include <algorithm>
#include <cmath>

#include "budget_checks.h"
#include "core/units.h"

namespace perfgate::budget_detail {
namespace {

// The consecutive per-second intervals that must be back under the limit to call it recovered: one
// good second between bad ones is noise, not recovery.
constexpr int kRecoveredIntervals = 3;
// A memory slope needs a few samples before its interval means anything.
constexpr int64_t kMinSlopeSamples = 5;

// A finding of the whole run (run-delta) belongs to the run's only endpoint when it has one.
bool sole_endpoint(const Target& target) {
  if (target.run_endpoints == nullptr) return false;
  int n = 0;
  for (const auto& e : *target.run_endpoints) n += e.kind != EndpointKind::kStep ? 1 : 0;
  return n == 1;
}

bool finding_in_scope(const Finding& f, const Target& target) {
  return target.endpoint.empty() || f.endpoint == target.endpoint ||
         f.endpoint.substr(0, f.endpoint.find('?')) == target.endpoint || (f.endpoint.empty() && sole_endpoint(target));
}

// Findings of the rule's kind that belong to no endpoint of the run: probed under another name (a URL
// whose method and path no run endpoint has) or not attributed at all (run-delta findings of the
// whole run). For a rule on one endpoint they may be that endpoint's, so its "no KIND" cannot pass.
// A finding whose query is also attributed to a known endpoint is that endpoint's, not unknown; a
// finding of the whole run is not the endpoint's when the endpoint was probed alone (its own
// statements were measured, queries_per_request), since its findings then carry its name.
std::vector<std::string> unattributed_findings(const BudgetRule& rule, const Target& target) {
  std::vector<std::string> out;
  if (target.endpoint.empty() || target.run_endpoints == nullptr) return out;
  const bool probed_alone = target.findings->queries_per_request.count(target.endpoint) > 0;
  // A probe by URL names its endpoint "GET /path?query"; quick mode names it "GET /path".
  auto known = [&](const std::string& name) {
    const std::string bare = name.substr(0, name.find('?'));
    for (const auto& e : *target.run_endpoints) {
      if (e.name == name || e.name == bare) return true;
    }
    return false;
  };
  const auto& all = target.findings->findings;
  for (const auto& f : all) {
    if (finding_kind_name(f.kind) != rule.metric_name || known(f.endpoint)) continue;
    if (f.endpoint.empty() && probed_alone) continue;
    bool explained = false;
    for (const auto& g : all) {
      if (g.kind == f.kind && !g.query.empty() && g.query == f.query && known(g.endpoint)) explained = true;
    }
    if (!explained) out.push_back(f.endpoint.empty() ? "the whole run" : "\"" + f.endpoint + "\"");
  }
  return out;
}

Measure missing(std::string reason, std::string unit) {
  Measure m;
  m.reason = std::move(reason);
  m.unit = std::move(unit);
  return m;
}

Measure value(double v, std::string unit, std::string detail = "") {
  Measure m;
  m.value = v;
  m.unit = std::move(unit);
  m.detail = std::move(detail);
  return m;
}

constexpr const char* kNoProfile = "the result has no server profile (run with --watch-pid / profiling enabled)";
constexpr const char* kNoFindings = "no findings were given (pass --findings FILE from 'perfgate analyze')";

double interval_figure(const IntervalStats& i, double percentile) {
  if (percentile >= 100) return i.max_us;
  if (percentile >= 99) return i.p99_us;
  if (percentile >= 95) return i.p95_us;
  if (percentile >= 90) return i.p90_us;
  return i.p50_us;
}

}  // namespace

Measure measure_resource_metric(const BudgetRule& rule, const Target& target) {
  const ProfileSummary* p = target.profile;
  const Findings* f = target.findings;
  switch (rule.metric) {
    case BudgetMetric::kPeakRss:
      if (!p) return missing(kNoProfile, "bytes");
      return value(static_cast<double>(p->peak_rss_bytes), "bytes");
    case BudgetMetric::kCpu:
      if (!p) return missing(kNoProfile, "percent");
      return value(p->mean_cpu_percent, "percent");
    case BudgetMetric::kCpuPerRequest:
      if (!p) return missing(kNoProfile, "us");
      return value(p->cpu_us_per_request, "us");
    case BudgetMetric::kPgConnections:
      if (!p) return missing(kNoProfile, rule.limit_is_share ? "ratio" : "count");
      if (rule.limit_is_share) {
        if (p->max_connections <= 0) return missing("max_connections was not sampled", "ratio");
        return value(
            static_cast<double>(p->peak_pg_connections) / static_cast<double>(p->max_connections), "ratio",
            std::to_string(p->peak_pg_connections) + " of max_connections " + std::to_string(p->max_connections));
      }
      return value(static_cast<double>(p->peak_pg_connections), "count");
    case BudgetMetric::kQueriesPerRequest: {
      if (!f) return missing(kNoFindings, "count");
      if (!target.endpoint.empty()) {
        auto it = f->queries_per_request.find(target.endpoint);
        if (it == f->queries_per_request.end())
          return missing("the findings have no query count for this endpoint", "count");
        return value(it->second, "count");
      }
      if (f->queries_per_request.empty()) return missing("the findings have no query counts", "count");
      auto worst = std::max_element(f->queries_per_request.begin(), f->queries_per_request.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
      return value(worst->second, "count", "worst endpoint: " + worst->first);
    }
    case BudgetMetric::kSlowQueryMean: {
      if (!f) return missing(kNoFindings, "us");
      double worst_us = 0;
      std::string worst_query;
      for (const auto& finding : f->findings) {
        if (finding.kind != FindingKind::kSlowQuery || !finding_in_scope(finding, target)) continue;
        auto it = finding.evidence.find("mean_ms");
        if (it == finding.evidence.end() || it->second * 1000.0 <= worst_us) continue;
        worst_us = it->second * 1000.0;
        worst_query = finding.query.substr(0, 80);
      }
      return value(worst_us, "us", worst_query.empty() ? "" : "query: " + worst_query);
    }
    default:
      return missing("not a resource metric", "");
  }
}

CheckResult evaluate_findings_rule(const BudgetRule& rule, const Target& target) {
  CheckResult c = make_check(rule, target);
  c.unit = "count";
  const std::string head = where(target) + " " + rule.label;
  if (!target.findings) {
    c.verdict = Verdict::kInconclusive;
    c.message = head + ": cannot evaluate \"" + rule.text + "\": " + kNoFindings;
    return c;
  }
  int64_t sure = 0, possible = 0;
  std::string first;
  for (const auto& f : target.findings->findings) {
    if (finding_kind_name(f.kind) != rule.metric_name || !finding_in_scope(f, target)) continue;
    (f.confidence == Confidence::kPossible ? possible : sure) += 1;
    if (first.empty()) first = f.summary.empty() ? f.query.substr(0, 80) : f.summary;
  }
  const std::vector<std::string> unknown = unattributed_findings(rule, target);
  c.measured = static_cast<double>(sure + possible);
  if (sure > 0) {
    c.verdict = rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail;
    c.message = head + ": " + std::to_string(sure) + " " + rule.metric_name + " finding(s), limit 0 [budget \"" +
                rule.text + "\"]; first: " + first;
  } else if (possible > 0) {
    c.verdict = Verdict::kWarn;
    c.message = head + ": " + std::to_string(possible) + " possible (unconfirmed) " + rule.metric_name +
                " finding(s); first: " + first;
  } else if (target.findings->inconclusive) {
    c.verdict = Verdict::kInconclusive;
    c.message =
        head + ": no " + rule.metric_name + " found, but the analysis was inconclusive, so absence is not proved";
    for (const auto& note : target.findings->notes)
      c.message += (&note == &target.findings->notes.front() ? " (" : "; ") + note;
    if (!target.findings->notes.empty()) c.message += ")";
  } else if (!unknown.empty()) {
    c.verdict = Verdict::kInconclusive;
    c.measured = static_cast<double>(unknown.size());
    c.message = head + ": " + std::to_string(unknown.size()) + " " + rule.metric_name +
                " finding(s) name no endpoint of this run (" + unknown.front() + (unknown.size() > 1 ? ", ..." : "") +
                "), so whether they are this endpoint's is unknown; probe the scenario's endpoints by name "
                "('perfgate analyze --probe SCENARIO') or by the same method and path";
  } else {
    c.verdict = Verdict::kPass;
    c.message = head + ": no " + rule.metric_name + " findings";
  }
  return c;
}

CheckResult evaluate_recovery(const BudgetRule& rule, const Target& target) {
  CheckResult c = make_check(rule, target);
  c.unit = "us";
  c.limit = rule.within_us;
  const std::string head = where(target) + " " + rule.label;
  const double threshold = rule.limit * rule.tolerance;
  std::vector<const IntervalStats*> after;
  if (target.timeline && target.phase) {
    for (const auto& i : *target.timeline) {
      if (i.t_ms >= target.phase->end_ms && i.requests > 0) after.push_back(&i);
    }
  }
  if (after.empty() || target.phase == nullptr) {
    c.verdict = Verdict::kInconclusive;
    c.message = head + ": no per-second data after phase " + (target.phase ? target.phase->name : "?") +
                " ends; let the scenario run on after the spike";
    return c;
  }
  const int64_t end_ms = target.phase->end_ms;
  int run = 0;
  for (size_t k = 0; k < after.size(); ++k) {
    run = interval_figure(*after[k], rule.percentile) <= threshold ? run + 1 : 0;
    if (run == kRecoveredIntervals || (run > 0 && k + 1 == after.size())) {
      const IntervalStats* first = after[k + 1 - static_cast<size_t>(run)];
      c.measured = static_cast<double>(first->t_ms - end_ms) * 1000.0;
      const bool late = c.measured > rule.within_us;
      c.verdict = late ? (rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail) : Verdict::kPass;
      c.message = head + " back under " + format_duration_us(threshold) + " " + format_duration_us(c.measured) +
                  " after " + target.phase->name + (late ? " ended, later than " : " ended, within ") +
                  format_duration_us(rule.within_us);
      return c;
    }
  }
  const IntervalStats& last = *after.back();
  c.measured = static_cast<double>(last.t_ms + last.duration_ms - end_ms) * 1000.0;
  if (c.measured < rule.within_us) {
    c.verdict = Verdict::kInconclusive;
    c.message = head + ": not yet back under " + format_duration_us(threshold) + " when the run ended " +
                format_duration_us(c.measured) + " after " + target.phase->name + ", before the " +
                format_duration_us(rule.within_us) + " window closed; run longer after the spike";
    return c;
  }
  c.verdict = rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail;
  c.message = head + " never got back under " + format_duration_us(threshold) + " in the " +
              format_duration_us(c.measured) + " observed after " + target.phase->name + " (limit " +
              format_duration_us(rule.within_us) + ") [budget \"" + rule.text + "\"]";
  return c;
}

namespace {

// Marks `c` inconclusive when there are too few memory samples for a slope; true then.
bool lacks_memory_samples(CheckResult& c, const std::string& head, const ProfileSummary* p) {
  if (p != nullptr && p->samples >= kMinSlopeSamples) return false;
  c.verdict = Verdict::kInconclusive;
  c.message = head + ": " +
              (p ? "only " + std::to_string(p->samples) + " memory samples; run longer" : std::string(kNoProfile));
  return true;
}

}  // namespace

CheckResult evaluate_rss_slope(const BudgetRule& rule, const Target& target) {
  CheckResult c = make_check(rule, target);
  c.unit = "mb_per_hour";
  const std::string head = where(target) + " " + rule.label;
  const ProfileSummary* p = target.profile;
  if (lacks_memory_samples(c, head, p)) return c;
  c.measured = p->rss_slope_mb_per_hour;
  char text[160];
  std::snprintf(text, sizeof text, "%.1f +/- %.1f MB/h vs limit %.1f MB/h", p->rss_slope_mb_per_hour,
                p->rss_slope_ci_mb_per_hour, rule.limit);
  // Growth counts only when even the low end of its ~95% interval is above the limit: a short soak's
  // noisy slope must not fail the build, but a wide interval above the limit is still worth a warning.
  if (p->rss_slope_mb_per_hour - p->rss_slope_ci_mb_per_hour > rule.limit) {
    c.verdict = rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail;
    c.message = head + " memory grows " + text + " [budget \"" + rule.text + "\"]";
  } else if (p->rss_slope_mb_per_hour > rule.limit) {
    c.verdict = Verdict::kWarn;
    c.message = head + " memory may grow: " + text + " (the interval includes the limit; soak longer to decide)";
  } else {
    c.verdict = Verdict::kPass;
    c.message = head + " memory slope " + text;
  }
  return c;
}

CheckResult evaluate_rss_growth(const BudgetRule& rule, const Target& target) {
  CheckResult c = make_check(rule, target);
  c.unit = "bytes";
  const std::string head = where(target) + " " + rule.label;
  const ProfileSummary* p = target.profile;
  if (lacks_memory_samples(c, head, p)) return c;
  const double horizon_h = (rule.horizon_us > 0 ? rule.horizon_us / 1e6 : target.duration_s) / 3600.0;
  const double slope = p->rss_slope_mb_per_hour, ci = p->rss_slope_ci_mb_per_hour;
  const double projected_bytes = slope * horizon_h * 1e6;
  c.measured = projected_bytes;
  char text[240];
  std::snprintf(text, sizeof text, "%.2f MB/h (95%% interval %.2f..%.2f MB/h), projected %s over %s against %s", slope,
                slope - ci, slope + ci, format_check_value(projected_bytes, "bytes").c_str(),
                format_duration_us(horizon_h * 3600e6).c_str(), format_check_value(rule.limit, "bytes").c_str());
  // A leak needs both: growth that is real (the interval excludes zero; a short soak's noise is not a
  // leak) and growth that matters (over the span the service runs for, more than the budget allows).
  const bool real = slope - ci > 0;
  if (real && projected_bytes > rule.limit) {
    c.verdict = rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail;
    c.message = head + " leak: memory grows " + text + " [budget \"" + rule.text + "\"]";
  } else {
    c.verdict = Verdict::kPass;
    c.message =
        head + (real ? " memory grows within budget: " : " no leak (the slope's interval includes zero): ") + text;
  }
  return c;
}

CheckResult evaluate_cpu_drift(const BudgetRule& rule, const Target& target) {
  CheckResult c = make_check(rule, target);
  c.unit = "percent";
  const std::string head = where(target) + " " + rule.label;
  const ProfileSummary* p = target.profile;
  if (p == nullptr || p->cpu_per_request_intervals < kMinSlopeSamples || p->cpu_per_request_start_us <= 0) {
    c.verdict = Verdict::kInconclusive;
    c.message = head + ": " +
                (p == nullptr ? std::string(kNoProfile)
                 : p->cpu_per_request_intervals < kMinSlopeSamples
                     ? "only " + std::to_string(p->cpu_per_request_intervals) +
                           " timeline intervals with requests and CPU samples; run longer"
                     : std::string("no CPU per request measured at the start; the server used no CPU"));
    return c;
  }
  const double horizon_h = (rule.horizon_us > 0 ? rule.horizon_us / 1e6 : target.duration_s) / 3600.0;
  const double slope = p->cpu_per_request_slope_us_per_hour, ci = p->cpu_per_request_slope_ci_us_per_hour;
  const double start = p->cpu_per_request_start_us;
  const double projected_percent = slope * horizon_h / start * 100.0;
  c.measured = projected_percent;
  auto signed_us = [](double us) { return (us < 0 ? "-" : "+") + format_duration_us(std::fabs(us)); };
  char text[320];
  std::snprintf(text, sizeof text, "%s per hour (95%% interval %s..%s) from %s, projected %+.1f%% over %s against %s",
                signed_us(slope).c_str(), signed_us(slope - ci).c_str(), signed_us(slope + ci).c_str(),
                format_duration_us(start).c_str(), projected_percent, format_duration_us(horizon_h * 3600e6).c_str(),
                format_check_value(rule.limit, "percent").c_str());
  // As with a leak: a drift must be real (the interval excludes zero; a falling cost is no drift) and
  // matter (over the span the service runs for, the cost per request grows more than the budget).
  const bool real = slope - ci > 0;
  if (real && projected_percent > rule.limit) {
    c.verdict = rule.severity == BudgetSeverity::kWarn ? Verdict::kWarn : Verdict::kFail;
    c.message = head + " drift: CPU per request grows " + text + " [budget \"" + rule.text + "\"]";
  } else {
    c.verdict = Verdict::kPass;
    const char* why = real             ? " CPU per request grows within budget: "
                      : slope + ci < 0 ? " no drift (CPU per request falls): "
                                       : " no drift (the slope's interval includes zero): ";
    c.message = head + why + text;
  }
  return c;
}

}  // namespace perfgate::budget_detail
