// The PostgreSQL store: one table shared by CI runners, created on first append.
#include <pqxx/pqxx>

#include "core/clock.h"
#include "core/redact.h"
#include "history/store.h"
#include "summary_json.h"

namespace perfgate {
namespace {

using history_detail::summary_from_json;
using history_detail::summary_json;

// Two runners appending first at the same moment would both run CREATE ... IF NOT EXISTS, which
// PostgreSQL does not serialise (a unique violation on pg_type); an advisory lock does.
constexpr const char* kCreateSchema =
    "SELECT pg_advisory_xact_lock(7157301);"
    "CREATE SCHEMA IF NOT EXISTS perfgate_history;"
    "CREATE TABLE IF NOT EXISTS perfgate_history.runs ("
    "  id bigserial PRIMARY KEY,"
    "  recorded_at timestamptz NOT NULL DEFAULT now(),"
    "  scenario_hash text NOT NULL,"
    "  branch text NOT NULL,"
    "  commit_sha text NOT NULL,"
    "  status text NOT NULL,"
    "  summary jsonb NOT NULL,"
    "  result text NOT NULL);"
    "CREATE INDEX IF NOT EXISTS runs_branch_id ON perfgate_history.runs (branch, id);";

class PostgresStore final : public HistoryStore {
 public:
  PostgresStore(std::unique_ptr<pqxx::connection> conn, std::string name)
      : conn_(std::move(conn)), name_(std::move(name)) {}

  Result<int64_t> append(HistoryEntry entry) override {
    try {
      {
        pqxx::work create(*conn_);
        create.exec(kCreateSchema);
        create.commit();
      }
      entry.summary.recorded_at = iso8601_utc_now();
      pqxx::work tx(*conn_);
      const pqxx::result id = tx.exec_params(
          "INSERT INTO perfgate_history.runs (scenario_hash, branch, commit_sha, status, summary, result) "
          "VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING id",
          entry.summary.scenario_hash, entry.summary.branch, entry.summary.commit, entry.summary.status,
          summary_json(entry.summary).dump(), entry.result_json);
      const auto new_id = id[0][0].as<int64_t>();
      tx.commit();
      return new_id;
    } catch (const pqxx::broken_connection& e) {
      return unavailable(name_ + ": connection lost: " + e.what());
    } catch (const std::exception& e) {
      return io_error(name_ + ": cannot append to perfgate_history.runs: " + e.what());
    }
  }

  Result<std::vector<HistoryEntry>> list(const std::string& branch, WithResults with_results) override {
    std::vector<HistoryEntry> out;
    try {
      pqxx::work tx(*conn_);
      if (tx.exec("SELECT to_regclass('perfgate_history.runs') IS NULL")[0][0].as<bool>()) return out;
      const std::string columns =
          with_results == WithResults::kYes ? "id, summary::text, result" : "id, summary::text, ''";
      const pqxx::result rows =
          branch.empty()
              ? tx.exec("SELECT " + columns + " FROM perfgate_history.runs ORDER BY id")
              : tx.exec_params("SELECT " + columns + " FROM perfgate_history.runs WHERE branch = $1 ORDER BY id",
                               branch);
      for (const auto& row : rows) {
        const auto id = row[0].as<int64_t>();
        const std::string where = name_ + ": perfgate_history.runs row id=" + std::to_string(id);
        nlohmann::json j;
        try {
          j = nlohmann::json::parse(row[1].as<std::string>());
        } catch (const nlohmann::json::exception& e) {
          return invalid_input(where + ": summary: not valid JSON (" + e.what() + "); delete or repair the row");
        }
        auto summary = summary_from_json(j, where);
        if (!summary) return summary.error();
        summary->id = id;
        out.push_back({std::move(*summary), row[2].as<std::string>()});
      }
    } catch (const pqxx::broken_connection& e) {
      return unavailable(name_ + ": connection lost: " + e.what());
    } catch (const std::exception& e) {
      return io_error(name_ + ": cannot read perfgate_history.runs: " + e.what());
    }
    return out;
  }

  [[nodiscard]] std::string describe() const override { return name_; }

 private:
  std::unique_ptr<pqxx::connection> conn_;
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<HistoryStore>> open_postgres_store(const std::string& uri) {
  const std::string name = redact_dsn(uri);
  try {
    auto conn = std::make_unique<pqxx::connection>(uri);
    return std::unique_ptr<HistoryStore>(std::make_unique<PostgresStore>(std::move(conn), name));
  } catch (const std::exception& e) {
    return unavailable(name + ": cannot connect to the history database: " + e.what());
  }
}

}  // namespace perfgate
