#include "cli/shard_flags.h"

#include "core/units.h"
#include "distributed/shard_start.h"

namespace perfgate::cli {

void add_shard_flags(CLI::App* cmd, ShardFlags& flags) {
  cmd->add_option("--segment", flags.segment,
                  "Distributed run: offer segment K of N (1-based) of the schedule, e.g. 2/4");
  cmd->add_option("--start-at", flags.start_at,
                  "Distributed run: start the schedule at this RFC 3339 instant (all shards alike)");
  cmd->add_option(
      "--barrier", flags.barrier,
      "Distributed run: start together once all N shards have announced themselves in this shared directory");
  cmd->add_option("--max-skew", flags.max_skew,
                  "Distributed run: largest accepted clock difference between shards (default 1s)");
  cmd->add_option("--barrier-timeout", flags.barrier_timeout,
                  "Distributed run: how long to wait at --barrier for the other shards (default 10m)");
}

Result<ShardStart> resolve_shard_flags(const ShardFlags& flags, const InstrumentOptions& instruments) {
  ShardStart out;
  if (!flags.segment.empty()) {
    auto segment = parse_segment(flags.segment);
    if (!segment) return segment.error().with_context("--segment");
    out.segment = *segment;
  } else if (!flags.start_at.empty() || !flags.barrier.empty()) {
    return invalid_input("--start-at / --barrier: only for shards of a distributed run; add --segment K/N");
  }
  const bool profiling = instruments.any();
  if (out.segment && !out.segment->whole() && profiling) {
    return invalid_input(
        "--segment: a shard does not profile (--watch-pid, --watch-pattern, --spawn, --pg): run "
        "'perfgate profile' once beside the target and attach it with 'perfgate merge --profile'");
  }
  auto skew = parse_duration(flags.max_skew);
  if (!skew) return skew.error().with_context("--max-skew");
  auto timeout = parse_duration(flags.barrier_timeout);
  if (!timeout) return timeout.error().with_context("--barrier-timeout");
  ShardStartOptions start;
  start.segment = out.segment.value_or(Segment{});
  start.start_at = flags.start_at;
  start.barrier_dir = flags.barrier;
  start.max_skew = std::chrono::duration_cast<std::chrono::milliseconds>(*skew);
  start.barrier_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
  auto at = resolve_shard_start(start);
  if (!at) return at.error();
  out.start_at_unix_ms = *at;
  return out;
}

}  // namespace perfgate::cli
