#include "analyzers/query_shape.h"

#include <pg_query.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
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

// The smallest "location" (byte offset into the SQL) anywhere in `node`, or npos.
size_t min_location(const json& node) {
  size_t best = std::string::npos;
  if (node.is_array()) {
    for (const auto& child : node) best = std::min(best, min_location(child));
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "location" && value.is_number_integer() && value.get<long long>() >= 0) {
        best = std::min(best, static_cast<size_t>(value.get<long long>()));
      } else {
        best = std::min(best, min_location(value));
      }
    }
  }
  return best;
}

void collect(const json& node, const char* kind, std::vector<const json*>& out) {
  if (node.is_array()) {
    for (const auto& child : node) collect(child, kind, out);
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == kind) out.push_back(&node);
      collect(value, kind, out);
    }
  }
}

std::string lower_name(const json& names) {
  std::string out;
  if (names.is_array() && !names.empty() && names.back().contains("String"))
    out = names.back()["String"].value("sval", "");
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An A_Const as SQL text ("'abc'", "5", "true"); "" for anything else.
std::string literal(const json& node) {
  if (!node.is_object() || !node.contains("A_Const")) return "";
  const json& c = node["A_Const"];
  if (c.contains("sval")) {
    std::string out = "'";
    for (char ch : c["sval"].value("sval", "")) out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
  }
  if (c.contains("ival")) return std::to_string(c["ival"].value("ival", 0));
  if (c.contains("fval")) return c["fval"].value("fval", "");
  if (c.contains("boolval")) return c["boolval"].value("boolval", false) ? "true" : "false";
  return "";
}

bool is_date_function(const std::string& name) {
  return name == "date" || name == "date_trunc" || name == "extract" || name == "date_part";
}

// One side of a comparison when it holds exactly one column.
struct ColumnSide {
  const json* column = nullptr;
  ExpressionKind kind = ExpressionKind::kNone;
  std::string function;
};

ColumnSide column_side(const json& node) {
  ColumnSide side;
  if (!node.is_object()) return side;
  if (is_column(node)) {
    side.column = &node;
    return side;
  }
  std::vector<const json*> columns, params;
  collect(node, "ColumnRef", columns);
  collect(node, "ParamRef", params);
  if (columns.size() != 1) return side;
  side.column = columns.front();
  if (node.contains("TypeCast")) {
    const json& tc = node["TypeCast"];
    side.function = lower_name(tc["typeName"]["names"]);
    if (is_column(tc["arg"])) {
      side.kind = side.function == "date" ? ExpressionKind::kDatePart : ExpressionKind::kCast;
      return side;
    }
  } else if (node.contains("FuncCall")) {
    const json& f = node["FuncCall"];
    side.function = lower_name(f["funcname"]);
    bool bare_argument = false;
    if (f.contains("args")) {
      for (const auto& a : f["args"]) bare_argument = bare_argument || is_column(a);
    }
    if (is_date_function(side.function) && bare_argument) {
      side.kind = ExpressionKind::kDatePart;
      return side;
    }
  } else if (node.contains("A_Expr")) {
    side.function = lower_name(node["A_Expr"]["name"]);
    const bool json_op =
        side.function == "->" || side.function == "->>" || side.function == "#>" || side.function == "#>>";
    if (!json_op) {
      side.kind = ExpressionKind::kArithmetic;
      return side;
    }
  } else {
    side.column = nullptr;
    return side;
  }
  side.kind = params.empty() ? ExpressionKind::kFunction : ExpressionKind::kParameterized;
  return side;
}

bool is_contains_operator(const std::string& op) {
  return op == "~~*" || op == "~" || op == "~*" || op == "@>" || op == "<@" || op == "&&" || op == "?" || op == "?|" ||
         op == "?&" || op == "@@";
}

class ShapeBuilder {
 public:
  ShapeBuilder(QueryShape& shape, const std::string& sql) : shape_(shape), sql_(sql) {}

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
      if (key == "SelectStmt")
        select(value);
      else if (key == "InsertStmt")
        insert(value);
      else if (key == "UpdateStmt" || key == "DeleteStmt")
        modify(value);
      else if (key == "ParamRef")
        shape_.param_count = std::max(shape_.param_count, value.value("number", 0));
      walk(value);
    }
  }

  void add_table(const json& range_var, std::map<std::string, std::string>& aliases) {
    const std::string name = range_var.value("relname", "");
    if (name.empty()) return;
    if (const auto cte = ctes_.find(name); cte != ctes_.end() && !range_var.contains("schemaname")) {
      // A CTE's columns are its base table's (when it reads one table); behind a MATERIALIZED fence
      // they are only the CTE's, and filters on them cannot reach the base table's scan.
      const std::string target = cte->second.materialized ? "cte:" + name : cte->second.base;
      if (target.empty()) return;
      aliases[name] = target;
      if (range_var.contains("alias")) aliases[range_var["alias"].value("aliasname", "")] = target;
      return;
    }
    aliases[name] = name;
    if (range_var.contains("alias")) aliases[range_var["alias"].value("aliasname", "")] = name;
    if (std::find(shape_.tables.begin(), shape_.tables.end(), name) == shape_.tables.end())
      shape_.tables.push_back(name);
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
    if (s.contains("withClause") && s["withClause"].contains("ctes")) {
      for (const auto& c : s["withClause"]["ctes"]) {
        if (!c.contains("CommonTableExpr")) continue;
        const json& cte = c["CommonTableExpr"];
        Cte info;
        info.materialized = cte.value("ctematerialized", "") == "CTEMaterializeAlways";
        const json& q = cte["ctequery"];
        if (q.contains("SelectStmt") && q["SelectStmt"].contains("fromClause") &&
            q["SelectStmt"]["fromClause"].size() == 1 && q["SelectStmt"]["fromClause"][0].contains("RangeVar")) {
          info.base = q["SelectStmt"]["fromClause"][0]["RangeVar"].value("relname", "");
        }
        ctes_[cte.value("ctename", "")] = info;
      }
    }
    std::map<std::string, std::string> aliases;
    std::vector<const json*> quals;
    if (s.contains("fromClause")) {
      for (const auto& item : s["fromClause"]) from_item(item, aliases, quals);
    }
    aliases_ = &aliases;
    count_local_tables(aliases);
    for (const json* q : quals) expression(*q, -1, -1);
    if (s.contains("whereClause")) expression(s["whereClause"], -1, -1);
    if (s.contains("groupClause")) {
      for (const auto& g : s["groupClause"]) {
        const json& n = unwrap(g);
        if (is_column(n)) shape_.group_by.push_back(column(n));
      }
    }
    if (s.contains("limitOffset")) shape_.has_offset = true;
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
    count_local_tables(aliases);
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
      c.table = aliases_->begin()->second;
    }
    return c;
  }

  void predicate(const json& col, PredicateOp op, int group, int branch) {
    ColumnSide side;
    side.column = &col;
    predicate(side, op, group, branch, nullptr, "");
  }

  // `operator_location`: where the operator starts, so the column's side can be quoted as written.
  void predicate(const ColumnSide& side, PredicateOp op, int group, int branch, const json* side_node,
                 const std::string& constant, size_t operator_location = std::string::npos) {
    Predicate p;
    p.column = column(*side.column);
    p.op = op;
    p.or_group = group;
    p.or_branch = branch;
    if (p.column.table.starts_with("cte:")) {
      const std::string cte = p.column.table.substr(4);
      shape_.fenced_filters.push_back(FencedFilter{cte, ctes_[cte].base, p.column.column});
      return;
    }
    p.expression_kind = side.kind;
    p.function = side.function;
    p.constant = constant;
    if (side.kind != ExpressionKind::kNone && side_node) {
      const size_t start = min_location(*side_node);
      if (start < operator_location && operator_location <= sql_.size()) {
        std::string text = sql_.substr(start, operator_location - start);
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
        // "(profile->>'ref') = $1": the side starts after its opening parenthesis; drop the
        // unmatched closing ones.
        int depth = 0;
        for (char ch : text) depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
        while (depth < 0 && !text.empty() && text.back() == ')') {
          text.pop_back();
          ++depth;
          while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
        }
        p.expression = text;
      }
    }
    shape_.predicates.push_back(std::move(p));
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
      if (is_column(arg) && node["NullTest"].value("nulltesttype", "") == "IS_NULL") {
        predicate(arg, PredicateOp::kIsNull, group, branch);
      }
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
    const json& l_raw = e.contains("lexpr") ? e["lexpr"] : empty;
    const json& r_raw = e.contains("rexpr") ? e["rexpr"] : empty;
    const json& l = unwrap(l_raw);
    const json& r = unwrap(r_raw);
    const size_t at =
        e.contains("location") ? static_cast<size_t>(std::max(0, e.value("location", 0))) : std::string::npos;
    if (kind == "AEXPR_IN" || kind == "AEXPR_OP_ANY") {
      if (is_column(l) && name == "=") predicate(l, PredicateOp::kInList, group, branch);
      return;
    }
    if (kind == "AEXPR_ILIKE") {
      if (is_column(l)) contains(l, name, group, branch);
      return;
    }
    if (kind == "AEXPR_LIKE") {
      // Only a literal pattern shows its leading wildcard; a parameter may be a prefix.
      const std::string pattern = literal(r);
      const bool infix = pattern.size() > 1 && pattern[1] == '%';
      if (is_column(l) && infix)
        contains(l, name, group, branch);
      else if (is_column(l))
        predicate(l, PredicateOp::kRange, group, branch);
      return;
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
      if (is_column(l)) predicate(l, PredicateOp::kRange, group, branch);
      return;
    }
    if (kind != "AEXPR_OP") return;
    if (is_contains_operator(name)) {
      if (is_column(l)) contains(l, name, group, branch);
      return;
    }
    const bool eq = name == "=";
    const bool range = name == "<" || name == ">" || name == "<=" || name == ">=" || name == "~~";
    if (!eq && !range) return;
    if (is_column(l) && is_column(r)) {
      if (eq) shape_.joins.push_back(JoinCondition{column(l), column(r)});
      return;
    }
    const PredicateOp op = eq ? PredicateOp::kEquality : PredicateOp::kRange;
    // The column's side keeps its casts and functions (col::date = $1 is not col = $1); the other
    // side's casts are only the parameter's type.
    const ColumnSide left = column_side(l_raw);
    if (left.column && !column_side(r_raw).column) {
      predicate(left, op, group, branch, &l_raw, literal(r), at);
      return;
    }
    const ColumnSide right = column_side(r_raw);
    // A column on the right ($1 = lower(email)) is not quoted: only its kind matters for rewrites.
    if (right.column && !left.column) predicate(right, op, group, branch, nullptr, literal(l));
  }

  // Unqualified columns belong to the one relation (table or CTE) the FROM list reads, if one.
  void count_local_tables(const std::map<std::string, std::string>& aliases) {
    std::set<std::string> targets;
    for (const auto& [alias, table] : aliases) targets.insert(table);
    local_tables_ = static_cast<int>(targets.size());
  }

  void contains(const json& col, const std::string& op, int group, int branch) {
    const size_t before = shape_.predicates.size();
    predicate(col, PredicateOp::kContains, group, branch);
    if (shape_.predicates.size() > before) shape_.predicates.back().function = op;
  }

  struct Cte {
    std::string base;
    bool materialized = false;
  };

  QueryShape& shape_;
  const std::string& sql_;
  std::map<std::string, Cte> ctes_;
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
    ShapeBuilder builder(shape, text);
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
