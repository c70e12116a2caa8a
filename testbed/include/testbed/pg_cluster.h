#pragma once
// A throw-away PostgreSQL 15 cluster for tests, the demo and `perfgate demo`: initdb in a temp dir
// (as the `postgres` user when running as root, since the server refuses root), pg_stat_statements
// preloaded with track = all, hypopg available, a free loopback port, trust auth on loopback only.
// Stopped by PID and its directory removed on destruction, on stop(), and on SIGINT/SIGTERM
// (install_child_cleanup_on_signals, core/child_processes.h). Nothing is left running or on disk.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace perfgate {

struct PgClusterOptions {
  std::string bin_dir = "/usr/lib/postgresql/15/bin";  ///< where initdb, postgres, pg_ctl and psql live
  int max_connections = 100;
  std::map<std::string, std::string> settings;  ///< extra postgresql.conf lines (name -> value)
  std::string database = "perfgate";            ///< created with the extensions below
  bool create_extensions = true;                ///< pg_stat_statements and hypopg in `database`
};

/// A running throw-away cluster. Not copyable; destruction stops it. Thread-compatible.
class PgCluster {
 public:
  /// initdb + start + wait for readiness (up to 60 s) + create `options.database` and extensions.
  /// Errors: kUnavailable when PostgreSQL binaries are missing (with the package to install), when a
  /// free port cannot be found, or when the server does not become ready (its log tail is included).
  static Result<std::unique_ptr<PgCluster>> start(const PgClusterOptions& options = {});

  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  /// libpq keyword/value DSN for `database` (default: the options' database), user postgres, no password.
  [[nodiscard]] std::string dsn(std::string_view database = {}) const;
  /// postgresql:// URI for the same.
  [[nodiscard]] std::string uri(std::string_view database = {}) const;
  [[nodiscard]] int port() const { return port_; }
  /// PID of the postmaster.
  [[nodiscard]] long pid() const { return pid_; }
  [[nodiscard]] const std::string& data_dir() const { return data_dir_; }
  /// The temp directory holding data/, the server log and the Unix socket; removed by stop().
  [[nodiscard]] const std::string& root_dir() const { return root_dir_; }
  /// The server's log file (stdout and stderr of the postmaster).
  [[nodiscard]] std::string log_path() const { return root_dir_ + "/postgres.log"; }

  /// Runs SQL with psql (ON_ERROR_STOP) and returns its unaligned, tuples-only output.
  /// Errors are kInternal with psql's message.
  Result<std::string> psql(const std::string& sql, std::string_view database = {}) const;

  /// Stops the server (SIGINT "fast" shutdown, then SIGKILL after 10 s) and removes the directory.
  /// Idempotent; after it pid() is 0.
  void stop();

 private:
  PgCluster() = default;
  Status wait_until_ready(std::chrono::milliseconds timeout);
  void stop_server();

  std::string root_dir_;  // temp dir holding data/ and the log
  std::string data_dir_;
  std::string bin_dir_;
  std::string database_;
  int port_ = 0;
  long pid_ = 0;
  int registry_slot_ = -1;  // in the SIGINT/SIGTERM cleanup table
  int dir_slot_ = -1;       // root_dir_ in that table, from its creation on
};

}  // namespace perfgate
