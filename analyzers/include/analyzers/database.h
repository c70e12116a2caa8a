#pragma once
// The analyzer's view of a database, behind interfaces so the analysis is testable without one.
// analyzers/postgres_source.h implements them with libpq; tests use in-memory fakes.

#include <cstdint>
#include <string>
#include <vector>

#include "analyzers/query_stats.h"
#include "core/result.h"

namespace perfgate {

/// A column with its planner statistics.
struct ColumnInfo {
  std::string name;
  /// pg_stats.n_distinct: > 0 distinct values, < 0 minus the fraction of rows that are distinct,
  /// 0 unknown (never analysed).
  double n_distinct = 0;
};

struct TableInfo {
  std::string name;          ///< unqualified relation name
  double rows_estimate = 0;  ///< pg_class.reltuples (clamped at 0)
  int64_t pages = 0;         ///< pg_class.relpages
  std::vector<ColumnInfo> columns;
  int64_t row_writes = 0;  ///< n_tup_ins + n_tup_upd + n_tup_del since the statistics reset
};

/// A view reading exactly one table: statements through it get index advice on that table.
struct ViewInfo {
  std::string name;
  std::string base_table;
};

struct IndexInfo {
  std::string name;
  std::string table;
  std::vector<std::string> columns;  ///< key columns in order; "" for an expression
  bool unique = false;
  bool primary = false;
  bool valid = true;       ///< pg_index.indisvalid
  bool partial = false;    ///< has a WHERE clause
  int64_t scans = 0;       ///< pg_stat_user_indexes.idx_scan
  std::string definition;  ///< pg_get_indexdef
};

struct ForeignKey {
  std::string table;
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
};

/// User tables, indexes and foreign keys of the connected database.
struct Schema {
  std::vector<TableInfo> tables;
  std::vector<IndexInfo> indexes;
  std::vector<ForeignKey> foreign_keys;
  std::vector<ViewInfo> views;

  /// The table called `name`, or nullptr.
  [[nodiscard]] const TableInfo* table(const std::string& name) const;
  /// The column's n_distinct (0 when unknown).
  [[nodiscard]] double n_distinct(const std::string& table, const std::string& column) const;
};

/// Reads statistics and the schema. Implementations are not required to be thread-safe.
class StatsSource {
 public:
  virtual ~StatsSource() = default;
  /// pg_stat_statements + pg_stat_statements_info now, excluding perfgate's own statements.
  /// Errors: kUnavailable (connection lost, extension missing, with the fix).
  virtual Result<StatsSnapshot> snapshot() = 0;
  virtual Result<Schema> schema() = 0;
};

/// A hypothetical index for costing.
struct HypotheticalIndex {
  std::string table;
  std::vector<std::string> columns;  ///< key columns in order (for an expression: the column it reads)
  std::string expression{};          ///< an expression index's expression ("lower(email)"); "" for columns
  std::string where{};               ///< a partial index's predicate ("deleted_at IS NULL"); "" for all rows
  std::string method{};              ///< access method; "" is btree
  friend bool operator==(const HypotheticalIndex&, const HypotheticalIndex&) = default;
};

/// "ON table USING method (keys) WHERE predicate", the part of CREATE INDEX after the index name.
std::string index_target_sql(const HypotheticalIndex& index);

/// Plans statements without running them.
class PlanProvider {
 public:
  virtual ~PlanProvider() = default;
  /// Whether hypothetical indexes can be created (hypopg installed).
  [[nodiscard]] virtual bool supports_hypothetical_indexes() const = 0;
  /// Estimated total cost of the generic plan of `query` ($n parameters bound to NULL) with the
  /// given hypothetical indexes present. Errors: kInvalidInput "cannot cost: REASON" when the
  /// statement cannot be prepared or planned; kUnavailable when the connection is lost.
  virtual Result<double> cost(const std::string& query, int param_count,
                              const std::vector<HypotheticalIndex>& indexes) = 0;
};

}  // namespace perfgate
