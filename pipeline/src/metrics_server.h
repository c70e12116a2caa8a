#pragma once
// The /metrics endpoint of a run (run --metrics-listen): one listening socket bound before the load
// starts, served from its own thread until destruction. Private to the pipeline.

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace perfgate::pipeline_detail {

class MetricsServer {
 public:
  /// Binds `address` ("HOST:PORT", "[V6]:PORT"; port 0 picks a free one) and serves GET /metrics with
  /// `render()` (called on the server's thread for every scrape; must be thread-safe).
  /// Errors: kInvalidInput for an address that does not parse; kUnavailable when the port cannot be
  /// bound (in use, not permitted), naming the address.
  static Result<std::unique_ptr<MetricsServer>> start(const std::string& address, std::function<std::string()> render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The bound address, "HOST:PORT" with the port actually bound.
  [[nodiscard]] const std::string& address() const { return address_; }
  /// Scrapes of /metrics answered so far.
  [[nodiscard]] int64_t scrapes() const { return scrapes_->load(); }

 private:
  struct Impl;
  MetricsServer() = default;
  std::unique_ptr<Impl> impl_;
  std::string address_;
  std::shared_ptr<std::atomic<int64_t>> scrapes_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace perfgate::pipeline_detail
