// N+1 round trips: a key lookup (or single-row write) run once per row of a parent statement.
#include <algorithm>
#include <cmath>
#include <map>
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
  if (g.shape.kind == StatementKind::kSelect && g.rows_per_call() > options.lookup_max_rows_per_call) return std::nullopt;
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
    return "apply all rows in one statement: " + std::string(kind == StatementKind::kUpdate ? "UPDATE " : "DELETE FROM ") +
           child.table + " ... WHERE " + child.key + " = ANY($1) (or ... FROM (VALUES ...) v)";
  }
  return "batch the lookups: SELECT ... FROM " + child.table + " WHERE " + child.key +
         " = ANY($1) with all keys in one round trip; or JOIN " + child.table + " in the parent query; or preload "
         "the association in the ORM (select_related / prefetch_related / includes / JOIN FETCH)";
}

}  // namespace

void detect_n_plus_one(const Workload& workload, const std::vector<StatementGroup>& groups, const Schema& schema,
                       const AnalyzerOptions& options, Findings& out) {
  const double requests = workload.requests;
  std::vector<StatementGroup> scaled;
  if (workload.scaled_delta) scaled = group_statements(*workload.scaled_delta, options);
  const double growth_needed = 1 + 0.5 * (workload.scale_factor - 1);

  struct Child {
    Lookup lookup;
    ParentMatch parent;
    std::optional<double> growth;
    std::optional<double> parent_growth;
  };
  std::map<std::string, std::vector<Child>> by_parent;
  for (const auto& g : groups) {
    auto lookup = as_lookup(g, schema, requests, options);
    if (!lookup) continue;
    Child child{*lookup, find_parent(*lookup, groups, schema, requests), std::nullopt, std::nullopt};
    if (workload.scaled_delta) {
      child.growth = calls_per_request_in(scaled, g.key, workload.scaled_requests) / lookup->calls_per_request;
      // Constant per request at twice the page size: a fixed number of lookups, not one per row.
      if (*child.growth < 1.2) continue;
      if (child.parent.parent) {
        const double before = child.parent.parent->per_request(static_cast<double>(child.parent.parent->total.calls), requests);
        child.parent_growth = calls_per_request_in(scaled, child.parent.parent->key, workload.scaled_requests) / before;
      }
    }
    by_parent[child.parent.parent ? child.parent.parent->key : "self:" + g.key].push_back(child);
  }

  for (auto& [parent_key, children] : by_parent) {
    std::sort(children.begin(), children.end(),
              [](const Child& a, const Child& b) { return a.lookup.calls_per_request > b.lookup.calls_per_request; });
    const Child& head = children.front();
    Finding f;
    f.kind = FindingKind::kNPlusOne;
    f.endpoint = workload.endpoint;
    f.query = head.lookup.group->total.query;
    f.query_id = head.lookup.group->query_ids.front();
    f.table = head.lookup.table;
    if (!head.lookup.key.empty()) f.columns = {head.lookup.key};
    double round_trips = 0, db_ms = 0, rows = 0, calls = 0;
    bool all_confirmed = true;
    std::vector<std::string> fixes;
    for (const auto& c : children) {
      f.queries.push_back(c.lookup.group->total.query);
      round_trips += c.lookup.calls_per_request;
      db_ms += c.lookup.group->per_request(c.lookup.group->total.total_exec_time_ms, requests);
      rows += static_cast<double>(c.lookup.group->total.rows);
      calls += static_cast<double>(c.lookup.group->total.calls);
      fixes.push_back(fix_for(c.lookup));
      const bool parent_constant = c.parent_growth && *c.parent_growth > 0.75 && *c.parent_growth < 1.34;
      if (!(c.growth && *c.growth >= growth_needed && parent_constant)) all_confirmed = false;
    }
    f.calls_per_request = round_trips;
    f.rows_per_call = calls > 0 ? rows / calls : 0;
    f.evidence["round_trips_per_request"] = round_trips;
    f.evidence["db_ms_per_request"] = db_ms;
    f.evidence["statements"] = static_cast<double>(children.size());
    const bool write = is_write(head.lookup.group->shape.kind);
    std::string suggestion;
    for (const auto& fix : fixes) suggestion += (suggestion.empty() ? "" : "\n") + fix;
    f.suggestion = suggestion;
    if (head.parent.parent) {
      f.evidence["parent_rows_per_request"] = head.parent.rows_per_request;
      f.notes.push_back("parent: " + head.parent.parent->total.query);
      if (head.parent.score == 0) f.notes.push_back("parent matched by row counts only (no foreign key or name link)");
    } else {
      f.notes.push_back("no parent statement whose rows per request match the calls per request");
    }
    if (head.growth) f.evidence["scale_growth"] = *head.growth;
    if (head.parent_growth) f.evidence["parent_scale_growth"] = *head.parent_growth;
    if (all_confirmed) f.confidence = Confidence::kConfirmed;
    else if (head.parent.parent || head.growth) f.confidence = Confidence::kLikely;
    else f.confidence = Confidence::kPossible;
    if (requests <= 0) {
      f.notes.push_back("request count unknown: per-request figures are totals");
      f.confidence = std::min(f.confidence, Confidence::kPossible);
    }
    f.severity = requests > 0 ? severity_of(round_trips, db_ms, options.n_plus_one_min_calls) : Severity::kMedium;
    char line[256];
    std::snprintf(line, sizeof line, "%s%s: %.1f %s per request on %s%s", write ? "N+1 writes" : "N+1 queries",
                  workload.endpoint.empty() ? "" : (" in " + workload.endpoint).c_str(), round_trips,
                  write ? "single-row writes" : "lookups", f.table.c_str(),
                  children.size() > 1 ? (" (+" + std::to_string(children.size() - 1) + " more statements)").c_str() : "");
    f.summary = line;
    out.findings.push_back(std::move(f));
  }
}

}  // namespace perfgate::analysis
