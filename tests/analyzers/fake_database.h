#pragma once
// In-memory stand-ins for the analyzer's database interfaces.

#include <functional>
#include <string>
#include <vector>

#include "analyzers/database.h"

namespace perfgate::testing {

/// Costs come from a function of (query, indexes); records every call.
class FakePlanProvider : public PlanProvider {
 public:
  using CostFn = std::function<Result<double>(const std::string&, const std::vector<HypotheticalIndex>&)>;
  explicit FakePlanProvider(CostFn fn, bool hypothetical = true) : fn_(std::move(fn)), hypothetical_(hypothetical) {}
  [[nodiscard]] bool supports_hypothetical_indexes() const override { return hypothetical_; }
  Result<double> cost(const std::string& query, int, const std::vector<HypotheticalIndex>& indexes) override {
    calls.push_back(indexes);
    return fn_(query, indexes);
  }
  std::vector<std::vector<HypotheticalIndex>> calls;

 private:
  CostFn fn_;
  bool hypothetical_;
};

inline StatementStats stmt(std::string id, std::string query, int64_t calls, int64_t rows, double total_ms = 1) {
  StatementStats s;
  s.query_id = std::move(id);
  s.query = std::move(query);
  s.calls = calls;
  s.rows = rows;
  s.total_exec_time_ms = total_ms;
  s.mean_exec_time_ms = calls > 0 ? total_ms / static_cast<double>(calls) : 0;
  return s;
}

inline IndexInfo index_on(std::string name, std::string table, std::vector<std::string> columns) {
  IndexInfo i;
  i.name = std::move(name);
  i.table = std::move(table);
  i.columns = std::move(columns);
  i.scans = 1;
  return i;
}

inline IndexInfo primary_key(std::string name, std::string table, std::vector<std::string> columns) {
  IndexInfo i = index_on(std::move(name), std::move(table), std::move(columns));
  i.unique = true;
  i.primary = true;
  return i;
}

inline bool has_index(const std::vector<HypotheticalIndex>& set, const std::string& table,
                      const std::vector<std::string>& columns) {
  for (const auto& i : set) {
    if (i.table == table && i.columns == columns) return true;
  }
  return false;
}

}  // namespace perfgate::testing
