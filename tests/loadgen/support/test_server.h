#pragma once
// A configurable HTTP/1.1 server on 127.0.0.1 for the engine's integration tests: fixed delay,
// periodic stalls, error statuses, connection resets, slow trickle. One epoll thread; fixed port.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/result.h"

namespace perfgate::testing {

struct TestServerOptions {
  std::chrono::microseconds delay{0};           ///< added to every response
  std::chrono::microseconds stall_duration{0};  ///< "stall every response for D once every P":
  std::chrono::microseconds stall_period{
      0};  ///< a response ready inside [epoch + kP, epoch + kP + D) waits for its end
  int status = 200;
  std::string body = "ok";
  bool chunked = false;                           ///< send the body chunked
  int reset_every = 0;                            ///< reset the connection instead of answering every Nth request
  std::chrono::microseconds trickle_interval{0};  ///< send the response one byte at a time at this pace
  bool close_after_response = false;
};

/// Runs until destroyed. Thread-safe accessors.
class TestServer {
 public:
  /// Binds 127.0.0.1 on a free port and starts serving. Errors are kInternal.
  static Result<std::unique_ptr<TestServer>> start(const TestServerOptions& options);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// "http://127.0.0.1:PORT"
  [[nodiscard]] std::string url() const;
  /// Requests read so far.
  [[nodiscard]] int64_t requests() const { return requests_.load(); }
  /// Start of the stall grid (SteadyClock time).
  [[nodiscard]] MonoTime epoch() const { return epoch_; }

 private:
  explicit TestServer(TestServerOptions options) : options_(std::move(options)) {}
  void loop();

  TestServerOptions options_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  MonoTime epoch_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> requests_{0};
  std::thread thread_;
};

/// A 127.0.0.1 port with nothing listening (bound, then closed).
int unused_port();

}  // namespace perfgate::testing
