// perfgate demo: the whole toolkit in one command on a throw-away stack. A PostgreSQL cluster and the
// bundled report service are started, a one-minute mix of report endpoints is offered while the
// service and the database are sampled, the query analyzer attributes queries to endpoints, the gate
// judges the run against the demo budgets, and the reports are written to ./perfgate-demo/.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

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
  std::string duration = "60s";
  double data_scale = 1.0;
  double rate_scale = 1.0;
  int threads = 0;
  bool strict = false;
  bool quiet = false;
};

void step(int n, const char* what) { std::fprintf(stderr, "\n[%d/6] %s\n", n, what); }

std::string budgets_dir() {
  const char* env = std::getenv("PERFGATE_BUDGETS_DIR");
  return env != nullptr && *env != '\0' ? env : PERFGATE_BUDGETS_DIR;
}

// Every flag is checked here, before PostgreSQL is started and seeded: a typo must cost nothing.
Result<Scenario> demo_scenario(const DemoOptions& o, const std::string& base_url) {
  auto duration = parse_duration(o.duration);
  if (!duration) return duration.error().with_context("--duration");
  if (duration->count() <= 0) return invalid_input("--duration: must be > 0 (got " + o.duration + "); e.g. 60s");
  if (!(o.rate_scale > 0) || !std::isfinite(o.rate_scale)) {
    return invalid_input("--rate-scale: must be > 0 (got " + std::to_string(o.rate_scale) +
                         "); e.g. 0.5 halves the rate");
  }
  if (!(o.data_scale >= 0.0001 && o.data_scale <= 100)) {
    return invalid_input("--data-scale: must be between 0.0001 and 100 (got " + std::to_string(o.data_scale) +
                         "); 1.0 seeds 200k transactions");
  }
  if (o.threads < 0) return invalid_input("--threads: must be >= 0 (0: one per core)");
  auto scenario = load_bundled_scenario("demo");
  if (!scenario) return scenario;
  const double time_scale = static_cast<double>(duration->count()) / static_cast<double>(scenario->duration().count());
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

Status write_outputs(const std::string& dir, const RunResult& result, const Findings& findings,
                     const GateReport& gate) {
  const ReportInputs inputs{&result, nullptr, &findings, &gate};
  if (auto st = write_run_result(result, dir + "/result.json"); !st) return st;
  if (auto st = write_findings(findings, dir + "/findings.json"); !st) return st;
  if (auto st = write_gate_report(gate, dir + "/gate.json"); !st) return st;
  if (auto st = write_file_atomically(dir + "/junit.xml", gate_report_to_junit(gate)); !st) return st;
  if (auto st = write_file_atomically(dir + "/report.md", render_markdown_report(inputs)); !st) return st;
  return write_file_atomically(dir + "/report.html", render_html_report(inputs));
}

ExitCode run_demo(const DemoOptions& o) {
  // The flags and the output directory are checked against a placeholder target first.
  if (auto checked = demo_scenario(o, "http://127.0.0.1:1"); !checked) return report_error(checked.error());
  for (const char* name : {"result.json", "report.html"}) {
    if (auto st = check_output_path(o.out_dir + "/" + name, "--out"); !st) return report_error(st.error());
  }
  install_child_cleanup_on_signals();
  step(1, "Starting a throw-away PostgreSQL 15 with pg_stat_statements and hypopg");
  auto cluster = PgCluster::start();
  if (!cluster) return report_error(cluster.error());
  std::fprintf(stderr, "      port %d, pid %ld\n", (*cluster)->port(), (*cluster)->pid());

  step(2, "Starting the bundled report service (perfgate-testbed) and seeding its data");
  TestbedProcessOptions service;
  service.dsn = (*cluster)->dsn();
  service.scale = o.data_scale;
  service.log_path = o.out_dir + "/testbed.log";
  std::error_code created;
  std::filesystem::create_directories(o.out_dir, created);
  if (created) return report_error(io_error("--out " + o.out_dir + ": " + created.message()));
  auto testbed = TestbedProcess::start(service);
  if (!testbed) return report_error(testbed.error());
  std::fprintf(stderr, "      %s, pid %ld\n", (*testbed)->base_url().c_str(), (*testbed)->pid());

  auto scenario = demo_scenario(o, (*testbed)->base_url());
  if (!scenario) return report_error(scenario.error());
  step(3, "Offering load (open model, latency from each request's due time); sampling the service and PostgreSQL");
  InstrumentOptions instruments;
  instruments.watch_pids.push_back((*testbed)->pid());
  instruments.pg_dsn = (*cluster)->dsn();
  instruments.pg_interval = "1s";
  auto session = RunSession::prepare(instruments, QueryCapture::kRunDelta, SteadyClock::instance());
  if (!session) return report_error(session.error());
  std::optional<ConsoleProgress> progress;
  if (!o.quiet) {
    progress.emplace(stderr,
                     ::isatty(STDERR_FILENO) != 0 ? ProgressStyle::kUpdatingLine : ProgressStyle::kPeriodicLines);
  }
  EngineOptions engine;
  engine.threads = o.threads;
  StopSignal stop;
  Result<RunResult> result = (*session)->run(*scenario, engine, progress ? &*progress : nullptr, stop);
  if (!result) return report_error(result.error());
  RunResult& r = *result;
  (*session)->record_context(r, *scenario, "perfgate demo");
  r.context.target = redact_url(r.context.target);
  r.labels["demo"] = "true";

  Findings findings;
  if (!stop.stop_requested()) {
    step(4, "Probing each report endpoint alone: queries per request, N+1, indexes proved with hypopg");
    findings = analyze(*scenario, **cluster, **session, static_cast<double>(requests_in_all_phases(r)));
  } else {
    // Absence of findings proves nothing when nothing was analysed: the gate must say INCONCLUSIVE.
    findings.inconclusive = true;
    findings.notes.push_back("interrupted: the query analysis was skipped");
  }

  step(5, "Gating the run against budgets/demo.json (seed budgets plus query rules)");
  auto budgets = read_budgets(budgets_dir() + "/demo.json");
  if (!budgets) return report_error(budgets.error());
  GateInputs gate_inputs;
  gate_inputs.result = &r;
  gate_inputs.result_path = o.out_dir + "/result.json";
  gate_inputs.budgets = &*budgets;
  gate_inputs.findings = &findings;
  const GateReport gate = run_gate(gate_inputs);

  step(6, "Writing the result, findings, gate verdict and reports");
  if (auto st = write_outputs(o.out_dir, r, findings, gate); !st) {
    // The load ran and cannot be run again: keep at least the result, next to the directory or in /tmp.
    Error first = io_error("");
    auto saved = write_file_or_fallback(o.out_dir + "/result.json", run_result_to_json(r), &first);
    if (saved) std::fprintf(stderr, "perfgate: the result was written to %s\n", saved->c_str());
    return report_error(st.error());
  }
  print_run_summary(stdout, r, o.out_dir + "/result.json");
  std::printf("\nWhat the query analyzer found:\n%s\n", findings_summary(findings).c_str());
  std::printf("%s\n", gate_report_to_console(gate).c_str());
  std::printf(
      "The demo's pathological endpoints (reports.sales: N+1; reports.by_region: unindexed filter) are\n"
      "meant to fail the gate; their fixed twins pass. Open the report:\n  %s/report.html\n"
      "Also written: result.json, findings.json, gate.json, junit.xml, report.md (in %s/).\n",
      o.out_dir.c_str(), o.out_dir.c_str());
  if (stop.stop_requested()) {
    std::fprintf(stderr,
                 "perfgate: demo interrupted after %.1f s of load: the query analysis was skipped, so its checks are "
                 "inconclusive; what was measured is in %s/\n",
                 r.duration_s, o.out_dir.c_str());
    return ExitCode::kToolFailure;
  }
  if (o.strict && !gate_passes(gate, Strictness::kDefault)) return ExitCode::kBudgetFailed;
  return ExitCode::kPass;
}

}  // namespace

void add_demo_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the bundled report service on a throw-away PostgreSQL, load it, analyze, gate and report");
  cmd->add_option("--out", o->out_dir, "Directory for the result and reports (default perfgate-demo)");
  cmd->add_option("--duration", o->duration, "Length of the load run (default 60s; the mix is scaled to it)");
  cmd->add_option("--data-scale", o->data_scale, "Size of the seeded data (1.0: 200k transactions)");
  cmd->add_option("--rate-scale", o->rate_scale, "Multiply the demo's arrival rate (default 1.0: 30 req/s)");
  cmd->add_option("--threads", o->threads, "Load generator threads (default: one per core)");
  cmd->add_flag("--strict", o->strict, "Exit 1 when the gate fails (by default the demo exits 0 when it ran)");
  cmd->add_flag("--quiet", o->quiet, "No live progress line");
  cmd->callback([o, &slot] { slot.run = [o] { return run_demo(*o); }; });
}

}  // namespace perfgate::cli
