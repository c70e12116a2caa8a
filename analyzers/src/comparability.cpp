// Whether a baseline and a run can be compared: workload, plan and the load generator's health
// (comparability.h).
#include "comparability.h"

#include <cmath>
#include <cstdio>

namespace perfgate {
namespace {

// Whether a run achieved less than its planned rate (beyond the tolerance): the plan was not offered.
bool short_of_plan(const RunResult& r, const CompareOptions& o) {
  return r.target_rps && *r.target_rps > 0 && r.achieved_rps < (1.0 - o.target_rate_tolerance) * *r.target_rps;
}

// Whether a run flagged saturated offered a load different enough from the plan, or late enough, that
// its latency may be the tool's. The engine flags a run when over 1% of its requests left over 1 ms
// late; on a shared CI machine that happens to a quarter or more of perfectly good runs (the
// scheduler hands the generator a CPU a few ms late now and then; see the live figures in
// docs/budgets.md). A share f of late requests can raise a run's pQ at most to the undisturbed
// p(Q + f), so with f <= max_late_share (2.5%) the p50 and p95 comparisons stay meaningful and the
// minimum effect absorbs the rest. Connection exhaustion or a generator that could not keep up makes
// far more requests late, and a shortfall of the achieved rate means the plan was not offered.
bool lateness_matters(const RunResult& r, const CompareOptions& o) {
  if (!r.generator.saturated) return false;
  const int64_t n = r.total_requests();
  if (n <= 0) return true;
  const double late = static_cast<double>(r.generator.requests_behind) / static_cast<double>(n);
  return late > o.max_late_share || short_of_plan(r, o);
}

// Which way a saturated run's figures are off, when the cause says so; latency is measured from each
// request's due time, so whatever held a request back is inside its latency.
//  - A baseline whose connections all waited for the server (cause "connections", workers mostly
//    waiting for responses): more connections would only have queued more requests at a server that
//    was already the bottleneck, so its latency, errors and memory are what the planned load cost, or
//    less. A lower bound: a candidate better than it is better.
//  - A candidate that offered the planned rate but sent late because its own CPU or the machine's
//    was short (cause "cpu" or "scheduler"): the delay is added to its latency and bunches its
//    arrivals, which never makes a server faster. An upper bound: if even so it is no worse than the
//    baseline, it is no worse.
// Either way only "no worse" is sound (pass); a slowdown against such a run is not shown. A candidate
// whose connections ran out or that fell short of the plan measured less load than planned: not
// comparable; so is a baseline late for its own reasons (its figures are inflated).
enum class Bound { kNone, kLowerBaseline, kUpperCandidate };

Bound bound_of(const RunResult& r, const CompareOptions& o, Bound side) {
  const GeneratorHealth& g = r.generator;
  if (side == Bound::kLowerBaseline) {
    return g.cause == "connections" && !g.busy() ? Bound::kLowerBaseline : Bound::kNone;
  }
  return (g.cause == "cpu" || g.cause == "scheduler") && !short_of_plan(r, o) ? Bound::kUpperCandidate : Bound::kNone;
}

// Why the two runs cannot be compared, or "" when they can; slight lateness goes to `notes`. When a
// saturated run's figures are a bound (see bound_of), the runs compare and `only_no_worse` says why
// only passes stand.
}  // namespace

std::string incompatibility(const RunResult& base, const RunResult& cur, const CompareOptions& o,
                            std::vector<std::string>& notes, std::string& only_no_worse) {
  std::string why;
  auto add = [&](const std::string& s) { why += (why.empty() ? "" : "; ") + s; };
  // The workload hash leaves the target out, so a preview deployment on another host compares with
  // the main branch's baseline. Results of older versions carry only the scenario hash, which covers
  // the base URL: equal, it still proves the same scenario; different with different targets, it
  // cannot tell a moved target from a changed workload, so the scenario name decides, with a note.
  const RunContext& bc = base.context;
  const RunContext& cc = cur.context;
  const bool targets_differ = !bc.target.empty() && !cc.target.empty() && bc.target != cc.target;
  if (!bc.workload_hash.empty() && !cc.workload_hash.empty()) {
    if (bc.workload_hash != cc.workload_hash) {
      add("the baseline ran a different workload (hash " + bc.workload_hash.substr(0, 12) + " vs " +
          cc.workload_hash.substr(0, 12) + "); save a new baseline from this scenario");
    }
  } else if (!bc.scenario_hash.empty() && !cc.scenario_hash.empty() && bc.scenario_hash != cc.scenario_hash) {
    if (targets_differ && bc.scenario_name == cc.scenario_name) {
      notes.push_back(
          "the baseline was written by an older perfgate whose scenario hash covers the target; "
          "compared as the same scenario \"" +
          cc.scenario_name + "\" by name; save a new baseline to check the workload too");
    } else {
      add("the baseline ran a different scenario (hash " + bc.scenario_hash.substr(0, 12) + " vs " +
          cc.scenario_hash.substr(0, 12) + "); save a new baseline from this scenario");
    }
  }
  if (targets_differ) notes.push_back("the baseline ran against " + bc.target + ", this run against " + cc.target);
  if (base.model != cur.model) add("the baseline used a different load model (open vs closed)");
  if (base.target_rps.has_value() != cur.target_rps.has_value() ||
      (base.target_rps && *base.target_rps > 0 &&
       std::fabs(*cur.target_rps / *base.target_rps - 1.0) > o.target_rate_tolerance)) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "the target rates differ (%.1f vs %.1f req/s)", base.target_rps.value_or(0),
                  cur.target_rps.value_or(0));
    add(buf);
  }
  auto saturation = [&](const RunResult& r, const std::string& which, Bound side) {
    if (!r.generator.saturated) return;
    if (lateness_matters(r, o) && bound_of(r, o, side) != Bound::kNone) {
      const std::string reason =
          side == Bound::kLowerBaseline
              ? "the baseline's connections all waited for the server, so its figures are a lower bound of what "
                "the planned load cost"
              : "this run offered the planned rate but sent late for want of CPU, so its figures are an upper bound";
      only_no_worse += (only_no_worse.empty() ? "" : "; ") + reason;
      notes.push_back(reason + " (" + r.generator.note +
                      "): an improvement or no change is shown (pass), a slowdown is inconclusive");
      return;
    }
    if (lateness_matters(r, o)) {
      add("the load generator was saturated in " + which + " (" + r.generator.note + ")");
      return;
    }
    char share[32];
    char max_late[32];
    std::snprintf(max_late, sizeof max_late, "%.1f%%", 100.0 * o.max_late_share);
    std::snprintf(share, sizeof share, "%.1f%%",
                  100.0 * static_cast<double>(r.generator.requests_behind) / static_cast<double>(r.total_requests()));
    notes.push_back("the load generator sent " + std::string(share) + " of requests over 1 ms late in " + which + " (" +
                    r.generator.note + "); at most " + std::string(max_late) +
                    " late still compares, the lateness is inside the latency figures");
  };
  saturation(base, "the baseline run", Bound::kLowerBaseline);
  saturation(cur, "this run", Bound::kUpperCandidate);
  return why;
}

}  // namespace perfgate
