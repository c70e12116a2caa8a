#pragma once
// Launches the bundled report service (the `perfgate-testbed` binary) as a child process, for the
// demo and the integration tests: start it against a database, learn its port, stop it by PID.
// The child is registered in core/child_processes.h like PgCluster, so Ctrl-C
// (install_child_cleanup_on_signals) never leaves it running.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// Whether the service creates its schema and seed data when missing.
enum class TestbedSeed { kSeedIfMissing, kNoSeed };

struct TestbedProcessOptions {
  std::string binary;  ///< path of perfgate-testbed; empty: default_testbed_binary()
  std::string dsn;     ///< libpq DSN of the database to serve (e.g. PgCluster::dsn()); required
  TestbedSeed seed = TestbedSeed::kSeedIfMissing;
  double scale = 1.0;                   ///< seed size (1.0: 200k transactions, 5k users, 1k products), > 0
  int pool_size = 8;                    ///< database connections, >= 1
  int pool_timeout_ms = 2000;           ///< wait for a connection before answering 503
  int threads = 16;                     ///< HTTP worker threads
  int delay_ms = 0;                     ///< regression knob: added to every /reports response
  double delay_factor = 1.0;            ///< regression knob: /reports take this many times their work time, >= 1
  std::vector<std::string> extra_args;  ///< appended verbatim to the command line
  std::string log_path;                 ///< the service's stderr goes here (appended); empty: inherited
  std::chrono::milliseconds startup_timeout{60000};  ///< seeding included
};

/// A running service. Not copyable; destruction stops it. Thread-compatible.
class TestbedProcess {
 public:
  /// Starts the binary with --port 0 and waits until it prints its port. Errors: kUnavailable when
  /// the binary is missing or exits / stays silent past startup_timeout; kInvalidInput on an empty dsn.
  static Result<std::unique_ptr<TestbedProcess>> start(const TestbedProcessOptions& options);

  ~TestbedProcess();
  TestbedProcess(const TestbedProcess&) = delete;
  TestbedProcess& operator=(const TestbedProcess&) = delete;

  /// PID of the service process (0 after stop()).
  [[nodiscard]] long pid() const { return pid_; }
  /// Its TCP port on 127.0.0.1.
  [[nodiscard]] int port() const { return port_; }
  /// "http://127.0.0.1:PORT" (no trailing slash).
  [[nodiscard]] std::string base_url() const;

  /// SIGTERM, then SIGKILL after `grace`; reaps the child. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  TestbedProcess() = default;
  long pid_ = 0;
  int port_ = 0;
  int registry_slot_ = -1;
};

/// Where perfgate-testbed is expected: $PERFGATE_TESTBED_BIN when set, else next to the running
/// executable (build/bin/), else "perfgate-testbed" in the current directory's bin/.
std::string default_testbed_binary();

}  // namespace perfgate
