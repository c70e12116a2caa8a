#include "analyzers/query_shape.h"

#include <pg_query.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace perfgate {
namespace {

using nlohmann::json;

// Unwraps casts so `col::text = $1` and `$1::int` read as the column and the parameter.
const json& unwrap(const json& node) {
  if (node.is_object() && node.contains("TypeCast")) return unwrap(node["TypeCast"]["arg"]);
  return node;
}

bool is_column(const json& node) { return node.is_object() && node.contains("ColumnRef"); }

class ShapeBuilder {
 public:
  explicit ShapeBuilder(QueryShape& shape) : shape_(shape) {}

  void statement(const json& stmt) {
    if (stmt.contains("SelectStmt")) {
      shape_.kind = StatementKind::kSelect;
    } else if (stmt.contains("InsertStmt")) {
      shape_.kind = StatementKind::kInsert;
    } else if (stmt.contains("UpdateStmt")) {
      shape_.kind = StatementKind::kUpdate;
    } else if (stmt.contains("DeleteStmt")) {
      shape_.kind = StatementKind::kDelete;
    }
    walk(stmt);
  }

 private:
  // Finds every (sub)statement anywhere in the tree; each resolves its own aliases.
  void walk(const json& node) {
    if (node.is_array()) {
      for (const auto& child : node) walk(child);
      return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
      if (key == "SelectStmt") select(value);
      else if (key == "InsertStmt") insert(value);
      else if (key == "UpdateStmt" || key == "DeleteStmt") modify(value);
      else if (key == "ParamRef") shape_.param_count = std::max(shape_.param_count, value.value("number", 0));
      walk(value);
    }
  }

  void add_table(const json& range_var, std::map<std::string, std::string>& aliases) {
    const std::string name = range_var.value("relname", "");
    if (name.empty()) return;
    aliases[name] = name;
    if (range_var.contains("alias")) aliases[range_var["alias"].value("aliasname", "")] = name;
    if (std::find(shape_.tables.begin(), shape_.tables.end(), name) == shape_.tables.end()) shape_.tables.push_back(name);
  }

  void from_item(const json& item, std::map<std::string, std::string>& aliases, std::vector<const json*>& quals) {
    if (item.contains("RangeVar")) {
      add_table(item["RangeVar"], aliases);
    } else if (item.contains("JoinExpr")) {
      const json& j = item["JoinExpr"];
      from_item(j["larg"], aliases, quals);
      from_item(j["rarg"], aliases, quals);
      if (j.contains("quals")) quals.push_back(&j["quals"]);
    }
  }

  void select(const json& s) {
    std::map<std::string, std::string> aliases;
    std::vector<const json*> quals;
    if (s.contains("fromClause")) {
      for (const auto& item : s["fromClause"]) from_item(item, aliases, quals);
    }
    aliases_ = &aliases;
    local_tables_ = 0;
    for (const auto& [alias, table] : aliases) {
      if (alias == table) ++local_tables_;
    }
    for (const json* q : quals) expression(*q, -1, -1);
    if (s.contains("whereClause")) expression(s["whereClause"], -1, -1);
    if (s.contains("sortClause")) {
      for (const auto& sort : s["sortClause"]) {
        const json& n = unwrap(sort["SortBy"]["node"]);
        if (is_column(n)) shape_.order_by.push_back(column(n));
      }
    }
    if (s.contains("limitCount")) shape_.has_limit = true;
    if (s.contains("valuesLists") && shape_.kind == StatementKind::kInsert) {
      shape_.single_row_values = static_cast<int>(s["valuesLists"].size());
    }
    aliases_ = nullptr;
  }

  void insert(const json& s) {
    std::map<std::string, std::string> aliases;
    add_table(s["relation"], aliases);
  }

  void modify(const json& s) {
    std::map<std::string, std::string> aliases;
    add_table(s["relation"], aliases);
    std::vector<const json*> quals;
    if (s.contains("fromClause")) {
      for (const auto& item : s["fromClause"]) from_item(item, aliases, quals);
    }
    if (s.contains("usingClause")) {
      for (const auto& item : s["usingClause"]) from_item(item, aliases, quals);
    }
    aliases_ = &aliases;
    local_tables_ = 0;
    for (const auto& [alias, table] : aliases) {
      if (alias == table) ++local_tables_;
    }
    for (const json* q : quals) expression(*q, -1, -1);
    if (s.contains("whereClause")) expression(s["whereClause"], -1, -1);
    aliases_ = nullptr;
  }

  ColumnName column(const json& node) const {
    std::vector<std::string> parts;
    for (const auto& f : node["ColumnRef"]["fields"]) {
      if (f.contains("String")) parts.push_back(f["String"].value("sval", ""));
    }
    ColumnName c;
    if (parts.empty()) return c;
    c.column = parts.back();
    if (parts.size() >= 2) {
      const std::string& qualifier = parts[parts.size() - 2];
      c.table = qualifier;
      if (aliases_) {
        const auto it = aliases_->find(qualifier);
        if (it != aliases_->end()) c.table = it->second;
      }
    } else if (aliases_ && local_tables_ == 1) {
      for (const auto& [alias, table] : *aliases_) {
        if (alias == table) c.table = table;
      }
    }
    return c;
  }

  void predicate(const json& col, PredicateOp op, int group, int branch) {
    shape_.predicates.push_back(Predicate{column(col), op, group, branch});
    if (op == PredicateOp::kInList) shape_.batched = true;
  }

  void expression(const json& node, int group, int branch) {
    if (!node.is_object()) return;
    if (node.contains("BoolExpr")) {
      const json& b = node["BoolExpr"];
      const std::string op = b.value("boolop", "");
      if (op == "AND_EXPR") {
        for (const auto& a : b["args"]) expression(a, group, branch);
      } else if (op == "OR_EXPR") {
        const int g = next_or_group_++;
        int i = 0;
        for (const auto& a : b["args"]) expression(a, g, i++);
      }
      return;
    }
    if (node.contains("NullTest")) {
      const json& arg = unwrap(node["NullTest"]["arg"]);
      if (is_column(arg)) predicate(arg, PredicateOp::kIsNull, group, branch);
      return;
    }
    if (!node.contains("A_Expr")) return;
    const json& e = node["A_Expr"];
    const std::string kind = e.value("kind", "");
    std::string name;
    if (e.contains("name") && !e["name"].empty() && e["name"].back().contains("String")) {
      name = e["name"].back()["String"].value("sval", "");
    }
    const json empty = json::object();
    const json& l = e.contains("lexpr") ? unwrap(e["lexpr"]) : empty;
    const json& r = e.contains("rexpr") ? unwrap(e["rexpr"]) : empty;
    if (kind == "AEXPR_IN" || kind == "AEXPR_OP_ANY") {
      if (is_column(l) && name == "=") predicate(l, PredicateOp::kInList, group, branch);
      return;
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN" || kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
      if (is_column(l)) predicate(l, PredicateOp::kRange, group, branch);
      return;
    }
    if (kind != "AEXPR_OP") return;
    const bool eq = name == "=";
    const bool range = name == "<" || name == ">" || name == "<=" || name == ">=" || name == "~~";
    if (!eq && !range) return;
    if (is_column(l) && is_column(r)) {
      if (eq) shape_.joins.push_back(JoinCondition{column(l), column(r)});
      return;
    }
    const PredicateOp op = eq ? PredicateOp::kEquality : PredicateOp::kRange;
    if (is_column(l)) predicate(l, op, group, branch);
    else if (is_column(r)) predicate(r, op, group, branch);
  }

  QueryShape& shape_;
  const std::map<std::string, std::string>* aliases_ = nullptr;
  int local_tables_ = 0;
  int next_or_group_ = 0;
};

}  // namespace

Result<QueryShape> parse_query_shape(std::string_view sql) {
  const std::string text(sql);
  QueryShape shape;
  PgQueryParseResult parsed = pg_query_parse(text.c_str());
  if (parsed.error) {
    Error error = invalid_input(std::string("cannot parse SQL: ") + parsed.error->message);
    pg_query_free_parse_result(parsed);
    return error;
  }
  json tree;
  try {
    tree = json::parse(parsed.parse_tree);
  } catch (const json::exception& e) {
    pg_query_free_parse_result(parsed);
    return internal_error(std::string("libpg_query returned unreadable JSON: ") + e.what());
  }
  pg_query_free_parse_result(parsed);

  PgQueryFingerprintResult fp = pg_query_fingerprint(text.c_str());
  if (!fp.error && fp.fingerprint_str) shape.fingerprint = fp.fingerprint_str;
  pg_query_free_fingerprint_result(fp);

  try {
    ShapeBuilder builder(shape);
    if (tree.contains("stmts") && !tree["stmts"].empty()) {
      shape.statement_count = static_cast<int>(tree["stmts"].size());
      builder.statement(tree["stmts"][0]["stmt"]);
    }
  } catch (const json::exception& e) {
    return internal_error(std::string("unexpected parse tree: ") + e.what());
  }
  return shape;
}

}  // namespace perfgate
