#pragma once
// `perfgate run --segment K/N` and its start flags (docs/distributed.md): parsed here, resolved by
// distributed/shard_start.h, so run_command.cpp only passes the outcome to the engine.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/segment.h"
#include "pipeline/run_session.h"

namespace perfgate::cli {

struct ShardFlags {
  std::string segment;
  std::string start_at;
  std::string barrier;
  std::string max_skew = "1s";
  std::string barrier_timeout = "10m";
};

/// What the engine needs of a shard: its segment (nullopt when not sharded) and the shared start (0: none).
struct ShardStart {
  std::optional<Segment> segment;
  int64_t start_at_unix_ms = 0;
};

/// Adds --segment, --start-at, --barrier, --max-skew and --barrier-timeout to `cmd`.
void add_shard_flags(CLI::App* cmd, ShardFlags& flags);

/// Parses the flags and waits at the barrier if one is given, before any load. Errors (kInvalidInput)
/// name the flag; a sharded run may not profile (`instruments`): the profiler and the PostgreSQL
/// sampler run once, beside the target, not once per shard. kUnavailable: peers missing at the barrier.
Result<ShardStart> resolve_shard_flags(const ShardFlags& flags, const InstrumentOptions& instruments);

}  // namespace perfgate::cli
