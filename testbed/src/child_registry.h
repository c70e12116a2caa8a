#pragma once
// Process-wide registry of children that must not outlive us (PostgreSQL clusters, testbed
// services), read by the SIGINT/SIGTERM handler. Private to testbed/.

#include <sys/types.h>

#include <string>

namespace perfgate::testbed_detail {

/// Records a live child and the directory to remove after it stops (may be empty). Returns a slot
/// handle for unregister_child, or -1 when the fixed-size table is full (the child is then only
/// cleaned up by its owner). Thread-safe.
int register_child(pid_t pid, const std::string& dir_to_remove, int stop_signal);

/// Forgets a slot (the owner stopped the child itself). Thread-safe; -1 is ignored.
void unregister_child(int slot);

/// Installs the SIGINT/SIGTERM handlers once. Thread-safe.
void install_child_signal_cleanup();

}  // namespace perfgate::testbed_detail
