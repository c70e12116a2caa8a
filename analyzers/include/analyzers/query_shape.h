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
  kIsNull,    ///< col IS NULL
  kContains,  ///< ILIKE, LIKE '%x%', regex match, @>, <@, &&, ?: needs GIN (trigram) indexes; `function` holds the
              ///< operator
};

/// What surrounds the column when the predicate's side is not the bare column.
enum class ExpressionKind {
  kNone,           ///< the bare column
  kFunction,       ///< f(col), col->>'k', ... without parameters: an expression index can serve it
  kCast,           ///< col::type: non-sargable; cast the parameter instead
  kDatePart,       ///< date(col), col::date, date_trunc(.., col), extract(.. from col): compare a range
  kArithmetic,     ///< col + 1, col * 2: move the arithmetic to the other side
  kParameterized,  ///< the expression holds a parameter: no index can hold it
};

/// One column condition in WHERE or JOIN ... ON against a parameter or constant.
struct Predicate {
  ColumnName column;
  PredicateOp op = PredicateOp::kEquality;
  int or_group = -1;   ///< index of the enclosing OR (-1: plain AND conjunct)
  int or_branch = -1;  ///< which branch of that OR
  ExpressionKind expression_kind = ExpressionKind::kNone;
  std::string expression{};  ///< the column's side as written ("lower(email)"), when not the bare column
  std::string function{};    ///< the function or cast type name ("lower", "date", "text"), lower case
  std::string constant{};    ///< the SQL literal compared against ("'failed'", "5"), "" for a parameter
};

/// A filter applied outside a MATERIALIZED CTE on one of its columns: the fence hides it from the
/// CTE's scan of its base table.
struct FencedFilter {
  std::string cte;
  std::string base_table;
  std::string column;
};

/// A join condition a.x = b.y.
struct JoinCondition {
  ColumnName left;
  ColumnName right;
};

/// The analysable shape of one statement.
struct QueryShape {
  StatementKind kind = StatementKind::kOther;
  std::string fingerprint;          ///< pg_query_fingerprint (equal for IN lists of any length)
  std::vector<std::string> tables;  ///< relations referenced, in order, deduplicated
  std::vector<Predicate> predicates;
  std::vector<JoinCondition> joins;
  std::vector<ColumnName> order_by;
  std::vector<ColumnName> group_by;
  std::vector<FencedFilter> fenced_filters;
  bool has_limit = false;
  bool has_offset = false;
  bool batched = false;       ///< some predicate is an IN list or = ANY(...)
  int single_row_values = 0;  ///< INSERT ... VALUES: number of rows (1 = per-row insert)
  int param_count = 0;        ///< highest $n
  int statement_count = 0;    ///< statements in the text (the shape describes the first)
  /// Grouping key: fingerprint plus "single"/"batch", so an N+1 lookup (id = $1) never merges with
  /// its batched fix (id IN (...), id = ANY($1)) although PostgreSQL's fingerprints are equal.
  [[nodiscard]] std::string group_key() const { return fingerprint + (batched ? ":batch" : ":single"); }
};

/// Parses one SQL statement (pg_stat_statements text with $n). Errors: kInvalidInput with the
/// parser's message. Thread-safe (libpg_query keeps per-thread state).
Result<QueryShape> parse_query_shape(std::string_view sql);

}  // namespace perfgate
