// Baseline comparison: compatibility, per-endpoint and per-phase latency, error rates, memory.
#include "analyzers/compare.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "analyzers/compare_stats.h"
#include "comparability.h"
#include "core/units.h"

namespace perfgate {
namespace {

constexpr int64_t kWholeRunEnd = std::numeric_limits<int64_t>::max();
constexpr double kMinRequestsForP99 = 200;  // per second, typical: two requests above the p99 each second

// The share of a run's requests that left over 1 ms after they were due.
double late_fraction(const RunResult& r) {
  const int64_t n = r.total_requests();
  return n > 0 ? static_cast<double>(r.generator.requests_behind) / static_cast<double>(n) : 0.0;
}

std::string percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", ratio * 100.0);
  return buf;
}

// "+4.1% [+1.2%, +7.3%]": a change and its interval; an unbounded side reads "?".
std::string interval_text(const ChangeInterval& i, const std::function<std::string(double)>& fmt) {
  auto side = [&](double v) { return std::isfinite(v) ? fmt(v) : std::string("?"); };
  return fmt(i.estimate) + " [" + side(i.low) + ", " + side(i.high) + "]";
}

// Seconds of run that would bring the interval's half-width on the undecided side down to the
// distance between the estimate and the threshold: the half-width shrinks about as 1/sqrt(n).
// 0 when no practical run length decides it (the change is the threshold, within the noise).
int64_t seconds_to_decide(const ChangeInterval& i, double threshold, size_t n) {
  if (!std::isfinite(i.low) || !std::isfinite(i.high)) return 0;
  const double margin = std::fabs(i.estimate - threshold);
  const double half = i.estimate > threshold ? i.estimate - i.low : i.high - i.estimate;
  if (margin <= 0 || half <= 0) return 0;
  const double need = static_cast<double>(n) * (half / margin) * (half / margin);
  if (need > 3600) return 0;
  return static_cast<int64_t>(std::ceil(need / 10.0) * 10);
}

// Sets a comparison's interval fields, leaving an unbounded side absent.
void set_interval(CheckResult& r, const ChangeInterval& i, double threshold) {
  r.change = i.estimate;
  if (std::isfinite(i.low)) r.change_low = i.low;
  if (std::isfinite(i.high)) r.change_high = i.high;
  r.threshold = threshold;
}

std::string where(const std::string& endpoint, const std::string& phase) {
  return (endpoint.empty() ? std::string("whole run") : endpoint) + (phase.empty() ? "" : " [" + phase + "]");
}

std::string check_id(const std::string& endpoint, const std::string& phase, const std::string& metric) {
  return "baseline:" + (endpoint.empty() ? std::string("run") : endpoint) + ":" + (phase.empty() ? "" : phase + ":") +
         metric;
}

// The per-interval (errors, requests) of one endpoint inside [start_ms, end_ms), outside excluded phases.
std::vector<std::pair<int64_t, int64_t>> interval_errors(const std::vector<IntervalStats>& timeline,
                                                         const std::vector<PhaseInfo>& phases, int64_t start_ms,
                                                         int64_t end_ms) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& i : timeline) {
    if (i.requests <= 0 || i.t_ms < start_ms || i.t_ms >= end_ms) continue;
    bool excluded = false;
    for (const auto& p : phases) excluded = excluded || (p.excluded && i.t_ms >= p.start_ms && i.t_ms < p.end_ms);
    if (!excluded) out.emplace_back(i.errors, i.requests);
  }
  return out;
}

CheckResult compare_errors(const std::string& endpoint, const std::string& phase, const EndpointStats& b,
                           const EndpointStats& c, const std::vector<std::pair<int64_t, int64_t>>& b_intervals,
                           const std::vector<std::pair<int64_t, int64_t>>& c_intervals, const CompareOptions& o) {
  CheckResult r;
  r.kind = "baseline";
  r.endpoint = endpoint;
  r.phase = phase;
  r.metric = "error_rate";
  r.id = check_id(endpoint, phase, r.metric);
  r.unit = "ratio";
  if (b.requests <= 0 || c.requests <= 0) {
    r.verdict = Verdict::kInconclusive;
    r.message =
        where(endpoint, phase) + " error rate: no requests in " + (b.requests <= 0 ? "the baseline" : "this run");
    return r;
  }
  const double rb = static_cast<double>(b.errors.total) / static_cast<double>(b.requests);
  const double rc = static_cast<double>(c.errors.total) / static_cast<double>(c.requests);
  r.measured = rc;
  r.limit = rb;
  r.p_value = two_proportion_greater_p(b.errors.total, b.requests, c.errors.total, c.requests);
  // Errors come in bursts (a restart, a full pool), so the seconds are resampled in blocks like the
  // latency figures; a run without a timeline falls back to the binomial (independent requests) interval.
  ChangeInterval interval = rate_difference_interval(b_intervals, c_intervals, o.alpha);
  if (b_intervals.empty() || c_intervals.empty()) {
    const double se =
        std::sqrt(rb * (1 - rb) / static_cast<double>(b.requests) + rc * (1 - rc) / static_cast<double>(c.requests));
    const double z = normal_quantile(1 - o.alpha);
    interval = ChangeInterval{rc - rb, rc - rb - z * se, rc - rb + z * se, 0};
  }
  interval.estimate = rc - rb;
  interval.low = std::min(interval.low, interval.estimate);
  interval.high = std::max(interval.high, interval.estimate);
  set_interval(r, interval, o.error_rate_floor);
  auto points = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.2f", v * 100);
    return std::string(buf);
  };
  const std::string figures = format_check_value(rc, "ratio") + " vs baseline " + format_check_value(rb, "ratio") +
                              " (" + std::to_string(c.errors.total) + "/" + std::to_string(c.requests) + " vs " +
                              std::to_string(b.errors.total) + "/" + std::to_string(b.requests) + "; change " +
                              interval_text(interval, points) + " points)";
  const std::string floor = format_check_value(o.error_rate_floor, "ratio");
  const std::string head = where(endpoint, phase) + " error rate ";
  if (interval.low > o.error_rate_floor) {
    r.verdict = Verdict::kFail;
    r.message = head + "rose to " + figures + ", clearly more than the " + floor + " floor";
  } else if (interval.high < o.error_rate_floor) {
    r.verdict = Verdict::kPass;
    r.message = head + figures;
  } else {
    r.verdict = Verdict::kInconclusive;
    r.message = head + figures + ": the interval spans the " + floor +
                " floor, so the data neither show nor rule out a rise that counts; " +
                (interval.estimate > o.error_rate_floor ? "look at the errors, or run longer" : "run longer");
  }
  return r;
}

CheckResult compare_memory(const RunResult& base, const RunResult& cur, const CompareOptions& o) {
  CheckResult r;
  r.kind = "baseline";
  r.metric = "peak_rss";
  r.id = check_id("", "", r.metric);
  r.unit = "bytes";
  if (!base.profile || !cur.profile) {
    r.verdict = Verdict::kInconclusive;
    r.message = std::string("whole run peak memory: ") + (cur.profile ? "the baseline" : "this run") +
                " has no server profile; profile both runs to compare memory";
    return r;
  }
  const double b = static_cast<double>(base.profile->summary.peak_rss_bytes);
  const double c = static_cast<double>(cur.profile->summary.peak_rss_bytes);
  r.measured = c;
  r.limit = b;
  r.change = b > 0 ? c / b - 1.0 : 0;
  // One peak per run has no sampling distribution to test; a relative and an absolute threshold
  // together keep allocator jitter from failing the build.
  const std::string figures = format_bytes(c) + " vs baseline " + format_bytes(b) + " (" + percent(r.change) + ")";
  const bool big = c - b > o.memory_floor_bytes;
  if (big && r.change > o.memory_min_effect) {
    r.verdict = Verdict::kFail;
    r.message = "whole run peak memory grew to " + figures + ", more than " + percent(o.memory_min_effect);
  } else if (big && r.change > o.memory_min_effect / 2) {
    r.verdict = Verdict::kWarn;
    r.message = "whole run peak memory grew to " + figures;
  } else {
    r.verdict = Verdict::kPass;
    r.message = "whole run peak memory " + figures;
  }
  return r;
}

const EndpointStats* find_in(const std::vector<EndpointStats>& endpoints, const std::string& name) {
  for (const auto& e : endpoints) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const std::vector<EndpointStats>* phase_endpoints(const RunResult& r, const std::string& phase) {
  for (const auto& ps : r.phase_stats) {
    if (ps.phase == phase) return &ps.endpoints;
  }
  return nullptr;
}

const PhaseInfo* find_phase(const RunResult& r, const std::string& name) {
  for (const auto& p : r.phases) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace

std::vector<double> interval_samples(const std::vector<IntervalStats>& timeline, const std::vector<PhaseInfo>& phases,
                                     const std::string& figure, int64_t start_ms, int64_t end_ms) {
  std::vector<const IntervalStats*> kept;
  for (const auto& i : timeline) {
    if (i.requests <= 0 || i.t_ms < start_ms || i.t_ms >= end_ms) continue;
    bool excluded = false;
    for (const auto& p : phases) excluded = excluded || (p.excluded && i.t_ms >= p.start_ms && i.t_ms < p.end_ms);
    if (!excluded) kept.push_back(&i);
  }
  // A sliver of an interval (the drain after the schedule ends, a phase boundary) holds a request or
  // two, and its "p95" is then one request's latency: a sample as noisy as a whole second's is
  // steady. Seconds with under a quarter of the typical count are left out.
  std::vector<double> counts;
  counts.reserve(kept.size());
  for (const IntervalStats* i : kept) counts.push_back(static_cast<double>(i->requests));
  const double typical = median_of(counts);
  std::vector<double> out;
  for (const IntervalStats* i : kept) {
    if (static_cast<double>(i->requests) * 4 < typical) continue;
    if (figure == "p50")
      out.push_back(i->p50_us);
    else if (figure == "p90")
      out.push_back(i->p90_us);
    else if (figure == "p99")
      out.push_back(i->p99_us);
    else if (figure == "max")
      out.push_back(i->max_us);
    else
      out.push_back(i->p95_us);
  }
  return out;
}

CheckResult compare_latency_samples(const std::string& endpoint, const std::string& phase, const std::string& figure,
                                    const std::vector<double>& baseline_us, const std::vector<double>& current_us,
                                    const CompareOptions& o) {
  CheckResult r;
  r.kind = "baseline";
  r.endpoint = endpoint;
  r.phase = phase;
  r.metric = figure + "_shift";
  r.id = check_id(endpoint, phase, r.metric);
  r.unit = "us";
  const std::string head = where(endpoint, phase) + " per-second " + figure;
  const auto n_min = static_cast<size_t>(o.min_intervals);
  if (baseline_us.size() < n_min || current_us.size() < n_min) {
    r.verdict = Verdict::kInconclusive;
    r.message = head + ": too few intervals to compare (" + std::to_string(current_us.size()) + " here, " +
                std::to_string(baseline_us.size()) + " in the baseline; need " + std::to_string(o.min_intervals) +
                "); run >= " + std::to_string(o.min_intervals) + " s";
    return r;
  }
  const double mb = median_of(baseline_us);
  const double mc = median_of(current_us);
  r.measured = mc;
  r.limit = mb;
  // The verdict comes from an interval of the change, not from a p-value: per-second figures of one
  // run are not independent (a noisy stretch of a shared machine lasts several seconds), and a test
  // that corrects for it with an estimated serial correlation lets that estimate decide a short run.
  // The block bootstrap keeps neighbouring seconds together instead, and the interval says both
  // whether the change is beyond the minimum (fail) and whether a change that large is ruled out
  // (pass); anything between is inconclusive. The rank test's p-value stays in the report for reference.
  const ChangeInterval interval = relative_shift_interval(baseline_us, current_us, o.alpha);
  r.p_value = mann_whitney_greater_serial(baseline_us, current_us).p_value;
  // The change that counts: the relative minimum, or the absolute one where that is larger (a
  // 100 us endpoint 10% slower is not a regression anyone feels).
  const double threshold = std::max(o.min_effect, mb > 0 ? o.min_effect_abs_us / mb : 0.0);
  set_interval(r, interval, threshold);
  char level[16];
  std::snprintf(level, sizeof level, "%.0f%%", 100 * (1 - 2 * o.alpha));
  const std::string figures = interval_text(interval, percent) + " (" + level + " interval; median " +
                              format_duration_us(mc) + " vs baseline " + format_duration_us(mb) + ", " +
                              std::to_string(current_us.size()) + " vs " + std::to_string(baseline_us.size()) +
                              " intervals)";
  const std::string limit = percent(threshold);
  if (interval.low > threshold) {
    r.verdict = Verdict::kFail;
    r.message = head + " regressed: " + figures + ", clearly beyond the " + limit + " minimum effect";
  } else if (interval.high < threshold && interval.low > 0) {
    r.verdict = Verdict::kWarn;
    r.message = head + " is clearly slower, but by less than the " + limit + " minimum effect: " + figures;
  } else if (interval.high < threshold) {
    r.verdict = Verdict::kPass;
    r.message = head + " " + figures + ": rules out a change of " + limit;
  } else {
    r.verdict = Verdict::kInconclusive;
    const int64_t seconds = seconds_to_decide(interval, threshold, std::min(baseline_us.size(), current_us.size()));
    const std::string decide = seconds > 0 ? "run >= " + std::to_string(seconds) + " s to decide"
                                           : "the change is too close to " + limit + " for a longer run to decide";
    r.message = head + " " + figures + ": the interval spans the " + limit +
                " minimum effect, so the data neither show nor rule out a regression; " + decide;
  }
  return r;
}

Comparison compare_runs(const RunResult& base, const RunResult& cur, const CompareOptions& o) {
  Comparison out;
  std::vector<const PhaseInfo*> phases;
  for (const auto& p : cur.phases) {
    if (!p.excluded && find_phase(base, p.name)) phases.push_back(&p);
  }
  // With a single measured phase the per-phase checks would repeat the whole-run ones.
  if (phases.size() < 2) phases.clear();
  // A phase too short to hold min_intervals seconds would only ever be inconclusive, and would make
  // every run with a short ramp inconclusive overall; its seconds still count in the whole-run check.
  std::erase_if(phases, [&](const PhaseInfo* p) {
    const PhaseInfo* bp = find_phase(base, p->name);
    const int64_t shortest_ms = std::min(p->end_ms - p->start_ms, bp->end_ms - bp->start_ms);
    if (shortest_ms >= static_cast<int64_t>(o.min_intervals) * 1000) return false;
    out.notes.push_back("phase " + p->name + " is shorter than " + std::to_string(o.min_intervals) +
                        " s in one of the runs: compared only as part of the whole run");
    return true;
  });

  std::vector<std::string> few_for_p99;
  for (const auto& b : base.endpoints) {
    if (b.kind == EndpointKind::kStep) continue;
    const EndpointStats* c = cur.find_endpoint(b.name);
    if (!c) {
      CheckResult r;
      r.kind = "baseline";
      r.endpoint = b.name;
      r.metric = "present";
      r.id = check_id(b.name, "", r.metric);
      r.verdict = Verdict::kInconclusive;
      r.message = b.name + " is in the baseline but not in this run; save a new baseline if it was removed";
      out.checks.push_back(std::move(r));
      continue;
    }
    // A second's p99 is a percentile only when the second holds enough requests: at 100 req/s it is
    // the slowest request of the second, whose noise no run length a CI affords would average out.
    std::vector<std::string> figures{"p50", "p95"};
    auto typical_requests = [](const EndpointStats& e) {
      std::vector<double> counts;
      for (const auto& i : e.timeline) {
        if (i.requests > 0) counts.push_back(static_cast<double>(i.requests));
      }
      return median_of(counts);
    };
    if (std::min(typical_requests(b), typical_requests(*c)) >= kMinRequestsForP99)
      figures.emplace_back("p99");
    else
      few_for_p99.push_back(b.name);
    for (const std::string& figure : figures) {
      out.checks.push_back(compare_latency_samples(
          b.name, "", figure, interval_samples(b.timeline, base.phases, figure, 0, kWholeRunEnd),
          interval_samples(c->timeline, cur.phases, figure, 0, kWholeRunEnd), o));
      for (const PhaseInfo* p : phases) {
        const PhaseInfo* bp = find_phase(base, p->name);
        out.checks.push_back(compare_latency_samples(
            b.name, p->name, figure, interval_samples(b.timeline, base.phases, figure, bp->start_ms, bp->end_ms),
            interval_samples(c->timeline, cur.phases, figure, p->start_ms, p->end_ms), o));
      }
    }
    out.checks.push_back(compare_errors(b.name, "", b, *c, interval_errors(b.timeline, base.phases, 0, kWholeRunEnd),
                                        interval_errors(c->timeline, cur.phases, 0, kWholeRunEnd), o));
    for (const PhaseInfo* p : phases) {
      const auto* be = phase_endpoints(base, p->name);
      const auto* ce = phase_endpoints(cur, p->name);
      const EndpointStats* bs = be ? find_in(*be, b.name) : nullptr;
      const EndpointStats* cs = ce ? find_in(*ce, b.name) : nullptr;
      const PhaseInfo* bp = find_phase(base, p->name);
      if (bs && cs) {
        out.checks.push_back(compare_errors(b.name, p->name, *bs, *cs,
                                            interval_errors(b.timeline, base.phases, bp->start_ms, bp->end_ms),
                                            interval_errors(c->timeline, cur.phases, p->start_ms, p->end_ms), o));
      }
    }
  }
  if (!few_for_p99.empty()) {
    std::string names;
    for (const auto& n : few_for_p99) names += (names.empty() ? "" : ", ") + n;
    out.notes.push_back("p99 not compared for " + names + ": under " + std::to_string(kMinRequestsForP99) +
                        " requests a second, a second's p99 is its slowest request or two");
  }
  // Requests that left late carry the generator's delay inside their latency: an undecided
  // comparison may decide with fewer of them.
  const double late_share = std::max(late_fraction(base), late_fraction(cur));
  if (late_share > 0.005) {
    char hint[96];
    std::snprintf(hint, sizeof hint, "; or fewer late requests (%.1f%% left over 1 ms late)", 100 * late_share);
    for (auto& r : out.checks) {
      if (r.verdict == Verdict::kInconclusive && r.threshold && r.unit == "us") r.message += hint;
    }
  }
  for (const auto& c : cur.endpoints) {
    if (c.kind != EndpointKind::kStep && !base.find_endpoint(c.name)) {
      out.notes.push_back(c.name + " is new in this run (not in the baseline): only its budgets apply");
    }
  }
  if (base.profile || cur.profile) out.checks.push_back(compare_memory(base, cur, o));

  std::string only_no_worse;
  const std::string why = incompatibility(base, cur, o, out.notes, only_no_worse);
  if (why.empty() && !only_no_worse.empty()) {
    for (auto& r : out.checks) {
      if (r.verdict != Verdict::kFail && r.verdict != Verdict::kWarn) continue;
      r.verdict = Verdict::kInconclusive;
      r.message += " [a slowdown is not shown: " + only_no_worse + "]";
    }
  }
  if (!why.empty()) {
    for (auto& r : out.checks) {
      r.verdict = Verdict::kInconclusive;
      r.message += " [not comparable: " + why + "]";
    }
    CheckResult r;
    r.kind = "baseline";
    r.metric = "comparable";
    r.id = check_id("", "", r.metric);
    r.verdict = Verdict::kInconclusive;
    r.message = "the baseline is not comparable with this run: " + why;
    out.checks.insert(out.checks.begin(), std::move(r));
  }
  return out;
}

}  // namespace perfgate
