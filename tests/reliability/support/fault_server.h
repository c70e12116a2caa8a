#pragma once
// A misbehaving TCP server on 127.0.0.1 for the fault matrix: each accepted connection runs a script
// (a function of the socket) on its own thread, so a test can write any bytes, at any pace, and
// close or reset whenever it likes. Destroying the server shuts every connection down and joins.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"

namespace perfgate::testing {

/// What a connection script can do with its socket; every call returns early once the server stops.
class FaultConnection {
 public:
  FaultConnection(int fd, const std::atomic<bool>& stop) : fd_(fd), stop_(stop) {}
  /// Reads one request's head (up to the blank line); false on EOF, error or stop.
  bool read_request();
  /// Sends all of `bytes`; false when the peer went away or the server is stopping.
  bool send(std::string_view bytes);
  /// Sleeps for `d` or until the server stops; false when stopping.
  bool sleep(std::chrono::milliseconds d);
  /// Closes with a TCP RST instead of a FIN.
  void reset();
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
  const std::atomic<bool>& stop_;
  std::string pending_;
};

/// The script: runs once per accepted connection, then the connection is closed (FIN) unless reset.
using ConnectionScript = std::function<void(FaultConnection&)>;

class FaultServer {
 public:
  /// Binds 127.0.0.1:`port` (0: a free port) and starts accepting. Errors are kInternal.
  static Result<std::unique_ptr<FaultServer>> start(ConnectionScript script, int port = 0);
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// "http://127.0.0.1:PORT"
  [[nodiscard]] std::string url() const;
  /// Connections accepted so far.
  [[nodiscard]] int64_t connections() const { return connections_.load(); }

 private:
  explicit FaultServer(ConnectionScript script) : script_(std::move(script)) {}
  void accept_loop();

  ConnectionScript script_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> handlers_;
  std::vector<int> open_fds_;
};

/// A complete response with `body` and the given extra header lines (each ending in CRLF).
std::string http_response(std::string_view body, std::string_view extra_headers = "");

}  // namespace perfgate::testing
