#pragma once
// What the query analyzer found (docs/analyzer.md). Produced by analyzers/query_analyzer.h,
// consumed by the gate (budgets such as "no N+1") and the reports; the model lives in core so that
// reports depend on core only.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// Kinds of finding; their JSON names are the snake_case forms ("n_plus_one", ...).
/// kQueryRewrite: the statement must change (a cast or function on the column, an optimisation fence),
/// since no index the planner can use would serve it as written.
enum class FindingKind {
  kNPlusOne,
  kMissingIndex,
  kSlowQuery,
  kDuplicateIndex,
  kUnusedIndex,
  kInvalidIndex,
  kQueryRewrite
};

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

/// How sure the analyzer is: kConfirmed (proved: hypopg costing, two-scale probe), kLikely, kPossible.
enum class Confidence { kPossible, kLikely, kConfirmed };

/// One finding with its evidence and the fix.
struct Finding {
  FindingKind kind = FindingKind::kSlowQuery;
  std::string endpoint;              ///< where known, "" otherwise
  std::string query;                 ///< normalised text of the main statement
  std::vector<std::string> queries;  ///< all statements covered (e.g. one index serving several)
  std::string query_id;              ///< pg_stat_statements queryid or fingerprint
  double calls_per_request = 0;
  double rows_per_call = 0;
  std::string table;
  std::vector<std::string> columns;
  std::string suggestion;                  ///< DDL or rewrite
  std::string summary;                     ///< one line for people
  std::map<std::string, double> evidence;  ///< "cost_before", "cost_after", "mean_ms", "calls", ...
  std::vector<std::string> notes;          ///< caveats ("cannot cost: ...", "hypopg absent: heuristic")
  Severity severity = Severity::kMedium;
  Confidence confidence = Confidence::kLikely;
};

/// The analyzer's whole output for one database and run.
struct Findings {
  int schema_version = 1;
  std::string database;       ///< DSN with the password removed
  std::string source;         ///< "probe", "run-delta", "aggregate"
  bool inconclusive = false;  ///< e.g. pg_stat_statements evicted entries between snapshots
  std::vector<std::string> notes;
  std::vector<Finding> findings;
  /// endpoint -> queries per request (all statements), where probing measured it
  std::map<std::string, double> queries_per_request;
};

const char* finding_kind_name(FindingKind kind);
const char* severity_name(Severity severity);
const char* confidence_name(Confidence confidence);

/// JSON I/O (atomic write). Reading errors are kInvalidInput naming file, line and field.
std::string findings_to_json(const Findings& findings);
Result<Findings> findings_from_json(const std::string& text, const std::string& source_name);
Result<Findings> read_findings(const std::string& path);
Status write_findings(const Findings& findings, const std::string& path);

}  // namespace perfgate
