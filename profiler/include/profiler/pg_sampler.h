#pragma once
// PostgreSQL activity sampling: connections by state from pg_stat_activity and per-interval deltas of
// pg_stat_database for the DSN's database. The sampler's own connection is named
// application_name = 'perfgate' and excluded from every count.

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// One connection to PostgreSQL that takes samples. Not thread-safe: one thread at a time.
class PgSampler {
 public:
  /// Connects with a libpq DSN (keyword/value or postgresql:// URI) and reads the baseline counters.
  /// Errors: kUnavailable naming the DSN's host/port (never its password) and the server's message.
  static Result<std::unique_ptr<PgSampler>> connect(const std::string& dsn);

  ~PgSampler();
  PgSampler(const PgSampler&) = delete;
  PgSampler& operator=(const PgSampler&) = delete;

  /// One sample stamped `t_ms`: client backends by state across the cluster (active, idle, idle in
  /// transaction incl. aborted, waiting = wait_event_type 'Lock', total) and max_connections, plus
  /// the pg_stat_database counters of the current database as deltas since the previous sample (or
  /// since connect()). PostgreSQL publishes those counters with up to ~1 s delay.
  /// Errors: kUnavailable when the query fails (connection lost); the next call retries.
  Result<PgSample> sample(int64_t t_ms);

 private:
  struct Counters {
    int64_t xact_commit = 0, xact_rollback = 0, blks_read = 0, blks_hit = 0, temp_bytes = 0, deadlocks = 0;
  };
  struct Connection;
  PgSampler();
  Result<Counters> read_counters();

  std::unique_ptr<Connection> conn_;
  Counters last_;
};

}  // namespace perfgate
