#pragma once
// What a statement does, read from its libpg_query parse tree: tables, predicates, joins, ordering.
// Used to group PostgreSQL's split variants and to find N+1 lookups and index candidates.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace perfgate {

enum class StatementKind { kSelect, kInsert, kUpdate, kDelete, kOther };

/// A column as written, with its table resolved through aliases ("" when unqualified in a
/// multi-table statement; the analyzer resolves it against the schema).
struct ColumnName {
  std::string table;
  std::string column;
  friend bool operator==(const ColumnName&, const ColumnName&) = default;
};

enum class PredicateOp {
  kEquality,  ///< col = $1 / constant
  kRange,     ///< <, <=, >, >=, BETWEEN, LIKE 'prefix%'
  kInList,    ///< col IN (...), col = ANY(...): a batched lookup
  kIsNull,
};

/// One column condition in WHERE or JOIN ... ON against a parameter or constant.
struct Predicate {
  ColumnName column;
  PredicateOp op = PredicateOp::kEquality;
  int or_group = -1;   ///< index of the enclosing OR (-1: plain AND conjunct)
  int or_branch = -1;  ///< which branch of that OR
};

/// A join condition a.x = b.y.
struct JoinCondition {
  ColumnName left;
  ColumnName right;
};

/// The analysable shape of one statement.
struct QueryShape {
  StatementKind kind = StatementKind::kOther;
  std::string fingerprint;            ///< pg_query_fingerprint (equal for IN lists of any length)
  std::vector<std::string> tables;    ///< relations referenced, in order, deduplicated
  std::vector<Predicate> predicates;
  std::vector<JoinCondition> joins;
  std::vector<ColumnName> order_by;
  bool has_limit = false;
  bool batched = false;               ///< some predicate is an IN list or = ANY(...)
  int single_row_values = 0;          ///< INSERT ... VALUES: number of rows (1 = per-row insert)
  int param_count = 0;                ///< highest $n
  int statement_count = 0;            ///< statements in the text (the shape describes the first)
  /// Grouping key: fingerprint plus "single"/"batch", so an N+1 lookup (id = $1) never merges with
  /// its batched fix (id IN (...), id = ANY($1)) although PostgreSQL's fingerprints are equal.
  [[nodiscard]] std::string group_key() const { return fingerprint + (batched ? ":batch" : ":single"); }
};

/// Parses one SQL statement (pg_stat_statements text with $n). Errors: kInvalidInput with the
/// parser's message. Thread-safe (libpg_query keeps per-thread state).
Result<QueryShape> parse_query_shape(std::string_view sql);

}  // namespace perfgate
