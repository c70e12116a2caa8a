#pragma once
// The facts of the machine and build a run happened on (STYLE.md measurement rule 6).

#include <string>
#include <string_view>

#include "core/run_result.h"

namespace perfgate {

/// Fills tool version, build type, host, CPU count, 1-minute load average and start time now.
RunContext collect_run_context();

/// perfgate's version string ("0.1.0").
std::string_view tool_version();
/// CMake build type perfgate was compiled with ("Release", "Debug", ...).
std::string_view build_type();

/// SHA-256 of `data` as lowercase hex (scenario hashes; not for security).
std::string sha256_hex(std::string_view data);

}  // namespace perfgate
