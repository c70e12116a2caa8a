#pragma once
// Shared pieces of the testbed service tests: one PostgreSQL cluster per test binary, services
// launched as the built binary, and small HTTP/JSON helpers.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/child_processes.h"
#include "testbed/pg_cluster.h"
#include "testbed/testbed_process.h"

namespace perfgate::testing {

/// The cluster shared by every test in the binary, started on first use (a failure to start is
/// a test failure, never a skip).
inline PgCluster* shared_cluster() {
  static std::unique_ptr<PgCluster> cluster = [] {
    install_child_cleanup_on_signals();
    auto started = PgCluster::start();
    if (!started.ok()) {
      ADD_FAILURE() << "PgCluster::start: " << started.error().message;
      return std::unique_ptr<PgCluster>();
    }
    return std::move(started).value();
  }();
  return cluster.get();
}

/// Starts the built service against `database` of the shared cluster (seeded at `scale`).
inline std::unique_ptr<TestbedProcess> start_service(std::vector<std::string> extra_args = {},
                                                     const std::string& database = "perfgate", double scale = 0.05) {
  PgCluster* cluster = shared_cluster();
  if (cluster == nullptr) return nullptr;
  TestbedProcessOptions options;
  options.binary = PERFGATE_TESTBED_BINARY;
  options.dsn = cluster->dsn(database);
  options.scale = scale;
  options.extra_args = std::move(extra_args);
  auto started = TestbedProcess::start(options);
  if (!started.ok()) {
    ADD_FAILURE() << "TestbedProcess::start: " << started.error().message;
    return nullptr;
  }
  return std::move(started).value();
}

inline httplib::Client client_for(const TestbedProcess& service) {
  httplib::Client client("127.0.0.1", service.port());
  client.set_read_timeout(30, 0);
  return client;
}

inline nlohmann::json stats_of(const TestbedProcess& service) {
  auto client = client_for(service);
  auto res = client.Get("/stats");
  if (!res || res->status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(res->body);
}

/// Polls /stats until `predicate(stats)` holds or 10 s pass; returns the last stats seen.
template <typename Predicate>
nlohmann::json wait_for_stats(const TestbedProcess& service, Predicate predicate) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  nlohmann::json stats = stats_of(service);
  while (!predicate(stats) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stats = stats_of(service);
  }
  return stats;
}

}  // namespace perfgate::testing
