#pragma once
// Parsing and printing of durations, rates and sizes as users write them ("15s", "1.5m", "2 GB").

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace perfgate {

/// Parses a duration: a non-negative number with a unit us, ms, s, m, h (or "1h30m"). A bare number
/// is rejected (ambiguous). Errors are kInvalidInput with the offending text and an example.
Result<std::chrono::microseconds> parse_duration(std::string_view text);

/// Parses a byte size: a number with B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
Result<int64_t> parse_bytes(std::string_view text);

/// Prints microseconds for people: "850us", "12.3ms", "1.20s", "2m05s".
std::string format_duration_us(double microseconds);

/// Prints bytes for people: "512 B", "12.0 MiB", "2.00 GiB".
std::string format_bytes(double bytes);

}  // namespace perfgate
