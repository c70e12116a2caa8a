#include "analyzers/query_analyzer.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "analysis_internal.h"
#include "core/redact.h"

namespace perfgate {
namespace analysis {

std::vector<StatementGroup> group_statements(const StatsDelta& delta, const AnalyzerOptions& options) {
  std::vector<StatementGroup> groups;
  std::map<std::string, size_t> index;
  for (const auto& s : delta.statements) {
    if (s.calls <= 0 || s.calls < options.min_calls || s.total_exec_time_ms < options.min_total_ms) continue;
    auto shape = parse_query_shape(s.query);
    const std::string key = shape ? shape->group_key() : "unparsed:" + s.query_id;
    const auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) {
      StatementGroup g;
      g.key = key;
      g.total = s;
      g.parsed = shape.ok();
      if (shape) g.shape = std::move(shape).value();
      g.query_ids.push_back(s.query_id);
      g.queries.push_back(s.query);
      groups.push_back(std::move(g));
      continue;
    }
    StatementGroup& g = groups[it->second];
    if (s.calls > g.total.calls) {
      g.total.query = s.query;
      g.total.query_id = s.query_id;
    }
    g.query_ids.push_back(s.query_id);
    g.queries.push_back(s.query);
    g.total.calls += s.calls;
    g.total.total_exec_time_ms += s.total_exec_time_ms;
    g.total.rows += s.rows;
    g.total.shared_blks_hit += s.shared_blks_hit;
    g.total.shared_blks_read += s.shared_blks_read;
    g.total.shared_blks_dirtied += s.shared_blks_dirtied;
    g.total.shared_blks_written += s.shared_blks_written;
    g.total.mean_exec_time_ms = g.total.total_exec_time_ms / static_cast<double>(g.total.calls);
  }
  return groups;
}

namespace {

void detect_slow_queries(const Workload& w, const std::vector<StatementGroup>& groups, const AnalyzerOptions& options,
                         Findings& out) {
  for (const auto& g : groups) {
    if (g.total.mean_exec_time_ms <= options.slow_mean_ms) continue;
    Finding f;
    f.kind = FindingKind::kSlowQuery;
    f.endpoint = w.endpoint;
    f.query = g.total.query;
    f.queries = g.queries;
    f.query_id = g.total.query_id;
    f.calls_per_request = g.per_request(static_cast<double>(g.total.calls), w.requests);
    f.rows_per_call = g.rows_per_call();
    if (!g.shape.tables.empty()) f.table = g.shape.tables.front();
    f.evidence["mean_ms"] = g.total.mean_exec_time_ms;
    f.evidence["calls"] = static_cast<double>(g.total.calls);
    f.evidence["total_ms"] = g.total.total_exec_time_ms;
    f.evidence["budget_ms"] = options.slow_mean_ms;
    const double ratio = g.total.mean_exec_time_ms / options.slow_mean_ms;
    f.severity = ratio >= 10  ? Severity::kCritical
                 : ratio >= 4 ? Severity::kHigh
                 : ratio >= 2 ? Severity::kMedium
                              : Severity::kLow;
    f.confidence = Confidence::kConfirmed;
    f.suggestion =
        "see the missing_index findings for this statement; otherwise EXPLAIN (ANALYZE, BUFFERS) it on a copy";
    char line[160];
    std::snprintf(line, sizeof line, "slow query: mean %.1f ms > %.0f ms budget over %lld calls",
                  g.total.mean_exec_time_ms, options.slow_mean_ms, static_cast<long long>(g.total.calls));
    f.summary = line;
    out.findings.push_back(std::move(f));
  }
}

}  // namespace
}  // namespace analysis

const TableInfo* Schema::table(const std::string& name) const {
  for (const auto& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

double Schema::n_distinct(const std::string& table_name, const std::string& column) const {
  const TableInfo* t = table(table_name);
  if (!t) return 0;
  for (const auto& c : t->columns) {
    if (c.name == column) return c.n_distinct;
  }
  return 0;
}

Findings analyze_workloads(const AnalysisInput& input, PlanProvider* plans, const AnalyzerOptions& options) {
  using namespace analysis;
  Findings out;
  out.database = redact_dsn(input.database);
  out.source = input.source;
  check_index_hygiene(input.schema, out);
  std::vector<StatementGroup> everything;
  std::unordered_map<std::string, size_t> seen;
  std::unordered_map<std::string, std::set<std::string>> endpoints_of_query;
  for (const auto& w : input.workloads) {
    if (w.delta.inconclusive) {
      out.inconclusive = true;
      out.notes.push_back((w.endpoint.empty() ? std::string("run") : w.endpoint) + ": inconclusive: " + w.delta.note);
    }
    auto groups = group_statements(w.delta, options);
    if (w.requests > 0 && !w.endpoint.empty()) {
      double calls = 0;
      for (const auto& g : groups) calls += static_cast<double>(g.total.calls);
      out.queries_per_request[w.endpoint] = calls / w.requests;
    }
    detect_n_plus_one(w, groups, input.schema, options, out);
    detect_slow_queries(w, groups, options, out);
    // The index advisor sees each statement once, with its calls summed over endpoints.
    for (auto& g : groups) {
      if (!w.endpoint.empty()) endpoints_of_query[g.total.query].insert(w.endpoint);
      const auto [it, inserted] = seen.emplace(g.key, everything.size());
      if (inserted) {
        everything.push_back(std::move(g));
        continue;
      }
      StatementGroup& e = everything[it->second];
      e.total.calls += g.total.calls;
      e.total.total_exec_time_ms += g.total.total_exec_time_ms;
      e.total.rows += g.total.rows;
    }
  }
  advise_indexes(everything, input.schema, plans, options, out);
  // An index finding whose statements all came from one probed endpoint belongs to that endpoint,
  // so that per-endpoint budgets ("no missing_index" on reports.*) see it.
  for (auto& f : out.findings) {
    if (f.kind != FindingKind::kMissingIndex || !f.endpoint.empty()) continue;
    std::set<std::string> endpoints;
    for (const auto& q : f.queries.empty() ? std::vector<std::string>{f.query} : f.queries) {
      const auto it = endpoints_of_query.find(q);
      if (it != endpoints_of_query.end()) endpoints.insert(it->second.begin(), it->second.end());
    }
    if (endpoints.size() == 1) f.endpoint = *endpoints.begin();
  }
  std::stable_sort(out.findings.begin(), out.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  for (auto& n : out.notes) n = redact_dsn(n);
  return out;
}

std::string findings_summary(const Findings& findings) {
  std::string out = "perfgate analyze: " + findings.database + " (" + findings.source +
                    "): " + std::to_string(findings.findings.size()) + " findings" +
                    (findings.inconclusive ? " [INCONCLUSIVE]" : "") + "\n";
  for (const auto& [endpoint, qpr] : findings.queries_per_request) {
    char line[256];
    std::snprintf(line, sizeof line, "  %-40s %8.1f queries/request\n", endpoint.c_str(), qpr);
    out += line;
  }
  for (const auto& f : findings.findings) {
    out += std::string("  [") + severity_name(f.severity) + "/" + confidence_name(f.confidence) + "] " +
           finding_kind_name(f.kind) + ": " + f.summary + "\n";
    if (!f.suggestion.empty()) out += "      fix: " + f.suggestion + "\n";
    for (const auto& n : f.notes) out += "      note: " + n + "\n";
  }
  for (const auto& n : findings.notes) out += "  note: " + n + "\n";
  return out;
}

}  // namespace perfgate
