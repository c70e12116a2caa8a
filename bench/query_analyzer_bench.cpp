// Analysing 5,000 distinct pg_stat_statements entries (parse, group, N+1, index candidates with
// expressions, rewrites, CTE fences, GIN heuristics, hygiene) without hypopg costing: the analyzer's own cost on a
// large, busy database.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "analyzers/query_analyzer.h"

namespace perfgate {
namespace {

AnalysisInput synthetic_input(int statements) {
  std::mt19937 rng(42);
  AnalysisInput in;
  in.source = "probe";
  const int tables = 50;
  for (int t = 0; t < tables; ++t) {
    const std::string name = "t" + std::to_string(t);
    in.schema.tables.push_back(
        {name, 100000.0 * (t + 1), 1000, {{"id", -1}, {"parent_id", 5000}, {"status", 4}, {"created_at", -0.9}}});
    IndexInfo pk;
    pk.name = name + "_pkey";
    pk.table = name;
    pk.columns = {"id"};
    pk.unique = pk.primary = true;
    in.schema.indexes.push_back(pk);
    if (t > 0) in.schema.foreign_keys.push_back({name, {"parent_id"}, "t" + std::to_string(t - 1), {"id"}});
  }
  Workload w;
  w.endpoint = "GET /bench";
  w.requests = 100;
  for (int i = 0; i < statements; ++i) {
    const std::string a = "t" + std::to_string(rng() % tables), b = "t" + std::to_string(rng() % tables);
    // Distinct texts: a column alias makes each statement its own entry, as in a large application.
    const std::string tag = " AS c" + std::to_string(i);
    std::string q;
    switch (i % 8) {
      case 0:
        q = "SELECT id" + tag + " FROM " + a + " WHERE parent_id = $1";
        break;
      case 1:
        q = "SELECT x.id" + tag + " FROM " + a + " x JOIN " + b + " y ON y.parent_id = x.id WHERE x.status = $1";
        break;
      case 2:
        q = "SELECT id" + tag + " FROM " + a + " WHERE id IN ($1, $2, $3) ORDER BY created_at DESC LIMIT $4";
        break;
      case 3:
        q = "UPDATE " + a + " SET status = $1 WHERE id = $2 AND created_at > $3";
        break;
      case 4:
        q = "SELECT count(*)" + tag + " FROM " + a + " WHERE status = $1 OR parent_id = $2";
        break;
      case 5:
        q = "SELECT id" + tag + " FROM " + a + " WHERE lower(status) = $1 AND created_at::date = $2";
        break;
      case 6:
        q = "WITH r AS MATERIALIZED (SELECT * FROM " + a + ") SELECT status" + tag +
            ", count(*) FROM r WHERE parent_id = $1 GROUP BY status";
        break;
      default:
        q = "SELECT id" + tag + " FROM " + a +
            " WHERE status ILIKE $1 AND deleted_at IS NULL ORDER BY id LIMIT 20 OFFSET 40";
        break;
    }
    StatementStats s;
    s.query_id = std::to_string(i);
    s.query = q;
    s.calls = 1 + static_cast<int64_t>(rng() % 2000);
    s.rows = s.calls * static_cast<int64_t>(1 + rng() % 20);
    s.total_exec_time_ms = static_cast<double>(s.calls) * 0.05;
    s.mean_exec_time_ms = 0.05;
    w.delta.statements.push_back(std::move(s));
  }
  in.workloads.push_back(std::move(w));
  return in;
}

void BM_AnalyzeSyntheticStatements(benchmark::State& state) {
  const AnalysisInput input = synthetic_input(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Findings f = analyze_workloads(input, nullptr, AnalyzerOptions{});
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AnalyzeSyntheticStatements)->Arg(5000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace perfgate

BENCHMARK_MAIN();
