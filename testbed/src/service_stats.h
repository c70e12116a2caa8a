#pragma once
// Counters the service exposes at /stats, so tests and the profiler can see server-side behaviour
// (cancelled streams, duplicate generations, pool exhaustion) rather than infer it from latency.

#include <atomic>
#include <cstdint>
#include <string>

namespace perfgate::testbed_service {

struct ServiceStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> pool_acquired{0};
  std::atomic<std::uint64_t> pool_exhausted{0};
  std::atomic<std::uint64_t> pool_connect_errors{0};
  std::atomic<std::uint64_t> db_errors{0};
  std::atomic<std::uint64_t> exports_in_memory{0};
  std::atomic<std::uint64_t> exports_streamed{0};
  std::atomic<std::uint64_t> streams_started{0};
  std::atomic<std::uint64_t> streams_completed{0};
  std::atomic<std::uint64_t> streams_cancelled{0};
  std::atomic<std::uint64_t> stream_rows_generated{0};
  std::atomic<std::uint64_t> async_requests{0};
  std::atomic<std::uint64_t> async_cache_hits{0};
  std::atomic<std::uint64_t> async_cache_misses{0};
  std::atomic<std::uint64_t> async_generations{0};
  std::atomic<std::uint64_t> async_duplicates{0};
  std::atomic<std::uint64_t> async_failures{0};

  /// The counters as a JSON object text.
  [[nodiscard]] std::string to_json() const;
};

}  // namespace perfgate::testbed_service
