#include "reports/report_fixture.h"

#include <cmath>
#include <cstdint>

namespace perfgate::testing {
namespace {

// A tiny deterministic generator: the fixture must be identical on every platform (std::
// distributions are not), so golden files stay stable.
struct Lcg {
  uint64_t state;
  double next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  }
};

// Log-normal-ish latencies around `median_us` with a heavy tail.
void fill_latency(Histogram& latency, Histogram& service, double median_us, int n, uint64_t seed, double tail = 1.0) {
  Lcg rng{seed};
  for (int i = 0; i < n; ++i) {
    const double u = std::max(rng.next(), 1e-9);
    double v = median_us * std::exp(0.45 * std::sqrt(-2 * std::log(u)) * std::cos(6.2831853 * rng.next()));
    if (rng.next() < 0.01) v *= 3 * tail;
    const auto service_us = static_cast<int64_t>(v * 0.8);
    service.record(service_us);
    latency.record(static_cast<int64_t>(v));
  }
}

EndpointStats endpoint(const std::string& name, double median_us, int n, uint64_t seed, int64_t timeouts, int64_t s5xx,
                       double tail = 1.0) {
  EndpointStats e;
  e.name = name;
  e.requests = n;
  fill_latency(e.latency, e.service_time, median_us, n, seed, tail);
  e.errors.add(Outcome::kTimeout, timeouts);
  e.errors.add(Outcome::kStatus5xx, s5xx);
  e.status_codes["200"] = n - timeouts - s5xx;
  if (s5xx > 0) e.status_codes["503"] = s5xx;
  return e;
}

void fill_run(RunResult& r, double slowdown, const std::string& name_a, const std::string& name_b) {
  r.context.tool_version = "0.1.0";
  r.context.build_type = "Release";
  r.context.host = "ci-runner-7";
  r.context.cpu_count = 8;
  r.context.load_average_1m = 0.42;
  r.context.start_time = "2026-03-02T10:15:00Z";
  r.context.scenario_name = "peak";
  r.context.scenario_hash = "9f2c4e1a7b3d5e6f00112233445566778899aabbccddeeff0011223344556677";
  r.context.target = "http://127.0.0.1:8080";
  r.context.command_line =
      "perfgate run scenarios/peak.json -H 'Authorization: Bearer abc.def' --out results/peak.json";
  r.model = LoadModel::kOpen;
  r.target_rps = 50;
  r.achieved_rps = 49.6;
  r.duration_s = 60;
  r.phases = {{"warm-up", 0, 10000, 10, 10, 0, 0, true},
              {"ramp", 10000, 25000, 10, 50, 0, 0, false},
              {"steady", 25000, 55000, 50, 50, 0, 0, false},
              {"spike", 55000, 65000, 80, 80, 0, 0, false},
              {"recovery", 65000, 70000, 50, 50, 0, 0, false}};
  r.endpoints.push_back(endpoint(name_a, 180000 * slowdown, 2400, 7, 3, 9, slowdown));
  r.endpoints.push_back(endpoint(name_b, 42000, 1900, 11, 0, 0));
  EndpointStats flow = endpoint("export.stream", 2.4e6, 120, 13, 0, 1);
  flow.kind = "flow";
  NamedMetric first{"us", Histogram{}}, done{"us", Histogram{}}, polls{"count", Histogram{}};
  Lcg rng{17};
  for (int i = 0; i < 120; ++i) {
    first.histogram.record(static_cast<int64_t>(300000 + 500000 * rng.next()));
    done.histogram.record(static_cast<int64_t>(2.0e6 + 3.0e6 * rng.next() * rng.next()));
    polls.histogram.record(static_cast<int64_t>(1 + 6 * rng.next()));
  }
  flow.metrics["time_to_first_event_us"] = first;
  flow.metrics["completion_us"] = done;
  flow.metrics["polls"] = polls;
  flow.tallies["X-Cache"] = {{"hit", 96}, {"miss", 24}};
  r.endpoints.push_back(flow);
  for (int s = 0; s < 70; ++s) {
    IntervalStats i;
    i.t_ms = int64_t{s} * 1000;
    i.duration_ms = 1000;
    const double rate = s < 10 ? 10 : s < 25 ? 10 + (s - 10) * 40.0 / 15 : s < 55 ? 50 : s < 65 ? 80 : 50;
    i.requests = static_cast<int64_t>(rate * (0.97 + 0.06 * rng.next()));
    i.sent = i.requests;
    i.errors = s >= 55 && s < 65 ? static_cast<int64_t>(1 + 3 * rng.next()) : 0;
    const double load = s >= 55 && s < 65 ? 2.6 : 1.0;
    i.p50_us = 90000 * slowdown * load * (0.9 + 0.2 * rng.next());
    i.p90_us = i.p50_us * 2.1;
    i.p95_us = i.p50_us * 2.6;
    i.p99_us = i.p50_us * (3.8 + rng.next());
    i.max_us = i.p99_us * 1.4;
    r.timeline.push_back(i);
  }
  // Per-endpoint timelines: the first endpoint carries the slowdown, the second stays flat.
  for (const auto& i : r.timeline) {
    const bool in_spike = i.t_ms >= 55000 && i.t_ms < 65000;
    IntervalStats slow = i, flat = i;
    slow.requests = flat.requests = i.requests / 2;
    slow.p95_us = i.p95_us * 1.1;
    flat.p95_us = 90000 * (in_spike ? 1.3 : 1.0) * (0.95 + 0.1 * rng.next());
    r.endpoints[0].timeline.push_back(slow);
    r.endpoints[1].timeline.push_back(flat);
  }
  for (const char* phase : {"steady", "spike"}) {
    PhaseStats ps;
    ps.phase = phase;
    const bool spike = std::string(phase) == "spike";
    ps.endpoints.push_back(endpoint(name_a, 180000 * slowdown * (spike ? 2.4 : 1.0), spike ? 600 : 1400,
                                    spike ? 21 : 23, spike ? 3 : 0, spike ? 8 : 1, slowdown));
    ps.endpoints.push_back(endpoint(name_b, spike ? 61000 : 41000, spike ? 450 : 1100, spike ? 25 : 27, 0, 0));
    r.phase_stats.push_back(std::move(ps));
  }
  Profile p;
  p.interval_ms = 1000;
  ProcessTimeline server{4242, "report-service --workers 4", false, -1, {}};
  ProcessTimeline db{4300, "postgres", false, -1, {}};
  for (int s = 0; s < 70; ++s) {
    const double spike = s >= 55 && s < 65 ? 1.0 : 0.0;
    server.samples.push_back({int64_t{s} * 1000, static_cast<int64_t>((180 + s * 1.6 + 60 * spike) * 1048576), -1,
                              35 + 40 * spike + 10 * rng.next(), 0, 0, 12, 40, 100});
    db.samples.push_back({int64_t{s} * 1000, static_cast<int64_t>((90 + 20 * spike) * 1048576), -1,
                          20 + 30 * spike + 6 * rng.next(), 0, 0, 1, 30, 100});
    PgSample pg;
    pg.t_ms = int64_t{s} * 1000;
    pg.active = static_cast<int64_t>(3 + 14 * spike + 3 * rng.next());
    pg.idle_in_transaction = static_cast<int64_t>(1 + 5 * spike);
    pg.idle = 20 - pg.active / 2;
    pg.waiting = static_cast<int64_t>(6 * spike * rng.next());
    pg.total = pg.active + pg.idle + pg.idle_in_transaction;
    pg.max_connections = 40;
    p.postgres.push_back(pg);
  }
  p.processes = {server, db};
  p.summary.peak_rss_bytes = static_cast<int64_t>(420 * 1048576.0);
  r.profile = p;
  r.labels["git_sha"] = "3f9c2ab71d";
  r.labels["branch"] = "feature/streaming";
}

}  // namespace

ReportFixture make_report_fixture(Hostility hostility) {
  const bool hostile = hostility == Hostility::kHostile;
  const std::string a = hostile ? "reports.<script>document.title='pwned'</script>" : "reports.sales";
  const std::string b = hostile ? "users\" onmouseover=\"alert(1)|`x`" : "users.list";
  ReportFixture f;
  fill_run(f.result, 1.35, a, b);
  fill_run(f.baseline, 1.0, a, b);
  f.baseline.context.start_time = "2026-03-01T10:15:00Z";
  if (hostile) {
    f.result.context.scenario_name = "<img src=x onerror=\"document.title='pwned'\">";
    f.result.context.command_line =
        "perfgate run s.json -H 'Cookie: session=SECRETCOOKIE' --db 'postgres://app:SECRETPW@db/x?password=SECRETPW2'";
    f.result.context.target = "http://admin:SECRETPW3@127.0.0.1:8080";
  }

  f.findings.database = "postgres://app@127.0.0.1:5432/reports";
  f.findings.source = "run-delta";
  Finding n1;
  n1.kind = FindingKind::kNPlusOne;
  n1.endpoint = a;
  n1.query = hostile ? "SELECT '<script>document.title=\"pwned\"</script>' FROM orders WHERE customer_id = $1"
                     : "SELECT * FROM orders WHERE customer_id = $1";
  n1.calls_per_request = 51;
  n1.rows_per_call = 3.2;
  n1.table = "orders";
  n1.suggestion = "Load all customers' orders in one query: WHERE customer_id = ANY($1)";
  n1.summary = "one query per customer on the page";
  n1.severity = Severity::kHigh;
  n1.confidence = Confidence::kConfirmed;
  Finding idx;
  idx.kind = FindingKind::kMissingIndex;
  idx.query = "SELECT sum(amount) FROM order_lines WHERE product_id = $1 AND created_at >= $2";
  idx.table = "order_lines";
  idx.columns = {"product_id", "created_at"};
  idx.suggestion = hostile
                       ? "CREATE INDEX ```</code><script>document.title='pwned'</script> ON order_lines (product_id)"
                       : "CREATE INDEX CONCURRENTLY ON order_lines (product_id, created_at);";
  idx.summary = "sequential scan of 2.1M rows";
  idx.evidence = {{"cost_before", 48210}, {"cost_after", 312.5}, {"calls", 2400}, {"mean_ms", 84.2}};
  idx.severity = Severity::kHigh;
  idx.confidence = Confidence::kConfirmed;
  Finding slow;
  slow.kind = FindingKind::kSlowQuery;
  slow.query = "SELECT region, sum(total) FROM sales GROUP BY region";
  slow.evidence = {{"mean_ms", 412.7}, {"calls", 60}};
  slow.severity = Severity::kMedium;
  Finding unused;
  unused.kind = FindingKind::kUnusedIndex;
  unused.table = "customers";
  unused.suggestion = "DROP INDEX customers_legacy_idx;";
  unused.summary = "never scanned, 84 MB";
  unused.severity = Severity::kLow;
  unused.confidence = Confidence::kPossible;
  f.findings.findings = {slow, n1, idx, unused};
  f.findings.queries_per_request = {{a, 53}, {b, 2}};

  f.gate.overall = Verdict::kFail;
  f.gate.checks = {
      {"budget:" + a + "::p95", "budget", a, "", "p95", Verdict::kFail, 532000, 500000, "us", 0, std::nullopt,
       a + " p95 532.0ms > 500ms budget"},
      {"budget:" + a + "::p99", "budget", a, "", "p99", Verdict::kWarn, 739300, 800000, "us", 0, std::nullopt,
       a + " p99 739.3ms within 93% of the 800ms budget"},
      {"budget:" + b + "::p95", "budget", b, "", "p95", Verdict::kPass, 90000, 300000, "us", 0, std::nullopt,
       b + " p95 90.0ms <= 300ms"},
      {"budget:" + a + "::error_rate", "budget", a, "", "error_rate", Verdict::kPass, 0.005, 0.01, "ratio", 0,
       std::nullopt, a + " errors 0.50% <= 1%"},
      {"baseline:" + a + ":p95", "baseline", a, "", "p95", Verdict::kFail, 532000, 394000, "us", 0.350, 0.0004,
       a + " p95 +35.0% vs baseline (p = 0.0004)"},
      {"baseline:" + a + ":p99", "baseline", a, "", "p99", Verdict::kWarn, 739300, 601000, "us", 0.230, 0.02,
       a + " p99 +23.0% vs baseline (p = 0.02)"},
      {"baseline:" + b + ":p95", "baseline", b, "", "p95", Verdict::kPass, 90000, 92800, "us", -0.03, 0.61,
       b + " p95 -3.0% vs baseline"},
      {"budget:global:n_plus_one", "budget", "", "", "n_plus_one", Verdict::kFail, 1, 0, "count", 0, std::nullopt,
       "1 N+1 pattern found (budget: none)"},
  };
  // The gate's intervals of the three comparisons: clear, beyond the threshold, and within it.
  const double intervals[3][2] = {{0.29, 0.41}, {0.04, 0.42}, {-0.06, 0.01}};
  for (size_t i = 0; i < 3; ++i) {
    CheckResult& c = f.gate.checks[4 + i];
    c.change_low = intervals[i][0];
    c.change_high = intervals[i][1];
    c.threshold = 0.05;
  }
  return f;
}

RunResult make_trend_run(int index, double median_us, double error_rate, int64_t peak_rss_bytes) {
  RunResult r;
  r.context.start_time = "2026-03-" + std::string(index + 1 < 10 ? "0" : "") + std::to_string(index + 1) + "T10:00:00Z";
  r.context.tool_version = "0.1.0";
  r.context.build_type = "Release";
  const int n = 1000;
  EndpointStats e = endpoint("reports.sales", median_us, n, 100 + static_cast<uint64_t>(index), 0,
                             static_cast<int64_t>(std::llround(error_rate * n)));
  r.endpoints.push_back(e);
  Profile p;
  p.summary.peak_rss_bytes = peak_rss_bytes;
  r.profile = p;
  return r;
}

}  // namespace perfgate::testing
