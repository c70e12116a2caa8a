#pragma once
// Shared between the detectors: statements grouped across PostgreSQL's split variants.

#include <string>
#include <vector>

#include "analyzers/query_analyzer.h"
#include "analyzers/query_shape.h"

namespace perfgate::analysis {

/// Variants of one statement (same fingerprint and lookup shape) summed together.
struct StatementGroup {
  std::string key;
  std::vector<std::string> query_ids;
  std::vector<std::string> queries;  ///< every variant's text, first = most called
  StatementStats total;              ///< summed; total.query is the representative text
  QueryShape shape;
  bool parsed = false;

  [[nodiscard]] double per_request(double value, double requests) const {
    return requests > 0 ? value / requests : value;
  }
  [[nodiscard]] double rows_per_call() const {
    return total.calls > 0 ? static_cast<double>(total.rows) / static_cast<double>(total.calls) : 0;
  }
};

/// Groups a delta's statements, dropping those under the options' min_calls / min_total_ms.
std::vector<StatementGroup> group_statements(const StatsDelta& delta, const AnalyzerOptions& options);

/// The table a column belongs to: its own qualifier, else the one table of the statement holding
/// such a column in `schema`, else "".
std::string resolve_table(const ColumnName& column, const QueryShape& shape, const Schema& schema);

/// One candidate: the indexes a statement would need together (one per table it filters).
using IndexSet = std::vector<HypotheticalIndex>;

/// Candidate index sets for one statement, most specific first; the planner's costs, not this
/// order, choose among them (column order included). index_candidates.cpp.
std::vector<IndexSet> index_candidate_sets(const StatementGroup& g, const Schema& schema,
                                           const AnalyzerOptions& options);

/// An existing index that serves what `index` would (same leading columns, expression or partial
/// predicate), or nullptr.
const IndexInfo* covering_index(const HypotheticalIndex& index, const Schema& schema);

/// `table`, or the table a single-table view of that name reads.
std::string base_table(const std::string& table, const Schema& schema);

/// resolve_table seen through single-table views; "" when the column's table is unknown.
std::string base_table_of(const ColumnName& column, const QueryShape& shape, const Schema& schema);

/// SQL text without spaces, parentheses, quotes or case, so "lower(email)" matches
/// "USING btree (lower(email))".
std::string squeeze_sql(const std::string& text);

/// `name` as an SQL identifier, double-quoted unless plain lowercase.
std::string quote_identifier(const std::string& name);
std::string reindex_statement(const std::string& index_name);

void detect_n_plus_one(const Workload& workload, const std::vector<StatementGroup>& groups, const Schema& schema,
                       const AnalyzerOptions& options, Findings& out);

void advise_indexes(const std::vector<StatementGroup>& groups, const Schema& schema, PlanProvider* plans,
                    const AnalyzerOptions& options, Findings& out);

void check_index_hygiene(const Schema& schema, Findings& out);

}  // namespace perfgate::analysis
