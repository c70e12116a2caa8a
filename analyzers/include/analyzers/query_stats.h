#pragma once
// pg_stat_statements snapshots and the deltas between them (docs/analyzer.md, "Inputs").

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// One pg_stat_statements entry (summed over users, top-level statements only). Times in ms.
struct StatementStats {
  std::string query_id;  ///< pg_stat_statements queryid as text
  std::string query;     ///< normalised text ($n parameters)
  int64_t calls = 0;
  double total_exec_time_ms = 0;
  double mean_exec_time_ms = 0;  ///< total / calls; recomputed for deltas
  int64_t rows = 0;              ///< rows returned or affected, summed over calls
  int64_t shared_blks_hit = 0;
  int64_t shared_blks_read = 0;
  int64_t shared_blks_dirtied = 0;
  int64_t shared_blks_written = 0;
};

/// pg_stat_statements plus pg_stat_statements_info at one moment.
struct StatsSnapshot {
  std::vector<StatementStats> statements;
  int64_t dealloc = 0;      ///< entries evicted since stats_reset
  std::string stats_reset;  ///< timestamp text of the last reset
};

/// What ran between two snapshots: statements with calls > 0 only.
struct StatsDelta {
  std::vector<StatementStats> statements;
  /// True when entries were evicted (dealloc grew) or stats were reset in between: counts may be
  /// missing, so absence of a statement proves nothing.
  bool inconclusive = false;
  std::string note;  ///< why it is inconclusive, "" otherwise
};

/// after - before per queryid (an entry new in `after` counts whole). Pure; never fails.
StatsDelta diff_snapshots(const StatsSnapshot& before, const StatsSnapshot& after);

/// Removes background activity: `measured` - `idle` per queryid, clamped at zero; statements left
/// with no calls are dropped. Inconclusiveness of either input carries over.
StatsDelta subtract_baseline(const StatsDelta& measured, const StatsDelta& idle);

/// A snapshot as JSON ({"kind": "perfgate-pg-snapshot", "version": 1, ...}), for a run-delta whose
/// "before" and "after" are taken by different processes (docs/distributed.md).
std::string stats_snapshot_to_json(const StatsSnapshot& snapshot);

/// Parses stats_snapshot_to_json output. Errors (kInvalidInput) name `source_name`, the line and the field.
Result<StatsSnapshot> stats_snapshot_from_json(const std::string& text, const std::string& source_name);

/// Treats cumulative totals as a delta (aggregate mode: everything since the last stats reset).
StatsDelta totals_as_delta(const StatsSnapshot& snapshot);

}  // namespace perfgate
