// A pg_stat_statements snapshot as a file, so the "before" of a run-delta can be taken by one
// process and the "after" by another (a distributed run: docs/distributed.md).
#include <nlohmann/json.hpp>

#include "analyzers/query_stats.h"
#include "core/json_locate.h"

namespace perfgate {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kKind = "perfgate-pg-snapshot";
constexpr int kVersion = 1;

struct FieldError {
  std::string pointer;
  std::string message;
};

template <typename T>
T field(const json& j, const std::string& at, const std::string& key) {
  if (!j.is_object()) throw FieldError{at, "expected an object"};
  const auto it = j.find(key);
  if (it == j.end()) throw FieldError{at + "/" + key, "missing field '" + key + "'"};
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw FieldError{at + "/" + key, "has the wrong type (" + std::string(it->type_name()) + ")"};
  }
}

StatsSnapshot read_snapshot(const json& j) {
  if (!j.is_object() || !j.contains("kind") || j["kind"] != kKind) {
    throw FieldError{"/kind", std::string("not a PostgreSQL snapshot (expected \"kind\": \"") + kKind +
                                  "\", written by 'perfgate analyze --snapshot-out')"};
  }
  if (field<int>(j, "", "version") != kVersion)
    throw FieldError{"/version", "unsupported version (this perfgate reads 1)"};
  StatsSnapshot s;
  s.dealloc = field<int64_t>(j, "", "dealloc");
  s.stats_reset = field<std::string>(j, "", "stats_reset");
  const json& statements = j.at("statements");
  if (!statements.is_array()) throw FieldError{"/statements", "expected an array"};
  for (size_t i = 0; i < statements.size(); ++i) {
    const std::string at = "/statements/" + std::to_string(i);
    const json& e = statements[i];
    StatementStats st;
    st.query_id = field<std::string>(e, at, "query_id");
    st.query = field<std::string>(e, at, "query");
    st.calls = field<int64_t>(e, at, "calls");
    st.total_exec_time_ms = field<double>(e, at, "total_exec_time_ms");
    st.mean_exec_time_ms = field<double>(e, at, "mean_exec_time_ms");
    st.rows = field<int64_t>(e, at, "rows");
    st.shared_blks_hit = field<int64_t>(e, at, "shared_blks_hit");
    st.shared_blks_read = field<int64_t>(e, at, "shared_blks_read");
    st.shared_blks_dirtied = field<int64_t>(e, at, "shared_blks_dirtied");
    st.shared_blks_written = field<int64_t>(e, at, "shared_blks_written");
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
  json j;
  try {
    j = json::parse(text, nullptr, true, true);
  } catch (const json::exception& e) {
    return invalid_input(source_name + ": not valid JSON: " + e.what());
  }
  try {
    return read_snapshot(j);
  } catch (const FieldError& e) {
    return invalid_input(format_input_error(source_name, locate_json_pointer(text, e.pointer),
                                            pointer_to_field_path(e.pointer), e.message));
  } catch (const json::exception& e) {
    return invalid_input(source_name + ": malformed snapshot: " + e.what());
  }
}

}  // namespace perfgate
