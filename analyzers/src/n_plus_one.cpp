// N+1 round trips: a key lookup (or single-row write) run once per row of a parent statement.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "analysis_internal.h"

namespace perfgate::analysis {
namespace {

struct Lookup {
  const StatementGroup* group;
  std::string table;
  std::string key;
  double calls_per_request;
};

bool is_write(StatementKind kind) {
  return kind == StatementKind::kInsert || kind == StatementKind::kUpdate || kind == StatementKind::kDelete;
}

// A key lookup: equality on a column, not batched, few rows per call; or a one-row write.
std::optional<Lookup> as_lookup(const StatementGroup& g, const Schema& schema, double requests,
                                const AnalyzerOptions& options) {
  if (!g.parsed || g.shape.batched || g.shape.tables.empty()) return std::nullopt;
  const double cpr = g.per_request(static_cast<double>(g.total.calls), requests);
  if (cpr < options.n_plus_one_min_calls) return std::nullopt;
  if (g.shape.kind == StatementKind::kInsert) {
    if (g.shape.single_row_values != 1) return std::nullopt;
    return Lookup{&g, g.shape.tables.front(), "", cpr};
  }
  if (g.shape.kind != StatementKind::kSelect && !is_write(g.shape.kind)) return std::nullopt;
  if (g.shape.kind == StatementKind::kSelect && g.rows_per_call() > options.lookup_max_rows_per_call)
    return std::nullopt;
  for (const auto& p : g.shape.predicates) {
    if (p.op != PredicateOp::kEquality || p.or_group >= 0) continue;
    return Lookup{&g, resolve_table(p.column, g.shape, schema), p.column.column, cpr};
  }
  return std::nullopt;
}

std::string singular(const std::string& table) {
  if (table.size() > 3 && table.ends_with("ies")) return table.substr(0, table.size() - 3) + "y";
  if (table.size() > 1 && table.ends_with("s")) return table.substr(0, table.size() - 1);
  return table;
}

// How strongly the schema links a parent's tables to the child's lookup key (FK 2, name 1, none 0).
int relation_score(const StatementGroup& parent, const Lookup& child, const Schema& schema) {
  int best = 0;
  for (const auto& pt : parent.shape.tables) {
    for (const auto& fk : schema.foreign_keys) {
      // parent rows point at the child's rows (orders.customer_id -> customers.id) ...
      if (fk.table == pt && fk.referenced_table == child.table) best = 2;
      // ... or the child's rows point back at the parent (order_items.order_id -> orders.id).
      if (fk.table == child.table && fk.referenced_table == pt &&
          std::find(fk.columns.begin(), fk.columns.end(), child.key) != fk.columns.end()) {
        best = 2;
      }
    }
    if (best == 0 && (child.key == singular(pt) + "_id" || (child.key == "id" && pt != child.table))) best = 1;
  }
  return best;
}

struct ParentMatch {
  const StatementGroup* parent = nullptr;
  int score = 0;
  double rows_per_request = 0;
};

ParentMatch find_parent(const Lookup& child, const std::vector<StatementGroup>& groups, const Schema& schema,
                        double requests) {
  ParentMatch best;
  double best_gap = 1e300;
  for (const auto& p : groups) {
    if (&p == child.group || !p.parsed || p.shape.kind != StatementKind::kSelect) continue;
    const double p_cpr = p.per_request(static_cast<double>(p.total.calls), requests);
    const double p_rpr = p.per_request(static_cast<double>(p.total.rows), requests);
    if (p_cpr >= child.calls_per_request || p_rpr <= 0) continue;
    const double gap = std::fabs(child.calls_per_request - p_rpr);
    if (gap > std::max(0.5, 0.1 * p_rpr)) continue;
    const int score = relation_score(p, child, schema);
    if (score > best.score || (score == best.score && gap < best_gap)) {
      best = ParentMatch{&p, score, p_rpr};
      best_gap = gap;
    }
  }
  return best;
}

double calls_per_request_in(const std::vector<StatementGroup>& groups, const std::string& key, double requests) {
  for (const auto& g : groups) {
    if (g.key == key) return g.per_request(static_cast<double>(g.total.calls), requests);
  }
  return 0;
}

Severity severity_of(double round_trips, double db_ms, int k) {
  if (round_trips >= 100 || db_ms >= 500) return Severity::kCritical;
  if (round_trips >= 20 || db_ms >= 100) return Severity::kHigh;
  if (round_trips >= k) return Severity::kMedium;
  return Severity::kLow;
}

std::string fix_for(const Lookup& child) {
  const StatementKind kind = child.group->shape.kind;
  if (kind == StatementKind::kInsert) {
    return "insert all rows in one statement: INSERT INTO " + child.table +
           " ... VALUES (...), (...), ... or INSERT ... SELECT * FROM unnest($1::type[], ...); or COPY";
  }
  if (kind != StatementKind::kSelect) {
    return "apply all rows in one statement: " +
           std::string(kind == StatementKind::kUpdate ? "UPDATE " : "DELETE FROM ") + child.table + " ... WHERE " +
           child.key + " = ANY($1) (or ... FROM (VALUES ...) v)";
  }
  return "batch the lookups: SELECT ... FROM " + child.table + " WHERE " + child.key +
         " = ANY($1) with all keys in one round trip; or JOIN " + child.table +
         " in the parent query; or preload "
         "the association in the ORM (select_related / prefetch_related / includes / JOIN FETCH)";
}

}  // namespace

void detect_n_plus_one(const Workload& workload, const std::vector<StatementGroup>& groups, const Schema& schema,
                       const AnalyzerOptions& options, Findings& out) {
  const double requests = workload.requests;
  std::vector<StatementGroup> scaled;
  if (workload.scaled_delta) scaled = group_statements(*workload.scaled_delta, options);
  const double growth_needed = 1 + 0.5 * (workload.scale_factor - 1);

  for (const auto& g : groups) {
    auto lookup = as_lookup(g, schema, requests, options);
    if (!lookup) continue;
    const ParentMatch parent = find_parent(*lookup, groups, schema, requests);
    std::optional<double> growth, parent_growth;
    if (workload.scaled_delta) {
      growth = calls_per_request_in(scaled, g.key, workload.scaled_requests) / lookup->calls_per_request;
      // Constant per request at twice the page size: a fixed number of lookups, not one per row.
      if (*growth < 1.2) continue;
      if (parent.parent) {
        const double before = parent.parent->per_request(static_cast<double>(parent.parent->total.calls), requests);
        parent_growth = calls_per_request_in(scaled, parent.parent->key, workload.scaled_requests) / before;
      }
    }
    // One finding per lookup statement: each has its own table, count and fix, and a budget or a
    // baseline can follow each one (a view lazy-loading two associations is two N+1s).
    Finding f;
    f.kind = FindingKind::kNPlusOne;
    f.endpoint = workload.endpoint;
    f.query = g.total.query;
    f.queries = {g.total.query};
    f.query_id = g.query_ids.front();
    f.table = lookup->table;
    if (!lookup->key.empty()) f.columns = {lookup->key};
    const double round_trips = lookup->calls_per_request;
    const double db_ms = g.per_request(g.total.total_exec_time_ms, requests);
    f.calls_per_request = round_trips;
    f.rows_per_call = g.rows_per_call();
    f.evidence["round_trips_per_request"] = round_trips;
    f.evidence["db_ms_per_request"] = db_ms;
    f.suggestion = fix_for(*lookup);
    if (parent.parent) {
      f.evidence["parent_rows_per_request"] = parent.rows_per_request;
      f.notes.push_back("parent: " + parent.parent->total.query);
      if (parent.score == 0) f.notes.push_back("parent matched by row counts only (no foreign key or name link)");
    } else {
      f.notes.push_back("no parent statement whose rows per request match the calls per request");
    }
    if (growth) f.evidence["scale_growth"] = *growth;
    if (parent_growth) f.evidence["parent_scale_growth"] = *parent_growth;
    const bool parent_constant = parent_growth && *parent_growth > 0.75 && *parent_growth < 1.34;
    if (growth && *growth >= growth_needed && parent_constant)
      f.confidence = Confidence::kConfirmed;
    else if (parent.parent || growth)
      f.confidence = Confidence::kLikely;
    else
      f.confidence = Confidence::kPossible;
    if (requests <= 0) {
      f.notes.push_back("request count unknown: per-request figures are totals");
      f.confidence = std::min(f.confidence, Confidence::kPossible);
    }
    f.severity = requests > 0 ? severity_of(round_trips, db_ms, options.n_plus_one_min_calls) : Severity::kMedium;
    const bool write = is_write(g.shape.kind);
    char line[256];
    std::snprintf(line, sizeof line, "%s%s: %.1f %s per request on %s%s", write ? "N+1 writes" : "N+1 queries",
                  workload.endpoint.empty() ? "" : (" in " + workload.endpoint).c_str(), round_trips,
                  write ? "single-row writes" : "lookups", f.table.c_str(),
                  lookup->key.empty() ? "" : (" by " + lookup->key).c_str());
    f.summary = line;
    out.findings.push_back(std::move(f));
  }
}

}  // namespace perfgate::analysis
