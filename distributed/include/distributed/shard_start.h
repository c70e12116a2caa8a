#pragma once
// The shared start of a distributed run's shards (docs/distributed.md): either a wall-clock instant
// given to every shard (--start-at), or a barrier directory on a volume every shard can write, where
// each shard announces itself and all start together once the N of them are there.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "core/segment.h"

namespace perfgate {

/// How a shard finds its start instant. With neither `start_at` nor `barrier_dir` there is none.
struct ShardStartOptions {
  Segment segment;
  std::string start_at;                                ///< RFC 3339 instant, shared by every shard ("" : not given)
  std::string barrier_dir;                             ///< directory shared by every shard ("" : no barrier)
  std::chrono::milliseconds max_skew{1000};            ///< largest accepted clock difference, >= 0
  std::chrono::milliseconds barrier_timeout{600'000};  ///< how long to wait for the other shards
  std::chrono::milliseconds barrier_margin{2000};      ///< start this long after the last shard arrived
};

/// Resolves the start instant in ms since the Unix epoch (0: no shared start). `--start-at`: parsed,
/// and refused when it is already more than `max_skew` past on this host (a late shard or a clock
/// apart from its peers'). Barrier: writes `ready-K-of-N.json` (this host's clock) atomically into
/// `barrier_dir`, waits until all N shards' files are there, and returns the latest announced clock
/// plus `barrier_margin`, the same instant for every shard. Errors: kInvalidInput naming the flag or
/// the file and field (both flags given, bad time, a peer's file with another N or segment, a peer's
/// clock further ahead than `max_skew`), kUnavailable when the other shards do not arrive within
/// `barrier_timeout` (naming the missing segments) or `stopped` returns true, kIo when the file cannot
/// be written. `stopped` may be empty.
Result<int64_t> resolve_shard_start(const ShardStartOptions& options, const std::function<bool()>& stopped = {});

/// Milliseconds since the Unix epoch on this host's clock.
int64_t wall_clock_unix_ms();

}  // namespace perfgate
