#include "analyzers/query_session.h"

#include "analyzers/postgres_source.h"

namespace perfgate {

Result<Findings> analyze_database(const AnalyzeRequest& request) {
  if (request.mode == AnalyzeMode::kProbe) {
    if (auto valid = validate_probe_options(request.probe); !valid) return valid.error();
  }
  auto db = PostgresSource::connect(request.dsn);
  if (!db) return db.error();
  AnalysisInput input;
  input.database = request.dsn;
  if (request.mode == AnalyzeMode::kAggregate) {
    input.source = "aggregate";
    auto snap = (*db)->snapshot();
    if (!snap) return snap.error();
    input.workloads.push_back(Workload{"", 0, totals_as_delta(*snap), std::nullopt, 0, 2});
  } else {
    input.source = "probe";
    auto http = make_curl_getter(request.http_timeout);
    auto workloads = probe_endpoints(**db, *http, request.probe);
    if (!workloads) return workloads.error();
    input.workloads = std::move(workloads).value();
  }
  auto schema = (*db)->schema();
  if (!schema) return schema.error();
  input.schema = std::move(schema).value();
  Findings findings = analyze_workloads(input, db->get(), request.options);
  if (request.mode == AnalyzeMode::kAggregate) {
    findings.notes.insert(findings.notes.begin(),
                          "workload analysis: pg_stat_statements totals since the last reset, no endpoint or request "
                          "counts; attributing findings to endpoints needs probes (--probe-url URL or --probe "
                          "SCENARIO), and N+1 findings are at most 'possible' without them");
  }
  // Probe notes about failed requests ride in the delta notes; surface them even when conclusive.
  for (const auto& w : input.workloads) {
    if (w.delta.inconclusive || w.delta.note.empty()) continue;
    const bool named = w.endpoint.empty() || w.delta.note.starts_with(w.endpoint + ": ");
    findings.notes.push_back(named ? w.delta.note : w.endpoint + ": " + w.delta.note);
  }
  return findings;
}

struct RunDeltaCapture::State {
  std::string dsn;
  AnalyzerOptions options;
  std::unique_ptr<PostgresSource> db;
  StatsSnapshot before;
};

RunDeltaCapture::RunDeltaCapture(std::unique_ptr<State> state) : state_(std::move(state)) {}
RunDeltaCapture::~RunDeltaCapture() = default;

Result<std::unique_ptr<RunDeltaCapture>> RunDeltaCapture::begin(const std::string& dsn,
                                                                const AnalyzerOptions& options) {
  auto capture = resume(dsn, StatsSnapshot{}, options);
  if (!capture) return capture;
  auto snap = (*capture)->state_->db->snapshot();
  if (!snap) return snap.error();
  (*capture)->state_->before = std::move(snap).value();
  return capture;
}

Result<std::unique_ptr<RunDeltaCapture>> RunDeltaCapture::resume(const std::string& dsn, StatsSnapshot before,
                                                                 const AnalyzerOptions& options) {
  auto state = std::make_unique<State>();
  state->dsn = dsn;
  state->options = options;
  auto db = PostgresSource::connect(dsn);
  if (!db) return db.error();
  state->db = std::move(db).value();
  state->before = std::move(before);
  return std::unique_ptr<RunDeltaCapture>(new RunDeltaCapture(std::move(state)));
}

const StatsSnapshot& RunDeltaCapture::before() const { return state_->before; }

Result<Findings> RunDeltaCapture::finish(double requests) {
  auto after = state_->db->snapshot();
  if (!after) return after.error();
  auto schema = state_->db->schema();
  if (!schema) return schema.error();
  AnalysisInput input;
  input.database = state_->dsn;
  input.source = "run-delta";
  input.workloads.push_back(Workload{"", requests, diff_snapshots(state_->before, *after), std::nullopt, 0, 2});
  input.schema = std::move(schema).value();
  return analyze_workloads(input, state_->db.get(), state_->options);
}

}  // namespace perfgate
