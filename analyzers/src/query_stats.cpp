#include "analyzers/query_stats.h"

#include <algorithm>
#include <unordered_map>

namespace perfgate {
namespace {

StatementStats minus(const StatementStats& a, const StatementStats* b) {
  StatementStats d = a;
  if (b) {
    d.calls = std::max<int64_t>(0, a.calls - b->calls);
    d.total_exec_time_ms = std::max(0.0, a.total_exec_time_ms - b->total_exec_time_ms);
    d.rows = std::max<int64_t>(0, a.rows - b->rows);
    d.shared_blks_hit = std::max<int64_t>(0, a.shared_blks_hit - b->shared_blks_hit);
    d.shared_blks_read = std::max<int64_t>(0, a.shared_blks_read - b->shared_blks_read);
    d.shared_blks_dirtied = std::max<int64_t>(0, a.shared_blks_dirtied - b->shared_blks_dirtied);
    d.shared_blks_written = std::max<int64_t>(0, a.shared_blks_written - b->shared_blks_written);
  }
  d.mean_exec_time_ms = d.calls > 0 ? d.total_exec_time_ms / static_cast<double>(d.calls) : 0;
  return d;
}

std::unordered_map<std::string, const StatementStats*> by_id(const std::vector<StatementStats>& statements) {
  std::unordered_map<std::string, const StatementStats*> index;
  index.reserve(statements.size());
  for (const auto& s : statements) index[s.query_id] = &s;
  return index;
}

}  // namespace

StatsDelta diff_snapshots(const StatsSnapshot& before, const StatsSnapshot& after) {
  StatsDelta delta;
  const auto old = by_id(before.statements);
  for (const auto& s : after.statements) {
    const auto it = old.find(s.query_id);
    StatementStats d = minus(s, it == old.end() ? nullptr : it->second);
    if (d.calls > 0) delta.statements.push_back(std::move(d));
  }
  if (after.stats_reset != before.stats_reset) {
    delta.inconclusive = true;
    delta.note = "pg_stat_statements was reset between the snapshots; counts are incomplete";
  } else if (after.dealloc > before.dealloc) {
    delta.inconclusive = true;
    delta.note = "pg_stat_statements evicted " + std::to_string(after.dealloc - before.dealloc) +
                 " entries between the snapshots (raise pg_stat_statements.max); counts are incomplete";
  }
  return delta;
}

StatsDelta subtract_baseline(const StatsDelta& measured, const StatsDelta& idle) {
  StatsDelta out;
  const auto background = by_id(idle.statements);
  for (const auto& s : measured.statements) {
    const auto it = background.find(s.query_id);
    StatementStats d = minus(s, it == background.end() ? nullptr : it->second);
    if (d.calls > 0) out.statements.push_back(std::move(d));
  }
  out.inconclusive = measured.inconclusive || idle.inconclusive;
  out.note = !measured.note.empty() ? measured.note : idle.note;
  return out;
}

StatsDelta totals_as_delta(const StatsSnapshot& snapshot) {
  StatsDelta delta;
  for (const auto& s : snapshot.statements) {
    if (s.calls > 0) delta.statements.push_back(minus(s, nullptr));
  }
  if (snapshot.dealloc > 0) {
    delta.note = "pg_stat_statements evicted " + std::to_string(snapshot.dealloc) +
                 " entries since its last reset; totals are incomplete";
  }
  return delta;
}

}  // namespace perfgate
