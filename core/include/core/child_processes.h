#pragma once
// The one process-wide registry of children perfgate starts (PostgreSQL clusters, the testbed
// service, servers given to --spawn) so that none outlives perfgate on any exit path: their owners
// stop them normally; a SIGINT/SIGTERM/SIGHUP or an exception caught in main() stops what is still
// registered (a SIGKILL cannot be caught: the children are started with a parent-death signal). Signal handlers
// installed before are kept and run after the children are stopped.

#include <cstdint>
#include <functional>
#include <string>

namespace perfgate {

/// What a stop signal is sent to.
enum class StopScope {
  kProcess,       ///< the PID alone (it stops its own children, as PostgreSQL's postmaster does)
  kProcessGroup,  ///< the process group led by the PID (a shell and everything it started)
};

/// A child to stop: `stop_signal` first, SIGKILL when it has not exited within 5 s; then
/// `dir_to_remove` (may be empty, < 512 bytes) is removed recursively.
struct ChildProcess {
  int64_t pid = 0;
  StopScope scope = StopScope::kProcess;
  int stop_signal = 15;  ///< SIGTERM
  std::string dir_to_remove;
};

/// Records a live child. Returns a slot for unregister_child, or -1 when the fixed table (64 slots)
/// is full or the directory name is too long (the child is then only stopped by its owner).
/// Thread-safe and lock-free.
int register_child(const ChildProcess& child);

/// Forgets a slot once its owner has stopped the child itself. Thread-safe; -1 is ignored.
void unregister_child(int slot);

/// Records a directory to remove recursively whenever the registered children are stopped (by the
/// signal handlers, stop_registered_children or the catch-all), after the children: for a
/// directory that exists before any process uses it (a cluster's directory before initdb) or that
/// no process owns (a test's temporary directory). Only the registering process removes it (not a
/// child forked after the registration). Returns a slot for unregister_directory, or -1
/// when the table (64 slots) is full or `dir` is empty or 512 bytes or longer. Thread-safe.
int register_directory(const std::string& dir);

/// Forgets a directory slot once its owner has removed the directory itself (or keeps it on
/// purpose). Thread-safe; -1 is ignored.
void unregister_directory(int slot);

/// Installs SIGINT, SIGTERM and SIGHUP handlers once per process (idempotent, thread-safe). On a signal the
/// handler stops every registered child, then hands the signal to the handler that was installed
/// before it (or, when that was the default action, dies by the signal as before). A signal that
/// was ignored when this was called stays ignored.
void install_child_cleanup_on_signals();

/// Stops every registered child now, as the signal handler does, and unregisters it; for the
/// catch-all in main() and other exits where no owner's destructor will run. Returns the number
/// of children stopped. Async-signal-safe.
int stop_registered_children();

/// The error rule's last line of defence, for main(): returns `body()`; when an exception escapes
/// it, stops every registered child first, then prints one line to stderr
/// ("perfgate: error: internal failure: WHAT") and returns `failure_code` (exit 3, the tool failed).
int run_with_catch_all(const std::function<int()>& body, int failure_code) noexcept;

/// Children currently registered (for tests and the catch-all's message).
[[nodiscard]] int registered_children();

}  // namespace perfgate
