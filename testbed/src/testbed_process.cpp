#include "testbed/testbed_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/child_processes.h"
#include "subprocess.h"

namespace perfgate {
namespace {

using testbed_detail::Output;
using testbed_detail::SpawnSpec;

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Reads the child's stdout until the "listening on 127.0.0.1:PORT" line, the child exits (stdout
// closes), or the deadline passes. Returns the port, or 0.
int read_port(int fd, std::chrono::milliseconds timeout, std::string& seen) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string marker = "listening on 127.0.0.1:";
  char buffer[512];
  while (std::chrono::steady_clock::now() < deadline) {
    const auto pos = seen.find(marker);
    if (pos != std::string::npos && seen.find('\n', pos) != std::string::npos) {
      return std::atoi(seen.c_str() + pos + marker.size());
    }
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) < 0 && errno != EINTR) return 0;
    if ((pfd.revents & (POLLIN | POLLHUP)) != 0) {
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n > 0) {
        seen.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) return 0;
    }
  }
  return 0;
}

}  // namespace

std::string default_testbed_binary() {
  if (const char* env = std::getenv("PERFGATE_TESTBED_BIN"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& candidate :
         {self.parent_path() / "perfgate-testbed", self.parent_path() / "bin" / "perfgate-testbed"}) {
      if (std::filesystem::exists(candidate, ec)) return candidate.string();
    }
  }
  return (std::filesystem::current_path(ec) / "bin" / "perfgate-testbed").string();
}

Result<std::unique_ptr<TestbedProcess>> TestbedProcess::start(const TestbedProcessOptions& options) {
  if (options.dsn.empty()) return invalid_input("TestbedProcessOptions.dsn: must name a database");
  const std::string binary = options.binary.empty() ? default_testbed_binary() : options.binary;
  if (access(binary.c_str(), X_OK) != 0) {
    return unavailable(binary +
                       ": perfgate-testbed binary not found or not executable; build it with "
                       "`ninja -C build perfgate-testbed` or set PERFGATE_TESTBED_BIN");
  }
  SpawnSpec spec;
  spec.argv = {binary,
               "--port",
               "0",
               "--dsn",
               options.dsn,
               "--scale",
               number_text(options.scale),
               "--pool-size",
               std::to_string(options.pool_size),
               "--pool-timeout-ms",
               std::to_string(options.pool_timeout_ms),
               "--threads",
               std::to_string(options.threads)};
  // The knobs are only passed when set, so PERFGATE_TESTBED_DELAY_MS in the environment still works.
  if (options.delay_ms != 0) spec.argv.insert(spec.argv.end(), {"--delay-ms", std::to_string(options.delay_ms)});
  if (options.delay_factor != 1.0) {
    spec.argv.insert(spec.argv.end(), {"--delay-factor", number_text(options.delay_factor)});
  }
  if (options.seed == TestbedSeed::kSeedIfMissing) spec.argv.push_back("--seed");
  spec.argv.insert(spec.argv.end(), options.extra_args.begin(), options.extra_args.end());
  spec.output = Output::kStdoutPipe;
  spec.output_file = options.log_path;
  spec.parent_death_signal = SIGTERM;
  auto spawned = testbed_detail::spawn(spec);
  if (!spawned) return spawned.error();

  std::unique_ptr<TestbedProcess> process(new TestbedProcess());
  process->pid_ = spawned->pid;
  process->registry_slot_ = register_child(ChildProcess{spawned->pid, StopScope::kProcess, SIGTERM, ""});
  std::string seen;
  const auto started_at = std::chrono::steady_clock::now();
  const int port = read_port(spawned->stdout_fd, options.startup_timeout, seen);
  close(spawned->stdout_fd);
  if (port <= 0) {
    // Closed stdout before the deadline means the child is on its way out; give it a moment to be
    // reaped so the message says which of the two happened.
    const bool exited = std::chrono::steady_clock::now() < started_at + options.startup_timeout &&
                        testbed_detail::wait_for_exit(spawned->pid, std::chrono::seconds(2));
    if (exited) {
      unregister_child(process->registry_slot_);
      process->registry_slot_ = -1;
      process->pid_ = 0;
    }
    process->stop(std::chrono::seconds(2));
    return unavailable(
        binary +
        (exited
             ? " exited before listening"
             : " did not report a listening port within " + std::to_string(options.startup_timeout.count()) + " ms") +
        " (see its stderr" + (options.log_path.empty() ? "" : " in " + options.log_path) + "); stdout: " + seen);
  }
  process->port_ = port;
  return process;
}

TestbedProcess::~TestbedProcess() { stop(); }

std::string TestbedProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void TestbedProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  // Unregistered only once it is gone: a signal while the service shuts down (it may take the whole
  // grace period) must still find it in the table.
  testbed_detail::stop_process(static_cast<pid_t>(pid_), SIGTERM, grace);
  unregister_child(registry_slot_);
  registry_slot_ = -1;
  pid_ = 0;
}

}  // namespace perfgate
