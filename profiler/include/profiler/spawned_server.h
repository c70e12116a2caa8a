#pragma once
// `--spawn 'CMD' --ready URL`: start the server under test, wait until it answers, watch it, and stop
// it at the end, on exceptions (destructor) and on SIGINT/SIGTERM (the server is registered in
// core/child_processes.h; install_child_cleanup_on_signals).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace perfgate {

/// How to start and stop the server.
struct SpawnOptions {
  std::string command;                             ///< run with /bin/sh -c in its own process group
  std::string ready_url;                           ///< http://127.0.0.1:PORT/PATH (loopback only); empty: no wait
  std::chrono::milliseconds ready_timeout{30000};  ///< how long to wait for a 200
  std::chrono::milliseconds stop_grace{5000};      ///< SIGTERM, then SIGKILL after this
};

/// A server process group started by perfgate. Not copyable; destruction stops it. Thread-compatible.
class SpawnedServer {
 public:
  /// Starts `command` and polls `ready_url` every 100 ms until it answers 200.
  /// Errors: kInvalidInput for an empty command or a URL that is not http:// on loopback;
  /// kUnavailable when the command exits before it is ready or the timeout passes (it is stopped).
  static Result<std::unique_ptr<SpawnedServer>> start(const SpawnOptions& options);

  ~SpawnedServer();
  SpawnedServer(const SpawnedServer&) = delete;
  SpawnedServer& operator=(const SpawnedServer&) = delete;

  /// PID of the shell running the command (its process group id too); watch it with children.
  [[nodiscard]] int64_t pid() const { return pid_; }

  /// False once the command has exited (reaps it if so).
  bool running();

  /// SIGTERM to the whole process group, SIGKILL after stop_grace, then reaps. Idempotent.
  void stop();

 private:
  SpawnedServer() = default;
  int64_t pid_ = 0;
  bool reaped_ = false;
  int registry_slot_ = -1;  // in core/child_processes.h
  std::chrono::milliseconds stop_grace_{5000};
};

/// Checks a readiness URL: http:// to a numeric loopback host (127.x.x.x, ::1) or localhost, with an
/// optional port in 1..65535. Errors: kInvalidInput naming --ready, the URL and what is wrong.
Status validate_ready_url(const std::string& url);

}  // namespace perfgate
