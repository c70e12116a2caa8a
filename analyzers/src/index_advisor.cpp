// Missing indexes: candidates from the parse tree, each proved by costing the statement's generic
// plan with hypothetical indexes (hypopg); heuristics only when costing is impossible, said so.
#include <algorithm>
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

using IndexSet = std::vector<HypotheticalIndex>;

std::string ddl(const HypotheticalIndex& index) {
  std::string cols;
  for (const auto& c : index.columns) cols += (cols.empty() ? "" : ", ") + quote_identifier(c);
  return "CREATE INDEX CONCURRENTLY ON " + quote_identifier(index.table) + " (" + cols + ");";
}

// Existing index whose leading columns are `index`'s columns: valid ones make it redundant.
const IndexInfo* covering_index(const HypotheticalIndex& index, const Schema& schema) {
  for (const auto& existing : schema.indexes) {
    if (existing.table != index.table || existing.partial || existing.columns.size() < index.columns.size()) continue;
    if (std::equal(index.columns.begin(), index.columns.end(), existing.columns.begin())) return &existing;
  }
  return nullptr;
}

void add_unique(std::vector<IndexSet>& sets, IndexSet set) {
  std::sort(set.begin(), set.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.columns) < std::tie(b.table, b.columns);
  });
  set.erase(std::unique(set.begin(), set.end()), set.end());
  if (!set.empty() && std::find(sets.begin(), sets.end(), set) == sets.end()) sets.push_back(std::move(set));
}

void push_column(std::vector<std::string>& cols, const std::string& c) {
  if (!c.empty() && std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
}

struct TableColumns {
  std::vector<std::string> equality, range, order;
};

// Candidate index sets for one statement, most specific first.
std::vector<IndexSet> candidate_sets(const StatementGroup& g, const Schema& schema, const AnalyzerOptions& options) {
  const QueryShape& s = g.shape;
  const size_t max_cols = static_cast<size_t>(std::max(1, options.max_index_columns));
  std::map<std::string, TableColumns> per_table;
  std::map<int, std::map<int, HypotheticalIndex>> or_branches;
  for (const auto& p : s.predicates) {
    const std::string table = resolve_table(p.column, s, schema);
    if (table.empty() || p.op == PredicateOp::kIsNull) continue;
    if (p.or_group >= 0) {
      auto& branch = or_branches[p.or_group];
      if (!branch.contains(p.or_branch)) branch[p.or_branch] = HypotheticalIndex{table, {p.column.column}};
      continue;
    }
    auto& tc = per_table[table];
    push_column(p.op == PredicateOp::kRange ? tc.range : tc.equality, p.column.column);
  }
  if (s.has_limit) {
    for (const auto& o : s.order_by) {
      const std::string table = resolve_table(o, s, schema);
      if (!table.empty()) push_column(per_table[table].order, o.column);
    }
  }
  std::vector<IndexSet> sets;
  std::map<std::string, HypotheticalIndex> best_per_table;
  for (const auto& [table, tc] : per_table) {
    for (const auto& c : tc.equality) add_unique(sets, {{table, {c}}});
    for (const auto& c : tc.range) add_unique(sets, {{table, {c}}});
    std::vector<std::string> eq(tc.equality.begin(), tc.equality.begin() + std::min(tc.equality.size(), max_cols));
    if (eq.size() > 1) add_unique(sets, {{table, eq}});
    std::vector<std::string> head(eq.begin(), eq.begin() + std::min(eq.size(), max_cols - 1));
    for (const auto* tail : {&tc.order, &tc.range}) {
      if (tail->empty()) continue;
      auto cols = head;
      push_column(cols, tail->front());
      add_unique(sets, {{table, cols}});
    }
    if (!tc.order.empty() && eq.empty()) add_unique(sets, {{table, {tc.order.front()}}});
    if (!eq.empty()) best_per_table[table] = HypotheticalIndex{table, eq};
    else if (!tc.range.empty()) best_per_table[table] = HypotheticalIndex{table, {tc.range.front()}};
  }
  for (const auto& j : s.joins) {
    const HypotheticalIndex left{resolve_table(j.left, s, schema), {j.left.column}};
    const HypotheticalIndex right{resolve_table(j.right, s, schema), {j.right.column}};
    if (left.table.empty() || right.table.empty()) continue;
    add_unique(sets, {left});
    add_unique(sets, {right});
    add_unique(sets, {left, right});
    for (const auto& [table, idx] : best_per_table) {
      add_unique(sets, {idx, table == left.table ? right : left});
    }
  }
  if (best_per_table.size() > 1) {
    IndexSet all;
    for (const auto& [table, idx] : best_per_table) all.push_back(idx);
    add_unique(sets, all);
  }
  for (const auto& [group, branches] : or_branches) {
    IndexSet set;
    for (const auto& [branch, idx] : branches) {
      add_unique(sets, {idx});
      set.push_back(idx);
    }
    add_unique(sets, set);
  }
  return sets;
}

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

}  // namespace

std::string resolve_table(const ColumnName& column, const QueryShape& shape, const Schema& schema) {
  if (!column.table.empty()) return column.table;
  if (shape.tables.size() == 1) return shape.tables.front();
  std::string found;
  for (const auto& name : shape.tables) {
    const TableInfo* t = schema.table(name);
    if (!t) continue;
    for (const auto& c : t->columns) {
      if (c.name != column.column) continue;
      if (!found.empty()) return "";
      found = name;
    }
  }
  return found;
}

void advise_indexes(const std::vector<StatementGroup>& groups, const Schema& schema, PlanProvider* plans,
                    const AnalyzerOptions& options, Findings& out) {
  const bool costing = plans && plans->supports_hypothetical_indexes();
  if (!costing) {
    out.notes.push_back("hypopg absent: index suggestions are heuristics (install postgresql-15-hypopg and "
                        "CREATE EXTENSION hypopg to prove them)");
  }
  std::map<std::pair<std::string, std::vector<std::string>>, Suggestion> suggestions;
  std::map<std::string, std::vector<std::string>> invalid_users;
  for (const auto& g : groups) {
    if (!g.parsed || g.shape.kind == StatementKind::kInsert || g.shape.kind == StatementKind::kOther) continue;
    std::vector<IndexSet> sets;
    for (auto& set : candidate_sets(g, schema, options)) {
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
        if (set.size() != 1) continue;
        const auto& idx = set.front();
        if (tiny_table(idx.table, schema, options) || low_cardinality(idx, schema, options)) continue;
        auto& s = suggestions[{idx.table, idx.columns}];
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
    if (*before < options.index_min_cost) continue;
    const IndexSet* best = nullptr;
    double best_cost = *before;
    size_t best_width = 0;
    for (const auto& set : sets) {
      auto after = plans->cost(g.total.query, g.shape.param_count, set);
      if (!after) continue;
      size_t width = 0;
      for (const auto& idx : set) width += idx.columns.size();
      // Prefer the narrower set when it is nearly as good: fewer, smaller indexes to maintain.
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
      auto& s = suggestions[{idx.table, idx.columns}];
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
    std::string cols;
    for (const auto& c : s.index.columns) cols += (cols.empty() ? "" : ", ") + c;
    if (s.confidence == Confidence::kConfirmed) {
      const double saving = 1 - s.cost_after / s.cost_before;
      f.evidence["cost_before"] = s.cost_before;
      f.evidence["cost_after"] = s.cost_after;
      f.evidence["saving_percent"] = std::round(saving * 1000) / 10;
      f.severity = saving >= 0.9 && total_ms >= 1000 ? Severity::kHigh : Severity::kMedium;
      f.summary = "missing index on " + f.table + " (" + cols + "): plan cost " + std::to_string(static_cast<long>(s.cost_before)) +
                  " -> " + std::to_string(static_cast<long>(s.cost_after)) + " with a hypothetical index";
    } else {
      f.severity = Severity::kLow;
      f.notes.push_back("hypopg absent: heuristic, not costed");
      f.summary = "possible missing index on " + f.table + " (" + cols + ") (heuristic)";
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
