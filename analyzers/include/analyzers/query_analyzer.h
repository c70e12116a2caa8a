#pragma once
// The query analyzer: N+1 round trips, missing indexes (proved with hypothetical indexes), slow
// statements and index hygiene, from pg_stat_statements deltas (docs/analyzer.md).

#include <optional>
#include <string>
#include <vector>

#include "analyzers/database.h"
#include "analyzers/query_stats.h"
#include "core/findings.h"

namespace perfgate {

/// Thresholds. Defaults consider every statement that ran at least once.
struct AnalyzerOptions {
  int n_plus_one_min_calls = 5;          ///< calls per request for a repeated lookup to count (K)
  double lookup_max_rows_per_call = 10;  ///< "few rows per call" for a key lookup
  int64_t min_calls = 0;                 ///< ignore statements with fewer calls (0: off)
  double min_total_ms = 0;               ///< ignore statements with less total time (0: off)
  double slow_mean_ms = 500;             ///< slow-query budget on mean execution time
  double index_min_cost = 100;           ///< plans cheaper than this get no index suggestion
  double index_min_saving = 0.5;         ///< fraction of cost an index must remove (0.5 = 50%)
  double tiny_table_rows = 1000;         ///< heuristics only: tables smaller than this get none
  double low_cardinality_distinct = 10;  ///< heuristics only: columns with fewer distinct values get none
  int max_index_columns = 3;
};

/// What one endpoint (or a whole run) did to the database.
struct Workload {
  std::string endpoint;  ///< "" when unknown (aggregate, run delta)
  double requests = 0;   ///< requests made; 0 when unknown (per-request = totals)
  StatsDelta delta;      ///< baseline already subtracted
  /// The same endpoint at a larger scale (page size multiplied by `scale_factor`), when probed.
  std::optional<StatsDelta> scaled_delta;
  double scaled_requests = 0;
  double scale_factor = 2;
};

/// Inputs for one analysis.
struct AnalysisInput {
  std::string database;  ///< DSN, redacted before it is stored
  std::string source;    ///< "probe", "run-delta", "aggregate"
  std::vector<Workload> workloads;
  Schema schema;
};

/// Runs every detector. `plans` may be nullptr (no costing: heuristics, said so in notes).
/// Never changes the database. Pure apart from PlanProvider calls.
Findings analyze_workloads(const AnalysisInput& input, PlanProvider* plans, const AnalyzerOptions& options);

/// One line per finding plus notes, for people.
std::string findings_summary(const Findings& findings);

}  // namespace perfgate
