#pragma once
// A bounded pool of libpq connections with a wait timeout: the "connection pool exhaustion" signal
// of seed 003 is a counted 503, never an unbounded queue.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "service_stats.h"

namespace perfgate::testbed_service {

class ConnectionPool;

/// A borrowed connection; returned to the pool on destruction. Move-only.
class Lease {
 public:
  Lease() = default;
  Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  explicit operator bool() const { return connection_ != nullptr; }
  pqxx::connection& operator*() { return *connection_; }
  pqxx::connection* operator->() { return connection_.get(); }

 private:
  void release();
  ConnectionPool* pool_ = nullptr;
  std::unique_ptr<pqxx::connection> connection_;
};

/// Up to `size` connections opened lazily; acquire() waits up to `timeout`. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(std::string dsn, int size, std::chrono::milliseconds timeout, ServiceStats& stats);

  /// A connection, or an empty Lease when none freed up within the timeout (counted) or the
  /// database refused a new connection (counted as a connect error).
  Lease acquire();

  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] int in_use() const;

 private:
  friend class Lease;
  void give_back(std::unique_ptr<pqxx::connection> connection);
  std::unique_ptr<pqxx::connection> open();

  std::string dsn_;
  int size_;
  std::chrono::milliseconds timeout_;
  ServiceStats& stats_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_count_ = 0;
  int in_use_ = 0;
};

}  // namespace perfgate::testbed_service
