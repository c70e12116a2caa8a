#include "profiler/pg_sampler.h"

#include <pqxx/pqxx>

#include "core/redact.h"

namespace perfgate {

struct PgSampler::Connection {
  explicit Connection(const std::string& dsn) : conn(dsn) {}
  pqxx::connection conn;
};

namespace {

// Client backends only (autovacuum, walwriter and friends are not connections of the application),
// and none of perfgate's own: the query analyzer's snapshot connection is open during a run too and
// would otherwise put one connection more than the service's pool on the timeline.
constexpr const char* kActivitySql =
    "SELECT count(*) FILTER (WHERE state = 'active') AS active,"
    " count(*) FILTER (WHERE state = 'idle') AS idle,"
    " count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS idle_in_transaction,"
    " count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting,"
    " count(*) AS total,"
    " current_setting('max_connections')::bigint AS max_connections"
    " FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
    " AND application_name IS DISTINCT FROM 'perfgate'";

constexpr const char* kDatabaseSql =
    "SELECT xact_commit, xact_rollback, blks_read, blks_hit, temp_bytes, deadlocks"
    " FROM pg_stat_database WHERE datname = current_database()";

}  // namespace

PgSampler::PgSampler() = default;
PgSampler::~PgSampler() = default;

Result<std::unique_ptr<PgSampler>> PgSampler::connect(const std::string& dsn) {
  std::unique_ptr<PgSampler> s(new PgSampler());
  try {
    s->conn_ = std::make_unique<Connection>(dsn);
    pqxx::nontransaction tx(s->conn_->conn);
    tx.exec("SET application_name = 'perfgate'");
  } catch (const std::exception& e) {
    return unavailable("postgres '" + redact_dsn(dsn) + "': cannot connect: " + e.what());
  }
  auto counters = s->read_counters();
  if (!counters) return counters.error().with_context("postgres '" + redact_dsn(dsn) + "'");
  s->last_ = *counters;
  return s;
}

Result<PgSampler::Counters> PgSampler::read_counters() {
  try {
    // nontransaction: each statement is its own transaction, so the statistics snapshot
    // (stats_fetch_consistency) is fresh on every call instead of frozen inside one transaction.
    pqxx::nontransaction tx(conn_->conn);
    const pqxx::result r = tx.exec(kDatabaseSql);
    Counters c;
    if (r.empty()) return c;
    const auto row = r[0];
    c.xact_commit = row[0].as<int64_t>(0);
    c.xact_rollback = row[1].as<int64_t>(0);
    c.blks_read = row[2].as<int64_t>(0);
    c.blks_hit = row[3].as<int64_t>(0);
    c.temp_bytes = row[4].as<int64_t>(0);
    c.deadlocks = row[5].as<int64_t>(0);
    return c;
  } catch (const std::exception& e) {
    return unavailable(std::string("pg_stat_database: ") + e.what());
  }
}

Result<PgSample> PgSampler::sample(int64_t t_ms) {
  PgSample s;
  s.t_ms = t_ms;
  Counters c;
  try {
    // One statement, so the sampler adds exactly one transaction per sample to xact_commit.
    pqxx::nontransaction tx(conn_->conn);
    const pqxx::result r = tx.exec(std::string("SELECT a.*, d.* FROM (") + kActivitySql + ") a LEFT JOIN (" +
                                   kDatabaseSql + ") d ON true");
    const auto row = r[0];
    s.active = row[0].as<int64_t>(0);
    s.idle = row[1].as<int64_t>(0);
    s.idle_in_transaction = row[2].as<int64_t>(0);
    s.waiting = row[3].as<int64_t>(0);
    s.total = row[4].as<int64_t>(0);
    s.max_connections = row[5].as<int64_t>(0);
    c.xact_commit = row[6].as<int64_t>(last_.xact_commit);
    c.xact_rollback = row[7].as<int64_t>(last_.xact_rollback);
    c.blks_read = row[8].as<int64_t>(last_.blks_read);
    c.blks_hit = row[9].as<int64_t>(last_.blks_hit);
    c.temp_bytes = row[10].as<int64_t>(last_.temp_bytes);
    c.deadlocks = row[11].as<int64_t>(last_.deadlocks);
  } catch (const std::exception& e) {
    return unavailable(std::string("sampling pg_stat_activity/pg_stat_database: ") + e.what());
  }
  s.xact_commit = c.xact_commit - last_.xact_commit;
  s.xact_rollback = c.xact_rollback - last_.xact_rollback;
  s.blks_read = c.blks_read - last_.blks_read;
  s.blks_hit = c.blks_hit - last_.blks_hit;
  s.temp_bytes = c.temp_bytes - last_.temp_bytes;
  s.deadlocks = c.deadlocks - last_.deadlocks;
  last_ = c;
  return s;
}

}  // namespace perfgate
