// Index hygiene in the manner of PgHero: invalid, duplicate (prefix of another) and unused indexes.
#include <algorithm>

#include "analysis_internal.h"

namespace perfgate::analysis {
namespace {

std::string column_list(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + (c.empty() ? std::string("<expression>") : c);
  return out;
}

bool has_expression(const IndexInfo& index) {
  return std::any_of(index.columns.begin(), index.columns.end(), [](const std::string& c) { return c.empty(); });
}

Finding index_finding(FindingKind kind, const IndexInfo& index) {
  Finding f;
  f.kind = kind;
  f.table = index.table;
  f.columns = index.columns;
  f.query_id = index.name;
  f.evidence["idx_scan"] = static_cast<double>(index.scans);
  f.notes.push_back(index.definition);
  return f;
}

}  // namespace

void check_index_hygiene(const Schema& schema, Findings& out) {
  std::vector<std::string> covering;  // wider indexes that absorb a duplicate's scans once it is dropped
  for (const auto& index : schema.indexes) {
    if (index.valid) continue;
    Finding f = index_finding(FindingKind::kInvalidIndex, index);
    f.severity = Severity::kHigh;
    f.confidence = Confidence::kConfirmed;
    f.suggestion = reindex_statement(index.name);
    f.summary = "invalid index " + index.name + " on " + index.table + " (" + column_list(index.columns) +
                "): the planner ignores it; rebuild it (a failed CREATE INDEX CONCURRENTLY leaves this)";
    out.findings.push_back(std::move(f));
  }
  for (const auto& a : schema.indexes) {
    // A unique index enforces something the wider one does not, so it is never redundant.
    if (!a.valid || a.partial || a.unique || a.primary || has_expression(a) || a.columns.empty()) continue;
    for (const auto& b : schema.indexes) {
      if (&a == &b || !b.valid || b.partial || b.table != a.table || has_expression(b)) continue;
      if (b.columns.size() < a.columns.size()) continue;
      if (!std::equal(a.columns.begin(), a.columns.end(), b.columns.begin())) continue;
      // Identical column lists: report only the later name of the pair.
      if (b.columns.size() == a.columns.size() && !b.unique && !b.primary && a.name < b.name) continue;
      Finding f = index_finding(FindingKind::kDuplicateIndex, a);
      f.severity = Severity::kLow;
      f.confidence = Confidence::kConfirmed;
      f.suggestion = "DROP INDEX CONCURRENTLY " + quote_identifier(a.name) + ";";
      f.summary = "duplicate index " + a.name + " (" + column_list(a.columns) + ") is covered by " + b.name + " (" +
                  column_list(b.columns) + ") on " + a.table;
      f.notes.push_back("covered by: " + b.definition);
      covering.push_back(b.name);
      out.findings.push_back(std::move(f));
      break;
    }
  }
  for (const auto& index : schema.indexes) {
    if (!index.valid || index.unique || index.primary || index.scans > 0) continue;
    if (std::find(covering.begin(), covering.end(), index.name) != covering.end()) continue;
    Finding f = index_finding(FindingKind::kUnusedIndex, index);
    f.severity = Severity::kInfo;
    f.confidence = Confidence::kPossible;
    f.suggestion = "DROP INDEX CONCURRENTLY " + quote_identifier(index.name) + ";";
    f.summary = "unused index " + index.name + " on " + index.table + " (" + column_list(index.columns) +
                "): no scans since statistics were reset";
    f.notes.push_back("idx_scan counts since the last statistics reset, on this server only (check replicas)");
    out.findings.push_back(std::move(f));
  }
}

}  // namespace perfgate::analysis
