// perfgate analyze: N+1 queries, missing indexes, slow queries and index hygiene from
// pg_stat_statements, per endpoint (--probe-url, named "GET /path?query"; or every single GET
// endpoint of a scenario with --probe, named as in the scenario) or, given only --pg, from the
// workload's totals (--aggregate says so explicitly). Findings are
// information, so the exit code is 0 whatever is found; the gate judges them.
#include <cstdio>

#include "analyzers/query_analyzer.h"
#include "analyzers/query_session.h"
#include "cli/command.h"
#include "core/files.h"
#include "core/run_result_io.h"
#include "pipeline/run_session.h"
#include "pipeline/scenario_probes.h"
#include "scenarios/parser.h"

namespace perfgate::cli {
namespace {

struct AnalyzeOptions {
  std::string dsn;
  std::vector<std::string> probe_urls;
  std::string probe_scenario;
  std::string target;
  int requests = 20;
  std::string scale_param;
  bool aggregate = false;
  std::string out_path;
  int64_t min_calls = 0;
  double slow_ms = 500;
  std::string snapshot_out;
  std::string since;
  std::string result_path;
};

// The run-delta of a run whose "before" another process took (a distributed run's profile step):
// the statements that ran since `since`, divided by the requests of `result_path`, which must hold
// every shard's requests, i.e. the merged result.
Result<Findings> analyze_since(const AnalyzeOptions& o, const AnalyzerOptions& analyzer) {
  if (o.result_path.empty()) return invalid_input("--since: needs --result RESULT.json (the merged result of the run)");
  auto text = read_file(o.since);
  if (!text) return text.error().with_context("--since");
  auto before = stats_snapshot_from_json(*text, o.since);
  if (!before) return before.error();
  auto result = read_run_result(o.result_path);
  if (!result) return result.error().with_context("--result");
  if (result->segment && !result->segment->whole()) {
    return invalid_input(
        "--result: " + o.result_path + " is segment " + result->segment->to_string() +
        " of a distributed run; give the merged result (perfgate merge), whose requests are every shard's");
  }
  auto capture = RunDeltaCapture::resume(o.dsn, std::move(*before), analyzer);
  if (!capture) return capture.error();
  return (*capture)->finish(static_cast<double>(requests_in_all_phases(*result)));
}

ExitCode write_snapshot(const AnalyzeOptions& o) {
  auto capture = RunDeltaCapture::begin(o.dsn);
  if (!capture) return report_error(capture.error());
  if (auto st = write_file_atomically(o.snapshot_out, stats_snapshot_to_json((*capture)->before())); !st) {
    return report_error(st.error());
  }
  std::printf("pg_stat_statements snapshot (%zu statements) written to %s\n", (*capture)->before().statements.size(),
              o.snapshot_out.c_str());
  return ExitCode::kPass;
}

ExitCode run_analyze(const AnalyzeOptions& options) {
  const bool probing = !options.probe_urls.empty() || !options.probe_scenario.empty();
  const int modes = (options.aggregate ? 1 : 0) + (probing ? 1 : 0) + (options.snapshot_out.empty() ? 0 : 1) +
                    (options.since.empty() ? 0 : 1);
  if (modes > 1) {
    return report_error(invalid_input("--aggregate, --probe-url/--probe, --snapshot-out and --since: choose one"));
  }
  if (!options.result_path.empty() && options.since.empty()) {
    return report_error(invalid_input("--result: only with --since SNAPSHOT"));
  }
  if (!options.snapshot_out.empty()) return write_snapshot(options);
  AnalyzeRequest request;
  request.dsn = options.dsn;
  // Like Dexter and PgHero, a database alone means its workload: pg_stat_statements totals.
  request.mode = probing ? AnalyzeMode::kProbe : AnalyzeMode::kAggregate;
  request.probe.urls = options.probe_urls;
  request.probe.requests = options.requests;
  request.probe.scale_param = options.scale_param;
  request.options.min_calls = options.min_calls;
  request.options.slow_mean_ms = options.slow_ms;
  std::vector<EndpointProbe> probes;
  if (!options.probe_scenario.empty()) {
    auto scenario = load_scenario_file(options.probe_scenario);
    if (!scenario) return report_error(scenario.error());
    if (!options.target.empty()) {
      if (auto st = override_target(*scenario, options.target); !st) return report_error(st.error());
    }
    probes = probes_for_scenario(*scenario);
    if (probes.empty()) {
      return report_error(
          invalid_input("--probe " + options.probe_scenario +
                        ": no single-step GET endpoint to probe (streams, polls and flows are skipped)"));
    }
    for (const auto& p : probes) {
      request.probe.urls.push_back(p.url);
      request.probe.names.push_back(p.endpoint);
    }
  } else if (!options.target.empty()) {
    return report_error(invalid_input("--target: only with --probe SCENARIO"));
  }
  if (!(options.slow_ms > 0)) return report_error(invalid_input("--slow-ms: must be > 0"));
  if (options.min_calls < 0) return report_error(invalid_input("--min-calls: must be >= 0"));
  auto findings = options.since.empty() ? analyze_database(request) : analyze_since(options, request.options);
  if (!findings) return report_error(findings.error());
  std::fputs(findings_summary(*findings).c_str(), stdout);
  if (!options.out_path.empty()) {
    if (auto written = write_findings(*findings, options.out_path); !written) return report_error(written.error());
  }
  return ExitCode::kPass;
}

}  // namespace

void add_analyze_command(CLI::App& app, CommandSlot& slot) {
  auto options = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Find N+1 queries, missing indexes (proved with hypopg), slow queries and index problems");
  cmd->add_option("--pg", options->dsn, "PostgreSQL DSN (keyword or URI form); never changed")->required();
  cmd->add_option("--probe-url", options->probe_urls, "Endpoint to probe with GET, one at a time (repeatable)");
  cmd->add_option("--probe", options->probe_scenario,
                  "Probe every single-step GET endpoint of this scenario (file or bundled name), named as in it");
  cmd->add_option("--target", options->target, "With --probe: override the scenario's base URL");
  cmd->add_option("--requests", options->requests, "Requests per endpoint and scale (default 20)");
  cmd->add_option("--scale-param", options->scale_param,
                  "Query parameter (e.g. limit) to double for a second probe that confirms N+1s");
  cmd->add_flag("--aggregate", options->aggregate,
                "Analyse pg_stat_statements totals since the last reset (the default without probes; no endpoints)");
  cmd->add_option(
      "--snapshot-out", options->snapshot_out,
      "Only write a pg_stat_statements snapshot here: the 'before' of a distributed run (docs/distributed.md)");
  cmd->add_option("--since", options->since,
                  "Analyse what ran since this --snapshot-out snapshot (run-delta), with --result");
  cmd->add_option("--result", options->result_path,
                  "With --since: the (merged) result whose requests divide the delta");
  cmd->add_option("--out", options->out_path, "Write the findings JSON here (docs/analyzer.md)");
  cmd->add_option("--min-calls", options->min_calls, "Ignore statements with fewer calls (default 0: all)");
  cmd->add_option("--slow-ms", options->slow_ms, "Slow-query budget on mean execution time in ms (default 500)");
  cmd->callback([options, &slot] { slot.run = [options] { return run_analyze(*options); }; });
}

}  // namespace perfgate::cli
