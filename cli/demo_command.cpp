// perfgate demo: the whole toolkit in one command on a throw-away stack, telling the seeds' story. A
// PostgreSQL cluster is started and the bundled report service seeded, with a round trip per
// statement as to a database across a network. "Before": a 40-second mix with a short peak is offered
// to the pathological endpoints while the service and the database are sampled, and each endpoint is
// probed alone. "After": the same mix against the same endpoint names served fixed (perfgate-testbed
// --fixed: one JOIN, the proved index, a streamed export). The gate judges "after" against the demo
// budgets, "after" is compared with "before" as with a baseline, and the before/after table, the
// reports and both results are written to ./perfgate-demo/.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/budget.h"
#include "analyzers/gate.h"
#include "analyzers/query_analyzer.h"
#include "analyzers/query_session.h"
#include "cli/command.h"
#include "cli/run_summary.h"
#include "core/child_processes.h"
#include "core/files.h"
#include "core/redact.h"
#include "core/run_result_io.h"
#include "core/units.h"
#include "loadgen/engine.h"
#include "loadgen/progress.h"
#include "pipeline/run_session.h"
#include "pipeline/scenario_probes.h"
#include "reports/before_after.h"
#include "reports/gate_console.h"
#include "reports/html_report.h"
#include "reports/junit.h"
#include "reports/markdown_report.h"
#include "scenarios/parser.h"
#include "testbed/pg_cluster.h"
#include "testbed/testbed_process.h"

namespace perfgate::cli {
namespace {

struct DemoOptions {
  std::string out_dir = "perfgate-demo";
  std::string duration;  // "": the scenario's own length (40 s), for each half
  double data_scale = 1.0;
  double rate_scale = 1.0;
  double db_latency_ms = 0.7;
  int threads = 0;
  bool strict = false;
  bool quiet = false;
};

constexpr int kSteps = 7;

void step(int n, const char* what) { std::fprintf(stderr, "\n[%d/%d] %s\n", n, kSteps, what); }

std::string budgets_dir() {
  const char* env = std::getenv("PERFGATE_BUDGETS_DIR");
  return env != nullptr && *env != '\0' ? env : PERFGATE_BUDGETS_DIR;
}

// Every flag is checked here, before PostgreSQL is started and seeded: a typo must cost nothing.
Result<Scenario> demo_scenario(const DemoOptions& o, const std::string& base_url) {
  if (!(o.rate_scale > 0) || !std::isfinite(o.rate_scale)) {
    return invalid_input("--rate-scale: must be > 0 (got " + std::to_string(o.rate_scale) +
                         "); e.g. 0.5 halves the rate");
  }
  if (!(o.data_scale >= 0.0001 && o.data_scale <= 100)) {
    return invalid_input("--data-scale: must be between 0.0001 and 100 (got " + std::to_string(o.data_scale) +
                         "); 1.0 seeds 200k transactions");
  }
  if (!(o.db_latency_ms >= 0 && o.db_latency_ms <= 1000)) {
    return invalid_input("--db-latency-ms: must be between 0 and 1000 (got " + std::to_string(o.db_latency_ms) +
                         "); 0.7 is a database on another host in the same data centre, 0 is loopback");
  }
  if (o.threads < 0) return invalid_input("--threads: must be >= 0 (0: one per core)");
  auto scenario = load_bundled_scenario("demo");
  if (!scenario) return scenario;
  double time_scale = 1.0;
  if (!o.duration.empty()) {
    auto duration = parse_duration(o.duration);
    if (!duration) return duration.error().with_context("--duration");
    if (duration->count() <= 0) return invalid_input("--duration: must be > 0 (got " + o.duration + "); e.g. 40s");
    time_scale = static_cast<double>(duration->count()) / static_cast<double>(scenario->duration().count());
  }
  if (auto st = override_target(*scenario, base_url); !st) return st.error();
  if (auto st = apply_scaling(*scenario, time_scale, o.rate_scale); !st) return st.error();
  return scenario;
}

Findings analyze(const Scenario& scenario, const PgCluster& cluster, RunSession& session, double requests) {
  const auto probes = probes_for_scenario(scenario);
  AnalyzeRequest request;
  request.dsn = cluster.dsn();
  request.probe.requests = 10;
  request.probe.scale_param = "limit";
  for (const auto& p : probes) {
    request.probe.urls.push_back(p.url);
    request.probe.names.push_back(p.endpoint);
  }
  Findings findings;
  if (auto probed = analyze_database(request); probed) {
    findings = std::move(probed).value();
  } else {
    findings.inconclusive = true;
    findings.notes.push_back("probing failed: " + probed.error().message);
  }
  if (session.has_query_capture()) {
    if (auto delta = session.analyze(requests); delta) {
      merge_findings(findings, *delta);
    } else {
      findings.inconclusive = true;
      findings.notes.push_back("run delta failed: " + delta.error().message);
    }
  }
  return findings;
}

// One half of the demo: the service as it is ("before") or fixed ("after"), loaded, then analysed.
struct Half {
  const char* name = "";
  RunResult result;
  Findings findings;
  bool interrupted = false;
};

enum class Variant { kPathological, kFixed };

// Starts the service in `variant`, offers the scenario while sampling it and PostgreSQL, then probes
// each endpoint alone. The service is stopped before returning, so "after" is measured without
// "before"'s process beside it.
Result<Half> run_half(const DemoOptions& o, const PgCluster& cluster, const Scenario& canonical, Variant variant,
                      int first_step) {
  Half half;
  half.name = variant == Variant::kFixed ? "after" : "before";
  TestbedProcessOptions service;
  service.dsn = cluster.dsn();
  service.scale = o.data_scale;
  service.log_path = o.out_dir + "/testbed.log";
  service.extra_args = {"--db-latency-ms", std::to_string(o.db_latency_ms)};
  if (variant == Variant::kFixed) service.extra_args.emplace_back("--fixed");
  auto testbed = TestbedProcess::start(service);
  if (!testbed) return testbed.error();
  std::fprintf(stderr, "      %s%s, pid %ld\n", (*testbed)->base_url().c_str(),
               variant == Variant::kFixed ? " (--fixed)" : "", (*testbed)->pid());

  auto scenario = demo_scenario(o, (*testbed)->base_url());
  if (!scenario) return scenario.error();
  step(first_step, variant == Variant::kFixed
                       ? "After: the same load against the fixed service; sampling the service and PostgreSQL"
                       : "Before: offering load with a short peak (open model, latency from each request's due "
                         "time); sampling the service and PostgreSQL");
  InstrumentOptions instruments;
  instruments.watch_pids.push_back((*testbed)->pid());
  instruments.pg_dsn = cluster.dsn();
  instruments.pg_interval = "1s";
  auto session = RunSession::prepare(instruments, QueryCapture::kRunDelta, SteadyClock::instance());
  if (!session) return session.error();
  std::optional<ConsoleProgress> progress;
  if (!o.quiet) {
    progress.emplace(stderr,
                     ::isatty(STDERR_FILENO) != 0 ? ProgressStyle::kUpdatingLine : ProgressStyle::kPeriodicLines);
  }
  EngineOptions engine;
  engine.threads = o.threads;
  StopSignal stop;
  Result<RunResult> result = (*session)->run(*scenario, engine, progress ? &*progress : nullptr, stop);
  if (!result) return result.error();
  half.result = std::move(result).value();
  RunResult& r = half.result;
  // Both halves carry the hash of the same workload (the placeholder target's), so the gate compares
  // them as one scenario although each service listened on its own port.
  (*session)->record_context(r, canonical, "perfgate demo");
  r.context.target = redact_url(r.context.target);
  r.labels["demo"] = half.name;
  r.labels["db_latency_ms"] = std::to_string(o.db_latency_ms);
  half.interrupted = stop.stop_requested();
  if (!half.interrupted) {
    step(first_step + 1, variant == Variant::kFixed
                             ? "After: probing each endpoint alone again"
                             : "Before: probing each report endpoint alone: queries per request, N+1, indexes "
                               "proved with hypopg");
    half.findings = analyze(*scenario, cluster, **session, static_cast<double>(requests_in_all_phases(r)));
  } else {
    // Absence of findings proves nothing when nothing was analysed: the gate must say INCONCLUSIVE.
    half.findings.inconclusive = true;
    half.findings.notes.push_back("interrupted: the query analysis was skipped");
  }
  (*testbed)->stop();
  return half;
}

Status write_outputs(const std::string& dir, const Half& before, const Half* after, const GateReport& gate) {
  const Half& judged = after != nullptr ? *after : before;
  if (auto st = write_run_result(before.result, dir + "/before.json"); !st) return st;
  if (auto st = write_findings(before.findings, dir + "/before.findings.json"); !st) return st;
  if (after != nullptr) {
    if (auto st = write_run_result(after->result, dir + "/after.json"); !st) return st;
    if (auto st = write_findings(after->findings, dir + "/after.findings.json"); !st) return st;
  }
  ReportInputs inputs{&judged.result, nullptr, &judged.findings, &gate};
  if (after != nullptr) {
    inputs.baseline = &before.result;
    inputs.baseline_findings = &before.findings;
  }
  if (auto st = write_gate_report(gate, dir + "/gate.json"); !st) return st;
  if (auto st = write_file_atomically(dir + "/junit.xml", gate_report_to_junit(gate)); !st) return st;
  if (auto st = write_file_atomically(dir + "/report.md", render_markdown_report(inputs)); !st) return st;
  return write_file_atomically(dir + "/report.html", render_html_report(inputs));
}

std::string in_unit(double value, const std::string& unit) {
  if (std::isnan(value)) return "-";
  if (unit == "us") return format_duration_us(value);
  if (unit == "bytes") return format_bytes(value);
  char buf[32];
  std::snprintf(buf, sizeof buf, value == std::round(value) ? "%.0f" : "%.1f", value);
  return buf;
}

std::string before_after_text(const BeforeAfterFigure* f) {
  if (f == nullptr) return "-";
  std::string text = in_unit(f->before, f->unit) + " -> " + in_unit(f->after, f->unit);
  if (!std::isnan(f->change())) text += ", " + format_before_after_change(*f);
  return text;
}

// The gate's verdict with its failures and warnings only: the inconclusive checks of a short run on
// a shared machine would bury the story; all of them are in gate.json and the reports.
void print_gate(const char* label, const GateReport& gate) {
  const std::string text = gate_report_to_console(gate);
  size_t start = 0;
  int others = 0;
  std::string verdict;
  std::printf("\nThe gate on \"%s\" (budgets/demo.json):\n", label);
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("FAIL:", 0) == 0 || line.rfind("WARN:", 0) == 0) {
      std::printf("  %s\n", line.c_str());
    } else if (line.rfind("gate:", 0) == 0) {
      verdict = line;
    } else if (!line.empty()) {
      ++others;
    }
  }
  std::printf("  %s%s\n", verdict.c_str(), others > 0 ? "; the other checks and notes are in the reports" : "");
}

// What the comparison of "after" with "before" showed: the changes whose whole interval lies below
// zero (faster or smaller after, beyond doubt), and the endpoints a short run left undecided.
void print_comparison(const GateReport& comparison) {
  std::printf(
      "\n\"After\" compared with \"before\" (comparison.json; the same rules as `perfgate gate --baseline`):\n");
  for (const auto& c : comparison.checks) {
    if (c.id == "baseline:run:comparable" && c.verdict != Verdict::kPass) {
      std::printf("  not comparable on this machine: %s\n", c.message.c_str());
      return;
    }
  }
  // Whole-run checks only (gate.json's reports list the phases too), one line per endpoint.
  std::vector<std::pair<std::string, std::string>> shown;
  std::vector<std::string> undecided;
  for (const auto& c : comparison.checks) {
    if (c.kind != "baseline" || !c.phase.empty()) continue;
    const std::string who = c.endpoint.empty() ? std::string("server") : c.endpoint;
    if (c.change_high && c.change_low && *c.change_high < 0) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%s %+.1f%% [%+.1f%%, %+.1f%%]", c.metric.c_str(), 100 * c.change,
                    100 * *c.change_low, 100 * *c.change_high);
      auto at = std::find_if(shown.begin(), shown.end(), [&](const auto& e) { return e.first == who; });
      if (at == shown.end()) {
        shown.emplace_back(who, buf);
      } else {
        at->second += std::string(", ") + buf;
      }
    } else if (c.verdict == Verdict::kInconclusive &&
               std::find(undecided.begin(), undecided.end(), who) == undecided.end()) {
      undecided.push_back(who);
    }
  }
  for (const auto& [who, changes] : shown)
    std::printf("  lower after, beyond doubt: %-22s %s\n", who.c_str(), changes.c_str());
  if (!undecided.empty()) {
    std::string names;
    for (const auto& n : undecided) names += (names.empty() ? "" : ", ") + n;
    // A short run decides the large changes; what it leaves open is named, so "inconclusive" reads as
    // "not shown either way" and not as a fault.
    std::printf("  not decided (each check says how long a run would decide): %s\n", names.c_str());
  }
}

void print_before_after(const std::vector<BeforeAfterFigure>& figures) {
  std::printf("\nBefore and after the fix (p95 and p99 from each request's due time; queries per request probed):\n");
  for (size_t i = 0; i + 2 < figures.size(); i += 3) {
    std::printf("  %-22s p95 %-34s queries/request %s\n", figures[i].endpoint.c_str(),
                before_after_text(&figures[i]).c_str(), before_after_text(&figures[i + 2]).c_str());
  }
  std::printf("  %-22s %s\n", "peak server memory", before_after_text(&figures.back()).c_str());
}

const Finding* finding_of(const Findings& findings, FindingKind kind, const std::string& endpoint) {
  for (const auto& f : findings.findings) {
    if (f.kind == kind && f.endpoint == endpoint) return &f;
  }
  return nullptr;
}

// The demo's last three lines: what was wrong, what fixed it, by how much, from what was measured.
void print_story(const Half& before, const std::vector<BeforeAfterFigure>& figures) {
  std::string wrong;
  const auto qpr = before.findings.queries_per_request.find("reports.sales");
  if (finding_of(before.findings, FindingKind::kNPlusOne, "reports.sales") != nullptr &&
      qpr != before.findings.queries_per_request.end()) {
    wrong += "reports.sales ran " + in_unit(qpr->second, "count") + " queries per request (N+1)";
  }
  if (const Finding* index = finding_of(before.findings, FindingKind::kMissingIndex, "reports.by_region")) {
    wrong += std::string(wrong.empty() ? "" : "; ") + "reports.by_region scanned " + index->table + " without an index";
  }
  const BeforeAfterFigure* memory = find_figure(figures, "", "peak_rss");
  if (memory != nullptr && !std::isnan(memory->before)) {
    wrong += std::string(wrong.empty() ? "" : "; ") + "reports.export built its 10,000 rows in memory (peak " +
             in_unit(memory->before, memory->unit) + ")";
  }
  std::printf("\nWhat was wrong: %s.\n",
              wrong.empty() ? "the analyzer found nothing (see before.findings.json)" : wrong.c_str());
  std::printf(
      "What fixed it:  one JOIN instead of a lookup per row, CREATE INDEX ON transactions (region), the export "
      "streamed from a cursor (perfgate-testbed --fixed).\n");
  const BeforeAfterFigure* p95 = find_figure(figures, "reports.sales", "p95");
  const BeforeAfterFigure* queries = find_figure(figures, "reports.sales", "queries_per_request");
  const BeforeAfterFigure* region = find_figure(figures, "reports.by_region", "p95");
  std::printf("By how much:    reports.sales p95 %s, queries/request %s; reports.by_region p95 %s; peak memory %s.\n",
              before_after_text(p95).c_str(), before_after_text(queries).c_str(), before_after_text(region).c_str(),
              before_after_text(memory).c_str());
}

ExitCode run_demo(const DemoOptions& o) {
  // The flags and the output directory are checked against a placeholder target first.
  auto canonical = demo_scenario(o, "http://127.0.0.1:1");
  if (!canonical) return report_error(canonical.error());
  for (const char* name : {"before.json", "after.json", "report.html"}) {
    if (auto st = check_output_path(o.out_dir + "/" + name, "--out"); !st) return report_error(st.error());
  }
  install_child_cleanup_on_signals();
  step(1, "Starting a throw-away PostgreSQL 15 with pg_stat_statements and hypopg");
  auto cluster = PgCluster::start();
  if (!cluster) return report_error(cluster.error());
  std::fprintf(stderr, "      port %d, pid %ld\n", (*cluster)->port(), (*cluster)->pid());

  char latency[64];
  std::snprintf(latency, sizeof latency, "%.2g", o.db_latency_ms);
  const std::string start_before = "Starting the report service as it is (perfgate-testbed, " + std::string(latency) +
                                   " ms per database round trip) and seeding its data";
  step(2, start_before.c_str());
  std::error_code created;
  std::filesystem::create_directories(o.out_dir, created);
  if (created) return report_error(io_error("--out " + o.out_dir + ": " + created.message()));
  auto before = run_half(o, **cluster, *canonical, Variant::kPathological, 3);
  if (!before) return report_error(before.error());

  std::optional<Half> after;
  if (!before->interrupted) {
    step(5, "Starting the fixed service (perfgate-testbed --fixed: one JOIN, the proved index, a streamed export)");
    auto fixed = run_half(o, **cluster, *canonical, Variant::kFixed, 6);
    if (!fixed) return report_error(fixed.error());
    after = std::move(fixed).value();
  }

  step(kSteps, "Gating \"after\" against budgets/demo.json, comparing it with \"before\"; writing the reports");
  auto budgets = read_budgets(budgets_dir() + "/demo.json");
  if (!budgets) return report_error(budgets.error());
  // "Before" against the budgets alone shows what the fixes are for; "after" is the verdict.
  GateInputs before_inputs;
  before_inputs.result = &before->result;
  before_inputs.result_path = o.out_dir + "/before.json";
  before_inputs.budgets = &*budgets;
  before_inputs.findings = &before->findings;
  const GateReport before_gate = run_gate(before_inputs);
  const Half& judged = after ? *after : *before;
  // "After" is gated on the budgets, as a team gates its release; "before" is no baseline to gate a
  // fix against but the measure of its effect, so the comparison is its own report: the endpoints
  // the fix did not touch are as fast as before, which a short run cannot pin, and that must not
  // turn the fix's verdict into "inconclusive".
  GateInputs gate_inputs = before_inputs;
  std::optional<GateReport> comparison;
  if (after) {
    gate_inputs.result = &after->result;
    gate_inputs.result_path = o.out_dir + "/after.json";
    gate_inputs.findings = &after->findings;
    GateInputs compare_inputs;
    compare_inputs.result = &after->result;
    compare_inputs.result_path = gate_inputs.result_path;
    compare_inputs.baseline = &before->result;
    compare_inputs.baseline_path = o.out_dir + "/before.json";
    comparison = run_gate(compare_inputs);
  }
  const GateReport gate = run_gate(gate_inputs);

  Status written = write_gate_report(before_gate, o.out_dir + "/before.gate.json");
  if (written && comparison) written = write_gate_report(*comparison, o.out_dir + "/comparison.json");
  if (written) written = write_outputs(o.out_dir, *before, after ? &*after : nullptr, gate);
  if (!written) {
    // The load ran and cannot be run again: keep at least the results, next to the directory or in /tmp.
    for (const Half* half : {&*before, after ? &*after : nullptr}) {
      if (half == nullptr) continue;
      Error first = io_error("");
      auto saved =
          write_file_or_fallback(o.out_dir + "/" + half->name + ".json", run_result_to_json(half->result), &first);
      if (saved) std::fprintf(stderr, "perfgate: the %s result was written to %s\n", half->name, saved->c_str());
    }
    return report_error(written.error());
  }
  print_run_summary(stdout, judged.result, o.out_dir + "/" + judged.name + ".json");
  std::printf("\nWhat the query analyzer found before the fix:\n%s\n", findings_summary(before->findings).c_str());
  print_gate("before", before_gate);
  if (after) print_gate("after", gate);
  if (comparison) print_comparison(*comparison);
  std::printf(
      "\nOpen the report: %s/report.html (the before/after table opens report.md too). Also written: before.json, "
      "after.json, their findings and gate verdicts (*.findings.json, before.gate.json, gate.json), the comparison "
      "of after with before (comparison.json), junit.xml.\n",
      o.out_dir.c_str());
  if (!after || after->interrupted) {
    std::fprintf(stderr,
                 "perfgate: demo interrupted during the \"%s\" half: the query analysis was skipped, so its checks "
                 "are inconclusive; what was measured is in %s/\n",
                 after ? "after" : "before", o.out_dir.c_str());
    return ExitCode::kToolFailure;
  }
  const ReportInputs pair{&after->result, &before->result, &after->findings, &gate, &before->findings};
  const auto figures = before_after_figures(pair);
  print_before_after(figures);
  print_story(*before, figures);
  if (o.strict && !gate_passes(gate, Strictness::kDefault)) return ExitCode::kBudgetFailed;
  return ExitCode::kPass;
}

}  // namespace

void add_demo_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Run the bundled report service on a throw-away PostgreSQL before and after its fixes: load, analyze, gate "
      "and report the difference");
  cmd->add_option("--out", o->out_dir, "Directory for the results and reports (default perfgate-demo)");
  cmd->add_option("--duration", o->duration,
                  "Length of each half's load run (default 40s, the scenario's; the mix is scaled to it)");
  cmd->add_option("--data-scale", o->data_scale, "Size of the seeded data (1.0: 200k transactions)");
  cmd->add_option("--rate-scale", o->rate_scale, "Multiply the demo's arrival rates (default 1.0: 30 req/s, peak 75)");
  cmd->add_option(
      "--db-latency-ms", o->db_latency_ms,
      "Round trip added to every database statement (default 0.7: a database on another host; 0: loopback)");
  cmd->add_option("--threads", o->threads, "Load generator threads (default: one per core)");
  cmd->add_flag("--strict", o->strict,
                "Exit 1 when the gate fails \"after\" (by default the demo exits 0 when it ran)");
  cmd->add_flag("--quiet", o->quiet, "No live progress line");
  cmd->callback([o, &slot] { slot.run = [o] { return run_demo(*o); }; });
}

}  // namespace perfgate::cli
