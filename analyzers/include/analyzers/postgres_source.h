#pragma once
// The analyzer's database interfaces over a live PostgreSQL (libpq). Read-only by construction:
// snapshots and catalog reads are plain SELECTs; costing runs in a READ ONLY transaction that is
// always rolled back, with statement_timeout and lock_timeout set, hypothetical indexes only
// (hypopg, backend-local) and reset afterwards. Never EXPLAIN ANALYZE, never DML.

#include <chrono>
#include <memory>
#include <string>

#include "analyzers/database.h"

namespace perfgate {

struct PostgresSourceOptions {
  std::chrono::milliseconds statement_timeout{5000};  ///< per statement perfgate runs
  std::chrono::milliseconds lock_timeout{1000};
};

/// One connection with application_name=perfgate. Every statement it sends carries the comment
/// /* perfgate */ and snapshots exclude such entries, so its own work never shows up in a delta.
/// Not thread-safe: one thread at a time.
class PostgresSource final : public StatsSource, public PlanProvider {
 public:
  /// Connects. Errors: kUnavailable "cannot connect to DSN (password redacted): REASON".
  static Result<std::unique_ptr<PostgresSource>> connect(const std::string& dsn,
                                                         const PostgresSourceOptions& options = {});
  ~PostgresSource() override;

  Result<StatsSnapshot> snapshot() override;
  Result<Schema> schema() override;
  [[nodiscard]] bool supports_hypothetical_indexes() const override;
  /// Only single SELECT/UPDATE/DELETE statements are costed (others: kInvalidInput "cannot cost").
  Result<double> cost(const std::string& query, int param_count,
                      const std::vector<HypotheticalIndex>& indexes) override;

 private:
  struct State;
  explicit PostgresSource(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

/// `dsn` with application_name=perfgate added (keyword or URI form).
std::string with_application_name(const std::string& dsn);

}  // namespace perfgate
