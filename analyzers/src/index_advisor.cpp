// Missing indexes: candidates from the parse tree, each proved by costing the statement's generic
// plan with hypothetical indexes (hypopg); heuristics only when costing is impossible, said so.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "analysis_internal.h"

namespace perfgate::analysis {

std::string quote_identifier(const std::string& name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  }) && !(name[0] >= '0' && name[0] <= '9');
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string reindex_statement(const std::string& index_name) {
  return "REINDEX INDEX CONCURRENTLY " + quote_identifier(index_name) + ";";
}

namespace {

std::string ddl(const HypotheticalIndex& index) { return "CREATE INDEX CONCURRENTLY " + index_target_sql(index) + ";"; }

struct Suggestion {
  HypotheticalIndex index;
  std::vector<const StatementGroup*> statements;
  double cost_before = 0, cost_after = 0;
  Confidence confidence = Confidence::kConfirmed;
  std::vector<std::string> notes;
};

bool low_cardinality(const HypotheticalIndex& index, const Schema& schema, const AnalyzerOptions& options) {
  const TableInfo* t = schema.table(index.table);
  const double rows = t ? t->rows_estimate : 0;
  double distinct = schema.n_distinct(index.table, index.columns.front());
  if (distinct < 0) distinct = -distinct * rows;
  return distinct > 0 && distinct < options.low_cardinality_distinct;
}

bool tiny_table(const std::string& table, const Schema& schema, const AnalyzerOptions& options) {
  const TableInfo* t = schema.table(table);
  return !t || t->rows_estimate < options.tiny_table_rows;
}

std::string describe(const HypotheticalIndex& index) {
  std::string keys;
  if (!index.expression.empty()) keys = index.expression;
  for (const auto& c : index.columns) {
    if (index.expression.empty()) keys += (keys.empty() ? "" : ", ") + c;
  }
  return index.table + " (" + keys + ")" + (index.where.empty() ? "" : " WHERE " + index.where);
}

// The fix for a predicate the planner cannot match to an index on the column.
std::string rewrite_for(const Predicate& p, const std::string& table) {
  const std::string col = quote_identifier(p.column.column);
  const std::string what = p.expression.empty() ? "the expression on " + col : p.expression;
  switch (p.expression_kind) {
    case ExpressionKind::kCast:
      return "compare the column itself and cast the parameter: " + col + " = CAST($1 AS <type of " + table + "." +
             col + ">) instead of " + what + " = $1; an index on " + table + " (" + col + ") then serves it";
    case ExpressionKind::kDatePart:
      return "compare a range on the column instead of " + what + ": " + col + " >= $1 AND " + col +
             " < $1 + interval '1 day' (the period's start and end); an index on " + table + " (" + col +
             ") then serves it";
    case ExpressionKind::kArithmetic:
      return "move the arithmetic to the parameter's side (" + col + " = $1 - k instead of " + what +
             " = $1); an index on " + table + " (" + col + ") then serves it";
    default:
      return "rewrite " + what +
             " so that the column stands alone on one side of the comparison; no index can "
             "hold an expression that contains a parameter";
  }
}

// A finding about one statement group and one column, with its call count as evidence.
Finding statement_finding(const StatementGroup& g, FindingKind kind, const std::string& table,
                          const std::string& column, Severity severity, Confidence confidence) {
  Finding f;
  f.kind = kind;
  f.query = g.total.query;
  f.queries = {g.total.query};
  f.query_id = g.query_ids.front();
  f.table = table;
  f.columns = {column};
  f.severity = severity;
  f.confidence = confidence;
  f.evidence["calls"] = static_cast<double>(g.total.calls);
  return f;
}

Finding rewrite_finding(const StatementGroup& g, const std::string& table, const std::string& column) {
  Finding f = statement_finding(g, FindingKind::kQueryRewrite, table, column, Severity::kMedium, Confidence::kLikely);
  f.evidence["total_ms"] = g.total.total_exec_time_ms;
  return f;
}

// GIN for containment and infix text search: hypopg cannot cost GIN, so these are heuristics.
void advise_gin(const StatementGroup& g, const Schema& schema, const AnalyzerOptions& options, Findings& out,
                std::set<std::string>& seen) {
  for (const auto& p : g.shape.predicates) {
    if (p.op != PredicateOp::kContains) continue;
    const std::string table = base_table_of(p.column, g.shape, schema);
    if (table.empty() || tiny_table(table, schema, options)) continue;
    const bool text_search = p.function == "~~" || p.function == "~~*" || p.function == "~" || p.function == "~*";
    bool indexed = false;
    for (const auto& existing : schema.indexes) {
      const std::string def = squeeze_sql(existing.definition);
      indexed = indexed || (existing.table == table && def.find("usinggin") != std::string::npos &&
                            def.find(squeeze_sql(p.column.column)) != std::string::npos);
    }
    if (indexed || !seen.insert(table + "." + p.column.column).second) continue;
    Finding f =
        statement_finding(g, FindingKind::kMissingIndex, table, p.column.column, Severity::kLow, Confidence::kPossible);
    const std::string col = quote_identifier(p.column.column);
    if (text_search) {
      f.suggestion = "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE INDEX CONCURRENTLY ON " + quote_identifier(table) +
                     " USING gin (" + col + " gin_trgm_ops);";
      f.summary = "possible trigram index on " + table + " (" + p.column.column + ") for " + p.function +
                  " (heuristic, needs pg_trgm)";
      f.notes.push_back(
          "heuristic: a btree cannot serve a pattern with a leading wildcard or ILIKE; the trigram "
          "GIN index needs the pg_trgm extension; hypopg cannot cost GIN indexes");
    } else {
      f.suggestion = "CREATE INDEX CONCURRENTLY ON " + quote_identifier(table) + " USING gin (" + col + ");";
      f.summary = "possible GIN index on " + table + " (" + p.column.column + ") for " + p.function + " (heuristic)";
      f.notes.push_back("heuristic: jsonb and array operators (" + p.function +
                        ") need a GIN index; hypopg cannot cost GIN indexes");
    }
    out.findings.push_back(std::move(f));
  }
}

}  // namespace

void advise_indexes(const std::vector<StatementGroup>& groups, const Schema& schema, PlanProvider* plans,
                    const AnalyzerOptions& options, Findings& out) {
  const bool costing = plans && plans->supports_hypothetical_indexes();
  if (!costing) {
    out.notes.push_back(
        "hypopg absent: index suggestions are heuristics (install postgresql-15-hypopg and "
        "CREATE EXTENSION hypopg to prove them)");
  }
  std::map<std::string, Suggestion> suggestions;
  std::map<std::string, std::vector<std::string>> invalid_users;
  std::map<const StatementGroup*, double> costs_before;
  std::set<std::string> gin_seen;
  for (const auto& g : groups) {
    if (!g.parsed || g.shape.kind == StatementKind::kInsert || g.shape.kind == StatementKind::kOther) continue;
    // Predicates no index on the column can serve as written: the statement must change.
    std::set<std::string> rewritten;
    for (const auto& p : g.shape.predicates) {
      if (p.expression_kind == ExpressionKind::kNone || p.expression_kind == ExpressionKind::kFunction) continue;
      const std::string table = base_table_of(p.column, g.shape, schema);
      if (table.empty() || tiny_table(table, schema, options) ||
          !rewritten.insert(table + "." + p.column.column).second)
        continue;
      Finding f = rewrite_finding(g, table, p.column.column);
      f.suggestion = rewrite_for(p, table);
      f.summary = "non-sargable predicate on " + table + "." + p.column.column + ": " +
                  (p.expression.empty() ? p.column.column : p.expression) +
                  " hides the column from its indexes; rewrite it";
      f.notes.push_back("heuristic: the rewrite is not costed; no index is suggested for it");
      out.findings.push_back(std::move(f));
    }
    for (const auto& fence : g.shape.fenced_filters) {
      if (fence.base_table.empty() || tiny_table(fence.base_table, schema, options)) continue;
      Finding f = rewrite_finding(g, fence.base_table, fence.column);
      f.suggestion = "move the filter on " + fence.column + " into the CTE " + fence.cte +
                     " (or drop MATERIALIZED): the "
                     "fence makes PostgreSQL scan all of " +
                     fence.base_table + " before filtering";
      f.summary = "MATERIALIZED CTE " + fence.cte + " hides the filter on " + fence.column + " from the scan of " +
                  fence.base_table + "; rewrite it";
      f.notes.push_back("heuristic: an index on " + fence.base_table + " (" + fence.column +
                        ") cannot help while the fence stays");
      out.findings.push_back(std::move(f));
    }
    advise_gin(g, schema, options, out, gin_seen);

    std::vector<IndexSet> sets;
    for (auto& set : index_candidate_sets(g, schema, options)) {
      bool useful = true;
      for (const auto& idx : set) {
        const IndexInfo* existing = covering_index(idx, schema);
        if (existing && !existing->valid) invalid_users[existing->name].push_back(g.total.query);
        if (existing) useful = false;
      }
      if (useful) sets.push_back(std::move(set));
    }
    if (sets.empty()) continue;
    if (!costing) {
      for (const auto& set : sets) {
        if (set.size() != 1 || !set.front().expression.empty() || !set.front().where.empty()) continue;
        const auto& idx = set.front();
        if (tiny_table(idx.table, schema, options) || low_cardinality(idx, schema, options)) continue;
        auto& s = suggestions[ddl(idx)];
        s.index = idx;
        s.confidence = Confidence::kPossible;
        s.statements.push_back(&g);
        break;
      }
      continue;
    }
    auto before = plans->cost(g.total.query, g.shape.param_count, {});
    if (!before) {
      out.notes.push_back(before.error().message + " (" + g.total.query + ")");
      continue;
    }
    costs_before[&g] = *before;
    if (*before < options.index_min_cost) continue;
    const IndexSet* best = nullptr;
    double best_cost = *before;
    double best_width = 0;
    for (const auto& set : sets) {
      auto after = plans->cost(g.total.query, g.shape.param_count, set);
      if (!after) {
        // PostgreSQL refuses to index a function that is not IMMUTABLE (date(timestamptz), ...):
        // the predicate has to be rewritten as a range on the column.
        if (set.size() == 1 && !set.front().expression.empty() &&
            after.error().message.find("IMMUTABLE") != std::string::npos) {
          Finding f = rewrite_finding(g, set.front().table, set.front().columns.front());
          f.suggestion = "compare the column itself (a range for dates) instead of " + set.front().expression +
                         ": PostgreSQL cannot index it (not IMMUTABLE)";
          f.summary = "non-sargable predicate on " + set.front().table + "." + set.front().columns.front() + ": " +
                      set.front().expression + " cannot be indexed; rewrite it";
          f.notes.push_back("hypopg: " + after.error().message);
          out.findings.push_back(std::move(f));
        }
        continue;
      }
      double width = 0;
      for (const auto& idx : set) width += static_cast<double>(idx.columns.size()) - (idx.where.empty() ? 0 : 0.5);
      // Prefer the narrower set when it is nearly as good: fewer, smaller indexes to maintain, and
      // no column that the data does not need. A partial index counts as narrower than a full one.
      const bool clearly_better = *after < best_cost * 0.95;
      const bool as_good_and_narrower = best && *after <= best_cost * 1.05 && width < best_width;
      if (clearly_better || as_good_and_narrower || (!best && *after < best_cost)) {
        best = &set;
        best_cost = std::min(best_cost, *after);
        best_width = width;
      }
    }
    if (!best || 1 - best_cost / *before < options.index_min_saving) continue;
    for (const auto& idx : *best) {
      auto& s = suggestions[ddl(idx)];
      s.index = idx;
      s.statements.push_back(&g);
      if (*before > s.cost_before) {
        s.cost_before = *before;
        s.cost_after = best_cost;
      }
      if (best->size() > 1) {
        for (const auto& other : *best) {
          if (!(other == idx)) s.notes.push_back("costed together with " + ddl(other));
        }
      }
    }
  }
  // The workload view (as Azure's index tuning does): an index that helps one statement must not
  // make another analysed statement on the same table more than 10% more expensive.
  if (costing) {
    for (auto it = suggestions.begin(); it != suggestions.end();) {
      const Suggestion& s = it->second;
      std::string worse;
      for (const auto& [g, before] : costs_before) {
        if (std::find(s.statements.begin(), s.statements.end(), g) != s.statements.end()) continue;
        bool touches = false;
        for (const auto& t : g->shape.tables) touches = touches || base_table(t, schema) == s.index.table;
        if (!touches) continue;
        auto after = plans->cost(g->total.query, g->shape.param_count, {s.index});
        if (after && *after > before * 1.10) worse = g->total.query;
      }
      if (!worse.empty()) {
        out.notes.push_back("not suggested: " + ddl(s.index) +
                            " would make another analysed statement more than 10% "
                            "more expensive (" +
                            worse + ")");
        it = suggestions.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& [key, s] : suggestions) {
    Finding f;
    f.kind = FindingKind::kMissingIndex;
    const StatementGroup* head = s.statements.front();
    f.query = head->total.query;
    f.query_id = head->query_ids.front();
    double total_ms = 0, calls = 0;
    for (const auto* g : s.statements) {
      f.queries.push_back(g->total.query);
      total_ms += g->total.total_exec_time_ms;
      calls += static_cast<double>(g->total.calls);
    }
    f.table = s.index.table;
    f.columns = s.index.columns;
    f.suggestion = ddl(s.index);
    f.confidence = s.confidence;
    f.notes = s.notes;
    f.evidence["calls"] = calls;
    f.evidence["total_ms"] = total_ms;
    if (!s.index.expression.empty()) {
      f.notes.push_back("an index on " + s.index.table + " (" + s.index.columns.front() + ") alone cannot serve " +
                        s.index.expression + "; the expression index can");
    }
    if (!s.index.where.empty())
      f.notes.push_back("partial index: only the rows WHERE " + s.index.where + " are indexed");
    if (s.confidence == Confidence::kConfirmed) {
      const double saving = 1 - s.cost_after / s.cost_before;
      f.evidence["cost_before"] = s.cost_before;
      f.evidence["cost_after"] = s.cost_after;
      f.evidence["saving_percent"] = std::round(saving * 1000) / 10;
      f.severity = saving >= 0.9 && total_ms >= 1000 ? Severity::kHigh : Severity::kMedium;
      f.summary = "missing index on " + describe(s.index) + ": plan cost " +
                  std::to_string(static_cast<long>(s.cost_before)) + " -> " +
                  std::to_string(static_cast<long>(s.cost_after)) + " with a hypothetical index";
    } else {
      f.severity = Severity::kLow;
      f.notes.push_back("hypopg absent: heuristic, not costed");
      f.summary = "possible missing index on " + describe(s.index) + " (heuristic)";
    }
    // Every write to the table also writes the index: on a write-heavy table the advice matters less.
    const TableInfo* t = schema.table(f.table);
    if (t && t->row_writes >= 1000 && static_cast<double>(t->row_writes) > 10 * calls) {
      f.severity =
          f.severity > Severity::kLow ? static_cast<Severity>(static_cast<int>(f.severity) - 1) : Severity::kLow;
      f.evidence["table_row_writes"] = static_cast<double>(t->row_writes);
      f.notes.push_back("write-heavy table: " + std::to_string(t->row_writes) +
                        " row writes (pg_stat_user_tables) against " + std::to_string(static_cast<long long>(calls)) +
                        " calls served; the index adds write cost, so the "
                        "severity is lowered");
    }
    out.findings.push_back(std::move(f));
  }
  // An invalid index is fixed by REINDEX, not by a second index: name the statements it would serve.
  for (auto& f : out.findings) {
    if (f.kind != FindingKind::kInvalidIndex) continue;
    for (const auto& [name, queries] : invalid_users) {
      if (f.suggestion != reindex_statement(name)) continue;
      for (const auto& q : queries) {
        if (std::find(f.queries.begin(), f.queries.end(), q) == f.queries.end()) f.queries.push_back(q);
      }
    }
  }
}

}  // namespace perfgate::analysis

namespace perfgate {

std::string index_target_sql(const HypotheticalIndex& index) {
  std::string keys;
  if (!index.expression.empty())
    keys = "(" + index.expression + ")";
  else
    for (const auto& c : index.columns) keys += (keys.empty() ? "" : ", ") + analysis::quote_identifier(c);
  return "ON " + analysis::quote_identifier(index.table) + (index.method.empty() ? "" : " USING " + index.method) +
         " (" + keys + ")" + (index.where.empty() ? "" : " WHERE " + index.where);
}

}  // namespace perfgate
