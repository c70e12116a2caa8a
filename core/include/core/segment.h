#pragma once
// Execution segments: one shard's deterministic slice of a scenario's load, for distributed runs
// (docs/distributed.md). Segment K of N (1-based) takes the open-model arrivals whose global index i
// has i % N == K - 1, and the closed-model virtual users whose global index g has g % N == K - 1, so
// the N segments together offer exactly the scenario's load with no arrival or user in two of them.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace perfgate {

/// Segment `index` of `count` (1 <= index <= count); the whole load is 1/1.
struct Segment {
  int index = 1;
  int count = 1;

  /// "K/N".
  [[nodiscard]] std::string to_string() const;
  /// True for 1/1: the whole load, not a shard.
  [[nodiscard]] bool whole() const { return count == 1; }
  /// Of `total` items numbered 0..total-1 (users, iterations), how many fall in this segment
  /// (those numbered i with i % count == index - 1). `total` < 0 counts as 0.
  [[nodiscard]] int64_t share_of(int64_t total) const;

  friend bool operator==(const Segment&, const Segment&) = default;
};

/// Largest number of segments a run may be split into.
inline constexpr int kMaxSegments = 10'000;

/// Parses "K/N" (1-based, 1 <= K <= N <= kMaxSegments). Errors (kInvalidInput) say what was wrong
/// and give the expected form: "3/2: segment index 3 is out of range 1..2".
Result<Segment> parse_segment(std::string_view text);

/// Parses an RFC 3339 UTC instant ("2026-12-04T12:00:00Z", optional fraction of a second, "Z" or a
/// "+HH:MM"/"-HH:MM" offset) into milliseconds since the Unix epoch. Errors are kInvalidInput.
Result<int64_t> parse_rfc3339_ms(std::string_view text);

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds ("...T12:00:00.250Z").
std::string format_rfc3339_ms(int64_t unix_ms);

}  // namespace perfgate
