#include "analyzers/postgres_source.h"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "analyzers/query_analyzer.h"
#include "analyzers/query_shape.h"
#include "core/redact.h"

namespace perfgate {
namespace {

// Every statement perfgate sends starts with this, and snapshots leave such entries out.
constexpr const char* kMarker = "/* perfgate */ ";

std::vector<std::string> split_names(const std::string& joined) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = joined.find('\x1f', start);
    out.push_back(joined.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

constexpr const char* kSnapshotSql = R"(SELECT queryid::text, min(query), sum(calls)::bigint, sum(total_exec_time),
  sum(rows)::bigint, sum(shared_blks_hit)::bigint, sum(shared_blks_read)::bigint, sum(shared_blks_dirtied)::bigint,
  sum(shared_blks_written)::bigint
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND toplevel AND queryid IS NOT NULL AND query NOT LIKE '%/* perfgate */%'
GROUP BY queryid)";

constexpr const char* kTablesSql = R"(SELECT c.relname,
  CASE WHEN c.reltuples < 0 THEN coalesce(st.n_live_tup, 0) ELSE c.reltuples END, c.relpages,
  coalesce(st.n_tup_ins + st.n_tup_upd + st.n_tup_del, 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables st ON st.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%')";

constexpr const char* kColumnsSql = R"(SELECT c.relname, a.attname, coalesce(s.n_distinct, 0)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = a.attname
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')";

constexpr const char* kIndexesSql = R"(SELECT i.relname, t.relname, ix.indisunique, ix.indisprimary, ix.indisvalid,
  ix.indpred IS NOT NULL, coalesce(s.idx_scan, 0), pg_get_indexdef(ix.indexrelid),
  array_to_string(ARRAY(SELECT coalesce(a.attname, '') FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord), chr(31), '')
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = ix.indexrelid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')";

constexpr const char* kViewsSql = R"(SELECT c.relname, pg_get_viewdef(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema'))";

constexpr const char* kForeignKeysSql = R"(SELECT cl.relname, rf.relname,
  array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY o), chr(31)),
  array_to_string(ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY o), chr(31))
FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid JOIN pg_class rf ON rf.oid = c.confrelid
WHERE c.contype = 'f')";

}  // namespace

struct PostgresSource::State {
  std::unique_ptr<pqxx::connection> conn;
  std::string dsn_redacted;
  PostgresSourceOptions options;
  bool hypopg = false;

  pqxx::result exec(const std::string& sql) {
    pqxx::nontransaction tx(*conn);
    return tx.exec(kMarker + sql);
  }

  Error failure(const std::string& what, const std::exception& e) const {
    const bool lost = dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr;
    return Error{lost ? ErrorCode::kUnavailable : ErrorCode::kInternal,
                 redact_dsn(what + " on " + dsn_redacted + ": " + e.what())};
  }
};

std::string with_application_name(const std::string& dsn) {
  if (dsn.starts_with("postgres://") || dsn.starts_with("postgresql://")) {
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "application_name=perfgate";
  }
  return dsn + (dsn.empty() ? "" : " ") + "application_name=perfgate";
}

PostgresSource::PostgresSource(std::unique_ptr<State> state) : state_(std::move(state)) {}
PostgresSource::~PostgresSource() = default;

Result<std::unique_ptr<PostgresSource>> PostgresSource::connect(const std::string& dsn,
                                                                const PostgresSourceOptions& options) {
  auto state = std::make_unique<State>();
  state->dsn_redacted = redact_dsn(dsn);
  state->options = options;
  try {
    state->conn = std::make_unique<pqxx::connection>(with_application_name(dsn));
    state->exec("SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
    state->exec("SET lock_timeout = " + std::to_string(options.lock_timeout.count()));
    state->hypopg = !state->exec("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").empty();
  } catch (const std::exception& e) {
    return unavailable(redact_dsn("cannot connect to " + state->dsn_redacted + ": " + e.what()));
  }
  return std::unique_ptr<PostgresSource>(new PostgresSource(std::move(state)));
}

Result<StatsSnapshot> PostgresSource::snapshot() {
  StatsSnapshot snap;
  try {
    for (const auto& row : state_->exec(kSnapshotSql)) {
      StatementStats s;
      s.query_id = row[0].as<std::string>();
      s.query = row[1].as<std::string>();
      s.calls = row[2].as<int64_t>();
      s.total_exec_time_ms = row[3].as<double>();
      s.rows = row[4].as<int64_t>();
      s.shared_blks_hit = row[5].as<int64_t>();
      s.shared_blks_read = row[6].as<int64_t>();
      s.shared_blks_dirtied = row[7].as<int64_t>();
      s.shared_blks_written = row[8].as<int64_t>();
      s.mean_exec_time_ms = s.calls > 0 ? s.total_exec_time_ms / static_cast<double>(s.calls) : 0;
      snap.statements.push_back(std::move(s));
    }
    const auto info = state_->exec("SELECT dealloc, coalesce(stats_reset::text, '') FROM pg_stat_statements_info");
    if (!info.empty()) {
      snap.dealloc = info[0][0].as<int64_t>();
      snap.stats_reset = info[0][1].as<std::string>();
    }
  } catch (const pqxx::sql_error& e) {
    return unavailable(redact_dsn("cannot read pg_stat_statements on " + state_->dsn_redacted + ": " + e.what() +
                                  "; add pg_stat_statements to shared_preload_libraries and CREATE EXTENSION "
                                  "pg_stat_statements in this database"));
  } catch (const std::exception& e) {
    return state_->failure("cannot snapshot pg_stat_statements", e);
  }
  return snap;
}

Result<Schema> PostgresSource::schema() {
  Schema schema;
  try {
    for (const auto& row : state_->exec(kTablesSql)) {
      schema.tables.push_back(
          TableInfo{row[0].as<std::string>(), row[1].as<double>(), row[2].as<int64_t>(), {}, row[3].as<int64_t>()});
    }
    for (const auto& row : state_->exec(kViewsSql)) {
      auto shape = parse_query_shape(row[1].as<std::string>());
      if (shape && shape->tables.size() == 1)
        schema.views.push_back(ViewInfo{row[0].as<std::string>(), shape->tables.front()});
    }
    for (const auto& row : state_->exec(kColumnsSql)) {
      const std::string table = row[0].as<std::string>();
      for (auto& t : schema.tables) {
        if (t.name == table) t.columns.push_back(ColumnInfo{row[1].as<std::string>(), row[2].as<double>()});
      }
    }
    for (const auto& row : state_->exec(kIndexesSql)) {
      IndexInfo i;
      i.name = row[0].as<std::string>();
      i.table = row[1].as<std::string>();
      i.unique = row[2].as<bool>();
      i.primary = row[3].as<bool>();
      i.valid = row[4].as<bool>();
      i.partial = row[5].as<bool>();
      i.scans = row[6].as<int64_t>();
      i.definition = row[7].as<std::string>();
      i.columns = split_names(row[8].as<std::string>());
      schema.indexes.push_back(std::move(i));
    }
    for (const auto& row : state_->exec(kForeignKeysSql)) {
      schema.foreign_keys.push_back(ForeignKey{row[0].as<std::string>(), split_names(row[2].as<std::string>()),
                                               row[1].as<std::string>(), split_names(row[3].as<std::string>())});
    }
  } catch (const std::exception& e) {
    return state_->failure("cannot read the schema", e);
  }
  return schema;
}

bool PostgresSource::supports_hypothetical_indexes() const { return state_->hypopg; }

Result<double> PostgresSource::cost(const std::string& query, int param_count,
                                    const std::vector<HypotheticalIndex>& indexes) {
  // Only one plain statement may reach PREPARE: a second statement after ';' would run for real.
  auto shape = parse_query_shape(query);
  if (!shape) return invalid_input("cannot cost: " + shape.error().message);
  if (shape->statement_count != 1 || (shape->kind != StatementKind::kSelect && shape->kind != StatementKind::kUpdate &&
                                      shape->kind != StatementKind::kDelete)) {
    return invalid_input("cannot cost: only single SELECT, UPDATE or DELETE statements are planned");
  }
  std::string args;
  for (int i = 0; i < param_count; ++i) args += i == 0 ? "NULL" : ", NULL";
  Result<double> out = internal_error("cannot cost: no plan");
  try {
    pqxx::nontransaction tx(*state_->conn);
    auto run = [&](const std::string& sql) { return tx.exec(kMarker + sql); };
    try {
      run("BEGIN READ ONLY");
      run("SET LOCAL statement_timeout = " + std::to_string(state_->options.statement_timeout.count()));
      run("SET LOCAL lock_timeout = " + std::to_string(state_->options.lock_timeout.count()));
      run("SET LOCAL plan_cache_mode = force_generic_plan");
      for (const auto& idx : indexes) {
        run("SELECT * FROM hypopg_create_index(" + tx.quote("CREATE INDEX " + index_target_sql(idx)) + ")");
      }
      run("PREPARE perfgate_cost AS " + query);
      const auto plan = run("EXPLAIN (FORMAT JSON) EXECUTE perfgate_cost" + (args.empty() ? "" : "(" + args + ")"));
      const auto j = nlohmann::json::parse(plan[0][0].as<std::string>());
      out = j.at(0).at("Plan").at("Total Cost").get<double>();
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      std::string reason = e.what();
      while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
      out = invalid_input("cannot cost: " + reason);
    } catch (const nlohmann::json::exception& e) {
      out = internal_error(std::string("cannot cost: unreadable EXPLAIN output: ") + e.what());
    }
    // Prepared statements and hypothetical indexes live in the session, not the transaction.
    run("ROLLBACK");
    run("DEALLOCATE ALL");
    if (state_->hypopg) run("SELECT hypopg_reset()");
  } catch (const std::exception& e) {
    return state_->failure("cannot cost a statement", e);
  }
  return out;
}

}  // namespace perfgate
