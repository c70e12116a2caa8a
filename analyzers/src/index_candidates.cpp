// Missing-index candidates: the index sets a statement's parse tree suggests (equality, range,
// ORDER BY ... LIMIT, GROUP BY, joins, OR branches, expressions, partial predicates) and the
// existing indexes that already serve one. index_advisor.cpp costs them.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <tuple>

#include "analysis_internal.h"

namespace perfgate::analysis {
namespace {

void add_unique(std::vector<IndexSet>& sets, IndexSet set) {
  std::sort(set.begin(), set.end(), [](const auto& a, const auto& b) {
    return std::tie(a.table, a.columns, a.expression, a.where) < std::tie(b.table, b.columns, b.expression, b.where);
  });
  set.erase(std::unique(set.begin(), set.end()), set.end());
  for (const auto& idx : set) {
    if (idx.table.empty() || (idx.columns.empty() && idx.expression.empty())) return;
  }
  if (!set.empty() && std::find(sets.begin(), sets.end(), set) == sets.end()) sets.push_back(std::move(set));
}

void push_column(std::vector<std::string>& cols, const std::string& c) {
  if (!c.empty() && std::find(cols.begin(), cols.end(), c) == cols.end()) cols.push_back(c);
}

struct TableColumns {
  std::vector<std::string> equality, range, order;
};

// A partial index's predicate for a rare-value filter (IS NULL, = constant), "" when not one.
std::string partial_predicate(const Predicate& p) {
  if (p.or_group >= 0 || p.expression_kind != ExpressionKind::kNone) return "";
  if (p.op == PredicateOp::kIsNull) return quote_identifier(p.column.column) + " IS NULL";
  if (p.op == PredicateOp::kEquality && !p.constant.empty())
    return quote_identifier(p.column.column) + " = " + p.constant;
  return "";
}

void add_permutations(std::vector<IndexSet>& sets, const std::string& table, std::vector<std::string> cols,
                      const std::vector<std::string>& tail) {
  std::sort(cols.begin(), cols.end());
  do {
    auto all = cols;
    for (const auto& t : tail) push_column(all, t);
    add_unique(sets, {{table, all}});
  } while (std::next_permutation(cols.begin(), cols.end()));
}

}  // namespace

// SQL text reduced to what pg_get_indexdef and a statement's text share: no spaces, parentheses,
// quotes or case, so "lower(email)" matches "USING btree (lower(email))".
std::string squeeze_sql(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '"') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Existing index that serves what `index` would: same leading columns (or the same expression,
// or the same partial predicate). Valid ones make the candidate redundant.
const IndexInfo* covering_index(const HypotheticalIndex& index, const Schema& schema) {
  for (const auto& existing : schema.indexes) {
    if (existing.table != index.table) continue;
    if (!index.expression.empty()) {
      if (squeeze_sql(existing.definition).find(squeeze_sql(index.expression)) != std::string::npos) return &existing;
      continue;
    }
    if (existing.partial &&
        (index.where.empty() || squeeze_sql(existing.definition).find(squeeze_sql(index.where)) == std::string::npos))
      continue;
    if (existing.columns.size() < index.columns.size()) continue;
    if (std::equal(index.columns.begin(), index.columns.end(), existing.columns.begin())) return &existing;
  }
  return nullptr;
}

// A view reading one table stands for that table.
std::string base_table(const std::string& table, const Schema& schema) {
  for (const auto& v : schema.views) {
    if (v.name == table) return v.base_table;
  }
  return table;
}

// The column's table, seen through a single-table view.
std::string base_table_of(const ColumnName& c, const QueryShape& s, const Schema& schema) {
  const std::string t = resolve_table(c, s, schema);
  return t.empty() ? t : base_table(t, schema);
}

// Candidate index sets for one statement, most specific first. The planner's costs, not the
// textual order, choose among them (column order included).
std::vector<IndexSet> index_candidate_sets(const StatementGroup& g, const Schema& schema,
                                           const AnalyzerOptions& options) {
  const QueryShape& s = g.shape;
  const size_t max_cols = static_cast<size_t>(std::max(1, options.max_index_columns));
  std::map<std::string, TableColumns> per_table;
  std::map<int, std::map<int, HypotheticalIndex>> or_branches;
  std::vector<HypotheticalIndex> expressions, partials;
  for (const auto& p : s.predicates) {
    const std::string table = base_table_of(p.column, s, schema);
    if (table.empty() || p.op == PredicateOp::kContains) continue;
    if (p.expression_kind != ExpressionKind::kNone) {
      // Only a parameter-free function of the column can be an index expression; the others are rewrites.
      if (p.expression_kind == ExpressionKind::kFunction && !p.expression.empty() && p.or_group < 0) {
        expressions.push_back(HypotheticalIndex{table, {p.column.column}, p.expression});
      }
      continue;
    }
    if (const std::string where = partial_predicate(p); !where.empty()) {
      partials.push_back(HypotheticalIndex{table, {p.column.column}, "", where});
    }
    if (p.op == PredicateOp::kIsNull) continue;
    if (p.or_group >= 0) {
      auto& branch = or_branches[p.or_group];
      if (!branch.contains(p.or_branch)) branch[p.or_branch] = HypotheticalIndex{table, {p.column.column}};
      continue;
    }
    auto& tc = per_table[table];
    push_column(p.op == PredicateOp::kRange ? tc.range : tc.equality, p.column.column);
  }
  if (s.has_limit || s.has_offset) {
    for (const auto& o : s.order_by) {
      const std::string table = base_table_of(o, s, schema);
      if (!table.empty()) push_column(per_table[table].order, o.column);
    }
  }
  std::map<std::string, std::vector<std::string>> group_cols;
  for (const auto& c : s.group_by) {
    const std::string table = base_table_of(c, s, schema);
    if (!table.empty()) push_column(group_cols[table], c.column);
  }
  std::vector<IndexSet> sets;
  std::map<std::string, HypotheticalIndex> best_per_table;
  for (const auto& [table, tc] : per_table) {
    for (const auto& c : tc.equality) add_unique(sets, {{table, {c}}});
    for (const auto& c : tc.range) add_unique(sets, {{table, {c}}});
    std::vector<std::string> eq(
        tc.equality.begin(), tc.equality.begin() + static_cast<std::ptrdiff_t>(std::min(tc.equality.size(), max_cols)));
    if (eq.size() > 1) add_permutations(sets, table, eq, {});
    std::vector<std::string> head(eq.begin(),
                                  eq.begin() + static_cast<std::ptrdiff_t>(std::min(eq.size(), max_cols - 1)));
    for (const auto* tail : {&tc.order, &tc.range}) {
      if (tail->empty()) continue;
      add_permutations(sets, table, head, {tail->front()});
    }
    if (!tc.order.empty() && eq.empty()) add_unique(sets, {{table, {tc.order.front()}}});
    if (const auto it = group_cols.find(table); it != group_cols.end()) {
      auto cols = head;
      for (const auto& c : it->second) {
        if (cols.size() < max_cols) push_column(cols, c);
      }
      add_unique(sets, {{table, cols}});
    }
    if (!eq.empty())
      best_per_table[table] = HypotheticalIndex{table, eq};
    else if (!tc.range.empty())
      best_per_table[table] = HypotheticalIndex{table, {tc.range.front()}};
  }
  for (const auto& [table, cols] : group_cols) {
    if (per_table.contains(table)) continue;
    std::vector<std::string> head(cols.begin(),
                                  cols.begin() + static_cast<std::ptrdiff_t>(std::min(cols.size(), max_cols)));
    add_unique(sets, {{table, head}});
  }
  for (const auto& j : s.joins) {
    const HypotheticalIndex left{base_table_of(j.left, s, schema), {j.left.column}};
    const HypotheticalIndex right{base_table_of(j.right, s, schema), {j.right.column}};
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
  for (const auto& e : expressions) add_unique(sets, {e});
  // A rare value is served by a partial index: the other single-table candidates restricted to
  // those rows, or the filtered column itself. Costing says whether the value is rare enough.
  const size_t plain = sets.size();
  for (const auto& part : partials) {
    add_unique(sets, {part});
    for (size_t i = 0; i < plain; ++i) {
      if (sets[i].size() != 1 || sets[i][0].table != part.table || !sets[i][0].expression.empty()) continue;
      HypotheticalIndex idx = sets[i][0];
      idx.columns.erase(std::remove(idx.columns.begin(), idx.columns.end(), part.columns.front()), idx.columns.end());
      if (idx.columns.empty()) continue;
      idx.where = part.where;
      add_unique(sets, {idx});
    }
  }
  return sets;
}

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

}  // namespace perfgate::analysis
