#include "connection_pool.h"

#include <nlohmann/json.hpp>

namespace perfgate::testbed_service {

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
  }
  return *this;
}

Lease::~Lease() { release(); }

void Lease::release() {
  if (pool_ != nullptr && connection_ != nullptr) pool_->give_back(std::move(connection_));
  connection_.reset();
}

ConnectionPool::ConnectionPool(std::string dsn, int size, std::chrono::milliseconds timeout, ServiceStats& stats)
    : dsn_(std::move(dsn)), size_(size), timeout_(timeout), stats_(stats) {}

int ConnectionPool::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

std::unique_ptr<pqxx::connection> ConnectionPool::open() {
  try {
    return std::make_unique<pqxx::connection>(dsn_);
  } catch (const std::exception&) {
    stats_.pool_connect_errors++;
    return nullptr;
  }
}

Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const bool got = freed_.wait_for(lock, timeout_, [this] { return !idle_.empty() || open_count_ < size_; });
  if (!got) {
    stats_.pool_exhausted++;
    return {};
  }
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    stats_.pool_acquired++;
    return Lease(this, std::move(connection));
  }
  // Connect outside the lock so a slow handshake does not stall every other borrower.
  ++open_count_;
  ++in_use_;
  lock.unlock();
  auto connection = open();
  if (connection == nullptr) {
    lock.lock();
    --open_count_;
    --in_use_;
    freed_.notify_one();
    return {};
  }
  stats_.pool_acquired++;
  return Lease(this, std::move(connection));
}

void ConnectionPool::give_back(std::unique_ptr<pqxx::connection> connection) {
  std::lock_guard lock(mutex_);
  --in_use_;
  if (connection->is_open()) {
    idle_.push_back(std::move(connection));
  } else {
    --open_count_;
  }
  freed_.notify_one();
}

std::string ServiceStats::to_json() const {
  nlohmann::json out = {
      {"requests", requests.load()},
      {"pool_acquired", pool_acquired.load()},
      {"pool_exhausted", pool_exhausted.load()},
      {"pool_connect_errors", pool_connect_errors.load()},
      {"db_errors", db_errors.load()},
      {"exports_in_memory", exports_in_memory.load()},
      {"exports_streamed", exports_streamed.load()},
      {"streams_started", streams_started.load()},
      {"streams_completed", streams_completed.load()},
      {"streams_cancelled", streams_cancelled.load()},
      {"stream_rows_generated", stream_rows_generated.load()},
      {"async_requests", async_requests.load()},
      {"async_cache_hits", async_cache_hits.load()},
      {"async_cache_misses", async_cache_misses.load()},
      {"async_generations", async_generations.load()},
      {"async_duplicates", async_duplicates.load()},
      {"async_failures", async_failures.load()},
  };
  return out.dump();
}

}  // namespace perfgate::testbed_service
