// A pg_stat_statements snapshot as a file, so the "before" of a run-delta can be taken by one
// process and the "after" by another (a distributed run: docs/distributed.md).
#include "analyzers/query_stats.h"
#include "core/json_reader.h"

namespace perfgate {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kKind = "perfgate-pg-snapshot";
constexpr int kVersion = 1;

using json_reader::FieldError;
using json_reader::get;
using json_reader::member;

StatsSnapshot read_snapshot(const json& j) {
  if (!j.is_object() || !j.contains("kind") || j["kind"] != kKind) {
    throw FieldError{"/kind", std::string("not a PostgreSQL snapshot (expected \"kind\": \"") + kKind +
                                  "\", written by 'perfgate analyze --snapshot-out')"};
  }
  if (get<int>(j, "", "version") != kVersion)
    throw FieldError{"/version", "unsupported version (this perfgate reads 1)"};
  StatsSnapshot s;
  s.dealloc = get<int64_t>(j, "", "dealloc");
  s.stats_reset = get<std::string>(j, "", "stats_reset");
  const json& statements = member(j, "", "statements");
  json_reader::expect_array(statements, "/statements");
  for (size_t i = 0; i < statements.size(); ++i) {
    const std::string at = "/statements/" + std::to_string(i);
    const json& e = statements[i];
    StatementStats st;
    st.query_id = get<std::string>(e, at, "query_id");
    st.query = get<std::string>(e, at, "query");
    st.calls = get<int64_t>(e, at, "calls");
    st.total_exec_time_ms = get<double>(e, at, "total_exec_time_ms");
    st.mean_exec_time_ms = get<double>(e, at, "mean_exec_time_ms");
    st.rows = get<int64_t>(e, at, "rows");
    st.shared_blks_hit = get<int64_t>(e, at, "shared_blks_hit");
    st.shared_blks_read = get<int64_t>(e, at, "shared_blks_read");
    st.shared_blks_dirtied = get<int64_t>(e, at, "shared_blks_dirtied");
    st.shared_blks_written = get<int64_t>(e, at, "shared_blks_written");
    s.statements.push_back(std::move(st));
  }
  return s;
}

}  // namespace

std::string stats_snapshot_to_json(const StatsSnapshot& snapshot) {
  ordered_json statements = ordered_json::array();
  for (const StatementStats& s : snapshot.statements) {
    statements.push_back(ordered_json{{"query_id", s.query_id},
                                      {"query", s.query},
                                      {"calls", s.calls},
                                      {"total_exec_time_ms", s.total_exec_time_ms},
                                      {"mean_exec_time_ms", s.mean_exec_time_ms},
                                      {"rows", s.rows},
                                      {"shared_blks_hit", s.shared_blks_hit},
                                      {"shared_blks_read", s.shared_blks_read},
                                      {"shared_blks_dirtied", s.shared_blks_dirtied},
                                      {"shared_blks_written", s.shared_blks_written}});
  }
  return ordered_json{{"kind", kKind},
                      {"version", kVersion},
                      {"dealloc", snapshot.dealloc},
                      {"stats_reset", snapshot.stats_reset},
                      {"statements", statements}}
             .dump(2) +
         "\n";
}

Result<StatsSnapshot> stats_snapshot_from_json(const std::string& text, const std::string& source_name) {
  return json_reader::read_document(text, source_name, "snapshot", read_snapshot);
}

}  // namespace perfgate
