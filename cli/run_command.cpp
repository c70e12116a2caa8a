// perfgate run: offer load from a scenario file or quick-mode flags, write the result, print a summary.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <optional>

#include "analyzers/spikes.h"
#include "cli/command.h"
#include "cli/find_limit.h"
#include "cli/instruments.h"
#include "cli/run_summary.h"
#include "cli/shard_flags.h"
#include "core/files.h"
#include "core/redact.h"
#include "core/run_context.h"
#include "core/run_result_io.h"
#include "core/units.h"
#include "loadgen/engine.h"
#include "loadgen/progress.h"
#include "pipeline/limit_search_run.h"
#include "pipeline/run_session.h"
#include "scenarios/parser.h"

namespace perfgate::cli {
namespace {

struct RunOptions {
  std::string scenario;
  std::string target;
  double time_scale = 1;
  double rate_scale = 1;
  int threads = 0;
  std::string out;
  bool quiet = false;
  std::string url;
  std::optional<double> rate;
  std::optional<int> vus;
  std::string duration = "10s";
  int connections = 0;
  std::string timeout = "10s";
  std::string method = "GET";
  std::vector<std::string> headers;
  std::string body;
  InstrumentOptions instruments;
  std::string findings_out;
  bool insecure = false;
  std::string give_up_after = "10s";
  std::string label;    ///< stored in the result's labels["label"] (trend and history name the run by it)
  std::string git_sha;  ///< stored in the result's labels["git_sha"]
  std::vector<std::string> quick_flags_given;  ///< quick-mode-only flags that appeared on the command line
  ShardFlags shard;
  FindLimitFlags search;
  std::string spike_p95;  ///< --spike-p95: the p95 a spike's recovery waits for; "": 2 x the p95 before it
};

// Flags that only shape quick mode's single endpoint, with what to use instead with a SCENARIO.
constexpr std::pair<const char*, const char*> kQuickOnlyFlags[] = {
    {"--rate", "use --rate-scale to scale the scenario's rates"},
    {"--vus", "use --rate-scale to scale the scenario's virtual users"},
    {"--duration", "use --time-scale to scale the scenario's stages"},
    {"--timeout", "set \"timeout\" in the scenario's request"},
    {"--method", "set \"method\" in the scenario's request"},
    {"--header", "set \"headers\" in the scenario's request"},
    {"--body", "set \"body\" in the scenario's request"},
};

Status check_flags_apply(const RunOptions& o) {
  if (o.scenario.empty()) return {};
  for (const auto& [flag, instead] : kQuickOnlyFlags) {
    for (const std::string& given : o.quick_flags_given) {
      if (given == flag) {
        return invalid_input(std::string(flag) + ": applies to quick mode (--url) only, not to scenario " + o.scenario +
                             ", which sets its own load; " + instead);
      }
    }
  }
  return {};
}

Result<Scenario> build_scenario(const RunOptions& o) {
  if (!o.scenario.empty() && !o.url.empty())
    return invalid_input("give a SCENARIO file or --url (quick mode), not both");
  if (o.scenario.empty() && o.url.empty()) return invalid_input("give a SCENARIO file, or --url with --rate or --vus");
  if (auto st = check_flags_apply(o); !st) return st.error();
  Result<Scenario> scenario = invalid_input("unreachable");
  if (!o.scenario.empty()) {
    scenario = load_scenario_file(o.scenario);
  } else {
    QuickOptions q;
    q.url = o.url;
    q.rate = o.rate;
    // A search sets each step's rate itself; quick mode needs no --rate for it.
    if (!o.search.slo.empty() && !o.rate && !o.vus) q.rate = o.search.start_rps.value_or(LimitSearchPlan{}.start_rps);
    q.vus = o.vus;
    auto duration = parse_duration(o.duration);
    if (!duration) return duration.error().with_context("--duration");
    q.duration = *duration;
    auto timeout = parse_duration(o.timeout);
    if (!timeout) return timeout.error().with_context("--timeout");
    q.timeout = *timeout;
    q.connections = o.connections;
    q.method = o.method;
    q.headers = o.headers;
    if (!o.body.empty() && o.body.front() == '@') {
      auto text = read_file(o.body.substr(1));
      if (!text) return text.error().with_context("--body");
      q.body = *text;
    } else {
      q.body = o.body;
    }
    scenario = scenario_from_quick(q);
  }
  if (!scenario) return scenario;
  if (!o.target.empty()) {
    if (auto st = override_target(*scenario, o.target); !st) return st.error();
  }
  if (o.time_scale != 1 || o.rate_scale != 1) {
    if (auto st = apply_scaling(*scenario, o.time_scale, o.rate_scale); !st) return st.error();
  }
  return scenario;
}

std::string default_out_path() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char name[64];
  std::strftime(name, sizeof name, "perfgate-results/%Y%m%dT%H%M%SZ.json", &tm);
  return name;
}

std::vector<std::string> own_command_line() {
  std::vector<std::string> args;
  auto text = read_file("/proc/self/cmdline");
  if (!text) return args;
  std::string current;
  for (char c : *text) {
    if (c == '\0') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return args;
}

// Writes `contents` where asked or, failing that, next to it or in the temp directory: the load has
// been offered and cannot be offered again. Returns where it went; `lost` is set when it went nowhere.
std::string write_output(const std::string& what, const std::string& path, const std::string& contents,
                         std::optional<Error>& problem) {
  Error first = io_error("");
  auto written = write_file_or_fallback(path, contents, &first);
  if (!written) {
    problem = written.error();
    return path;
  }
  if (*written != path) {
    std::fprintf(stderr, "perfgate: error: %s\nperfgate: the %s was written to %s instead\n", first.message.c_str(),
                 what.c_str(), written->c_str());
    if (!problem) problem = io_error(path + ": not written; the " + what + " is in " + *written);
  }
  return *written;
}

ExitCode run_run(const RunOptions& options) {
  auto scenario = build_scenario(options);
  if (!scenario) return report_error(scenario.error());
  if (options.threads < 0 || options.threads > 1024) {
    return report_error(
        invalid_input("--threads: must be 0..1024 (got " + std::to_string(options.threads) + "; 0: one per core)"));
  }
  if (options.connections > 100000) {
    return report_error(
        invalid_input("--connections: must be at most 100000 (got " + std::to_string(options.connections) + ")"));
  }
  if (!options.findings_out.empty() && options.instruments.pg_dsn.empty()) {
    return report_error(
        invalid_input("--findings-out: needs --pg DSN (the findings come from its pg_stat_statements)"));
  }
  // Every output is checked before the load: a run of many minutes must not end in "cannot write".
  const std::string out = options.out.empty() ? default_out_path() : options.out;
  if (auto st = check_output_path(out, "--out"); !st) return report_error(st.error());
  const std::string findings_path = options.findings_out.empty() ? default_findings_path(out) : options.findings_out;
  if (!options.instruments.pg_dsn.empty()) {
    if (auto st = check_output_path(findings_path, "--findings-out"); !st) return report_error(st.error());
  }
  std::optional<SearchSetup> search;
  if (search_requested(options.search, *scenario)) {
    if (!options.shard.segment.empty())
      return report_error(invalid_input("--find-limit: runs on one generator; remove --segment"));
    const InstrumentOptions& w = options.instruments;
    SloMeasurability can;
    can.server_profiled = !w.watch_pids.empty() || !w.watch_pattern.empty() || !w.spawn.empty();
    can.postgres_sampled = !w.pg_dsn.empty();
    auto setup = resolve_search(options.search, *scenario, can);
    if (!setup) return report_error(setup.error());
    search = std::move(*setup);
  }
  std::optional<double> spike_p95_us;
  if (!options.spike_p95.empty()) {
    auto limit = parse_duration(options.spike_p95);
    if (!limit) return report_error(limit.error().with_context("--spike-p95"));
    if (limit->count() <= 0) return report_error(invalid_input("--spike-p95: must be > 0 (e.g. 500ms)"));
    spike_p95_us = static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(*limit).count());
  }
  auto give_up = parse_duration(options.give_up_after);
  if (!give_up) return report_error(give_up.error().with_context("--give-up-after"));
  if (give_up->count() < 0) return report_error(invalid_input("--give-up-after: must be >= 0 (0: never give up)"));
  // Last of the checks: with --barrier this waits for the other shards.
  auto shard = resolve_shard_flags(options.shard, options.instruments);
  if (!shard) return report_error(shard.error());
  auto session = RunSession::prepare(options.instruments, QueryCapture::kRunDelta, SteadyClock::instance());
  if (!session) return report_error(session.error());
  RunSession* watch = session->get();
  if (!watch->metrics_address().empty())
    std::fprintf(stderr, "perfgate: serving metrics on http://%s/metrics\n", watch->metrics_address().c_str());

  EngineOptions engine;
  engine.give_up_after = *give_up;
  engine.threads = options.threads;
  if (options.connections > 0) engine.max_connections = options.connections;
  engine.tls = options.insecure ? TlsVerification::kSkip : TlsVerification::kVerify;
  engine.segment = shard->segment;
  engine.start_at_unix_ms = shard->start_at_unix_ms;
  StopSignal stop;
  std::optional<ConsoleProgress> progress;
  if (!options.quiet) {
    progress.emplace(stderr,
                     ::isatty(STDERR_FILENO) != 0 ? ProgressStyle::kUpdatingLine : ProgressStyle::kPeriodicLines);
    if (watch->profiling()) progress->set_extra_text([watch] { return watch->live_text(); });
  }
  RunObserver* shown = progress ? &*progress : nullptr;
  Result<RunResult> result =
      search ? run_limit_search(*watch, *scenario, search->slo, search->slo_text, search->plan, engine, shown, stop)
             : watch->run(*scenario, engine, shown, stop);
  if (!result) return report_error(result.error());
  RunResult& r = *result;
  std::vector<std::string> secrets = scenario->secret_values;
  secrets.push_back(dsn_password(options.instruments.pg_dsn));
  watch->record_context(r, *scenario, redact_command_line(own_command_line(), secrets));
  r.context.target = redact_url(r.context.target);
  if (!options.label.empty()) r.labels["label"] = options.label;
  if (!options.git_sha.empty()) r.labels["git_sha"] = options.git_sha;
  if (!r.limit_search) r.spikes = judge_spikes(r, spike_p95_us);

  std::optional<Findings> findings;
  std::optional<Error> analysis_error;
  if (watch->has_query_capture()) {
    auto analysed = watch->analyze(static_cast<double>(requests_in_all_phases(r)));
    if (analysed)
      findings = std::move(*analysed);
    else
      analysis_error = analysed.error().with_context("query analysis");
  }
  std::optional<Error> write_problem;
  const std::string written = write_output("result", out, run_result_to_json(r), write_problem);
  if (write_problem && written == out) return report_error(*write_problem);
  std::string findings_written = findings_path;
  if (findings) findings_written = write_output("findings", findings_path, findings_to_json(*findings), write_problem);
  print_run_summary(stdout, r, written);
  print_instrument_summary(stdout, r, findings ? &*findings : nullptr, findings_written);
  print_telemetry_summary(stdout, r);
  if (r.limit_search) print_search_summary(stdout, *r.limit_search);
  if (write_problem) return report_error(*write_problem);
  if (analysis_error) return report_error(*analysis_error);
  if (r.telemetry && !r.telemetry->metrics_file_error.empty())
    return report_error(io_error("--metrics-file: " + r.telemetry->metrics_file_error));
  const int64_t connect_errors = [&] {
    int64_t n = 0;
    for (const auto& e : r.endpoints) {
      const auto it = e.errors.by_category.find("connect");
      if (it != e.errors.by_category.end()) n += it->second;
    }
    return n;
  }();
  if (r.total_requests() > 0 && connect_errors == r.total_requests()) {
    // "connect" covers refused, unreachable and TLS failures alike; one more connection says which.
    const std::string why = explain_connect_failure(scenario->base_url + "/", engine.tls, std::chrono::seconds(2));
    return report_error(unavailable("target " + r.context.target + " unreachable: every request failed to connect" +
                                    (r.partial && !stop.stop_requested() ? ", so the run stopped early" : "") +
                                    (why.empty() ? "" : "; " + why)));
  }
  if (r.total_requests() == 0) {
    return report_error(unavailable("no request completed: the run measured nothing (status \"" +
                                    std::string(run_status_name(r.status)) + "\")"));
  }
  if (r.status == RunStatus::kFailed) {
    std::fprintf(stderr, "perfgate: warning: every request failed (%lld errors); the result is marked \"failed\"\n",
                 static_cast<long long>(r.total_errors()));
  }
  if (r.limit_search) return search_exit_code(*r.limit_search);
  return ExitCode::kPass;
}

}  // namespace

void add_run_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Offer load from a scenario file or quick-mode flags and write a result");
  cmd->add_option("scenario", o->scenario, "Scenario file or bundled scenario name");
  cmd->add_option("--target", o->target, "Override the scenario's base URL (http(s)://host[:port])");
  cmd->add_option("--time-scale", o->time_scale, "Multiply every stage duration (CI: 0.1)");
  cmd->add_option("--rate-scale", o->rate_scale, "Multiply every rate / user target");
  cmd->add_option("--threads", o->threads, "Worker threads (default: one per core)");
  cmd->add_option("--out", o->out, "Result file (default perfgate-results/<UTC timestamp>.json)");
  cmd->add_flag("--quiet", o->quiet, "No live progress on stderr");
  cmd->add_option("--url", o->url, "Quick mode: the URL to load");
  cmd->add_option("--rate", o->rate, "Quick mode: requests per second (open model)");
  cmd->add_option("--vus", o->vus, "Quick mode: virtual users (closed model)")->excludes("--rate");
  cmd->add_option("--duration", o->duration, "Quick mode: how long (e.g. 15s)");
  cmd->add_option("--connections", o->connections, "Connection bound (default: one second of arrivals)");
  cmd->add_option("--timeout", o->timeout, "Quick mode: per-request timeout (e.g. 2s)");
  cmd->add_option("--method", o->method, "Quick mode: HTTP method");
  cmd->add_option("-H,--header", o->headers, "Quick mode: header 'Name: value' (repeatable)");
  cmd->add_option("--body", o->body, "Quick mode: request body, or @file");
  add_instrument_flags(cmd, o->instruments);
  add_telemetry_flags(cmd, o->instruments);
  cmd->add_option("--label", o->label, "A name for this run, kept in the result (trend and history show it)");
  cmd->add_option("--git-sha", o->git_sha, "The commit under test, kept in the result (labels.git_sha)");
  cmd->add_option("--findings-out", o->findings_out, "Findings JSON (default: next to the result, NAME.findings.json)");
  cmd->add_option("--give-up-after", o->give_up_after,
                  "Stop early (exit 3) when no request has connected for this long (default 10s; 0: never)");
  add_shard_flags(cmd, o->shard);
  add_find_limit_flags(cmd, o->search);
  cmd->add_option("--spike-p95", o->spike_p95,
                  "Spike verdicts: p95 that counts as recovered after a spike (default 2 x the p95 before it)");
  cmd->add_flag("--insecure", o->insecure,
                "https://: accept any certificate (self-signed test servers); never for real targets");
  cmd->callback([o, cmd, &slot] {
    for (const auto& [flag, instead] : kQuickOnlyFlags) {
      (void)instead;
      if (cmd->count(flag) > 0) o->quick_flags_given.emplace_back(flag);
    }
    slot.run = [o] { return run_run(*o); };
  });
}

}  // namespace perfgate::cli
