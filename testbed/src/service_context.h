#pragma once
// What every route handler shares, plus the helpers that turn database failures and pool
// exhaustion into counted HTTP outcomes (500 / 503) instead of exceptions escaping httplib.

#include <httplib.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "connection_pool.h"
#include "service_options.h"
#include "service_stats.h"

namespace perfgate::testbed_service {

class AsyncReports;

struct ServiceContext {
  const ServiceOptions& options;
  ServiceStats& stats;
  ConnectionPool& pool;
  AsyncReports& async_reports;
};

/// Sends `body` as application/json with `status`.
void send_json(httplib::Response& res, int status, const nlohmann::json& body);

/// Runs `work` with a leased connection; 503 when the pool is exhausted, 500 on database errors.
void with_connection(ServiceContext& ctx, httplib::Response& res, const std::function<void(pqxx::connection&)>& work);

/// Stands for the network between the service and its database: sleeps options.db_latency_ms (0: not
/// at all). Called once before every statement, with the connection held, as a remote round trip is.
void db_round_trip(const ServiceOptions& options);

/// Integer query parameter `name` within [min_value, max_value], or `fallback` when absent;
/// nullopt (after answering 400) when malformed or out of range.
std::optional<long> int_param(const httplib::Request& req, httplib::Response& res, const std::string& name,
                              long fallback, long min_value, long max_value);

/// Holds a /reports response back by the configured regression knob: delay_ms plus
/// (delay_factor - 1) x the work time, measured from construction to destruction.
class ReportDelay {
 public:
  explicit ReportDelay(const ServiceOptions& options);
  ~ReportDelay();
  ReportDelay(const ReportDelay&) = delete;
  ReportDelay& operator=(const ReportDelay&) = delete;

 private:
  const ServiceOptions& options_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace perfgate::testbed_service
