#pragma once
// The index advisor's accuracy corpus: report-query statements over a fixed schema, each with the
// verdict a DBA would give (an index, a rewrite, a heuristic GIN index, or nothing). Shared by the
// ctest (tests/analyzers/index_corpus_test.cpp: every verdict, zero false positives) and the
// benchmark that prints precision and recall per pattern class (bench/index_corpus_bench.cpp).

#include <map>
#include <string>
#include <vector>

#include "analyzers/postgres_source.h"
#include "analyzers/query_analyzer.h"

namespace perfgate::corpus {

// Sizes chosen so that selectivity decides: unique-ish keys, a 50-value region, a 4-value country,
// a status where 'done' is 99% of rows, deleted_at NULL on 1% of users, a 20-row settings table.
inline constexpr const char* kSchemaSql = R"(
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, name text NOT NULL, country text NOT NULL,
                    created_at timestamptz NOT NULL, deleted_at timestamptz, profile jsonb NOT NULL, tags text[] NOT NULL);
INSERT INTO users (email, name, country, created_at, deleted_at, profile, tags)
  SELECT 'user' || g || '@example.org', 'name' || g, (ARRAY['de','fr','us','uk'])[g % 4 + 1],
         now() - g * interval '1 minute', CASE WHEN g % 100 = 0 THEN NULL ELSE now() END,
         jsonb_build_object('ref', 'r' || g, 'plan', (ARRAY['free','pro','team'])[g % 3 + 1]),
         ARRAY['t' || (g % 500), 't' || (g % 7)]
  FROM generate_series(1, 50000) g;
CREATE INDEX users_lower_name ON users (lower(name));
CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL, category_id int NOT NULL, price numeric NOT NULL);
INSERT INTO products (sku, category_id, price) SELECT 'sku' || g, g % 2000, g % 997 FROM generate_series(1, 20000) g;
CREATE TABLE sales (id serial PRIMARY KEY, user_id int NOT NULL, product_id int NOT NULL, status text NOT NULL,
                    region text NOT NULL, amount numeric NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO sales (user_id, product_id, status, region, amount, created_at)
  SELECT g % 5000 + 1, g % 20000 + 1,
         CASE WHEN g % 200 = 0 THEN 'failed' WHEN g % 200 = 1 THEN 'pending' ELSE 'done' END,
         'region-' || (g % 50), g % 1000, now() - g * interval '1 minute'
  FROM generate_series(1, 100000) g;
CREATE INDEX sales_user_created ON sales (user_id, created_at);
CREATE VIEW sales_view AS SELECT id, user_id, product_id, status, amount, created_at FROM sales;
CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO settings SELECT 'k' || g, 'v' || g FROM generate_series(1, 20) g;
ANALYZE;
)";

enum class Verdict { kNone, kIndex, kRewrite, kHeuristic };

/// One index (or rewrite target) a case expects: table, leading column or expression text, and
/// for a partial index a piece of its WHERE.
struct Expected {
  std::string table;
  std::string lead;
  std::string where{};
};

struct Case {
  std::string pattern;  ///< pattern class, the benchmark's rows
  std::string sql;
  Verdict verdict;
  std::vector<Expected> expected{};
};

inline const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"btree", "SELECT * FROM sales WHERE product_id = $1", Verdict::kIndex, {{"sales", "product_id"}}},
      {"btree",
       "UPDATE sales SET amount = amount + 1 WHERE product_id = $1",
       Verdict::kIndex,
       {{"sales", "product_id"}}},
      {"btree", "SELECT id FROM products WHERE sku = $1", Verdict::kIndex, {{"products", "sku"}}},
      {"composite",
       "SELECT * FROM sales WHERE product_id = $1 ORDER BY created_at DESC LIMIT 20",
       Verdict::kIndex,
       {{"sales", "product_id"}}},
      {"composite",
       "SELECT * FROM sales WHERE product_id = $1 AND created_at > $2",
       Verdict::kIndex,
       {{"sales", "product_id"}}},
      {"composite",
       "SELECT * FROM sales ORDER BY created_at DESC LIMIT 20",
       Verdict::kIndex,
       {{"sales", "created_at"}}},
      {"offset_limit",
       "SELECT * FROM sales ORDER BY amount LIMIT 50 OFFSET 100",
       Verdict::kIndex,
       {{"sales", "amount"}}},
      {"offset_limit",
       "SELECT id FROM products ORDER BY price DESC LIMIT 20 OFFSET 40",
       Verdict::kIndex,
       {{"products", "price"}}},
      {"in_list", "SELECT * FROM sales WHERE product_id = ANY($1)", Verdict::kIndex, {{"sales", "product_id"}}},
      {"in_list", "SELECT * FROM users WHERE name IN ($1, $2, $3)", Verdict::kIndex, {{"users", "name"}}},
      {"group_by",
       "SELECT product_id, count(*) FROM sales WHERE region = $1 GROUP BY product_id",
       Verdict::kIndex,
       {{"sales", "region"}}},
      {"join",
       "SELECT s.id, p.sku FROM sales s JOIN products p ON p.id = s.product_id WHERE p.category_id = $1",
       Verdict::kIndex,
       {{"products", "category_id"}, {"sales", "product_id"}}},
      {"or", "SELECT * FROM sales WHERE product_id = $1 OR user_id = $2", Verdict::kIndex, {{"sales", "product_id"}}},
      {"or",
       "SELECT * FROM users WHERE email = $1 OR name = $2",
       Verdict::kIndex,
       {{"users", "email"}, {"users", "name"}}},
      {"expression", "SELECT * FROM users WHERE lower(email) = $1", Verdict::kIndex, {{"users", "lower(email)"}}},
      {"expression",
       "SELECT * FROM users WHERE (profile->>'ref') = $1",
       Verdict::kIndex,
       {{"users", "profile->>'ref'"}}},
      {"expression",
       "SELECT * FROM users WHERE date(created_at AT TIME ZONE 'UTC') = $1",
       Verdict::kIndex,
       {{"users", "date(created_at AT TIME ZONE 'UTC')"}}},
      {"rewrite", "SELECT * FROM sales WHERE created_at::date = $1", Verdict::kRewrite, {{"sales", "created_at"}}},
      {"rewrite",
       "SELECT * FROM sales WHERE date_trunc('day', created_at) = $1",
       Verdict::kRewrite,
       {{"sales", "created_at"}}},
      {"rewrite", "SELECT * FROM products WHERE id::text = $1", Verdict::kRewrite, {{"products", "id"}}},
      {"rewrite", "SELECT * FROM sales WHERE amount + 10 > $1", Verdict::kRewrite, {{"sales", "amount"}}},
      {"rewrite", "SELECT * FROM users WHERE date(created_at) = $1", Verdict::kRewrite, {{"users", "created_at"}}},
      {"rewrite",
       "SELECT * FROM users WHERE extract(year FROM created_at) = $1",
       Verdict::kRewrite,
       {{"users", "created_at"}}},
      {"view_cte",
       "WITH s AS MATERIALIZED (SELECT * FROM sales) SELECT * FROM s WHERE product_id = $1",
       Verdict::kRewrite,
       {{"sales", "product_id"}}},
      {"view_cte", "SELECT * FROM sales_view WHERE product_id = $1", Verdict::kIndex, {{"sales", "product_id"}}},
      {"view_cte",
       "WITH s AS (SELECT * FROM sales) SELECT * FROM s WHERE product_id = $1",
       Verdict::kIndex,
       {{"sales", "product_id"}}},
      {"view_cte",
       "WITH s AS NOT MATERIALIZED (SELECT * FROM products) SELECT * FROM s WHERE sku = $1",
       Verdict::kIndex,
       {{"products", "sku"}}},
      {"partial",
       "SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at LIMIT 20",
       Verdict::kIndex,
       {{"users", "created_at", "deleted_at IS NULL"}}},
      {"partial",
       "SELECT * FROM sales WHERE status = 'failed'",
       Verdict::kIndex,
       {{"sales", "status", "status = 'failed'"}}},
      {"gin", "SELECT * FROM users WHERE name ILIKE $1", Verdict::kHeuristic, {{"users", "name"}}},
      {"gin", "SELECT * FROM users WHERE email LIKE '%smith%'", Verdict::kHeuristic, {{"users", "email"}}},
      {"gin", "SELECT * FROM users WHERE profile @> $1", Verdict::kHeuristic, {{"users", "profile"}}},
      {"gin", "SELECT * FROM users WHERE tags && $1", Verdict::kHeuristic, {{"users", "tags"}}},
      {"negative", "SELECT * FROM settings WHERE value = $1", Verdict::kNone},
      {"negative", "SELECT * FROM sales WHERE id = $1", Verdict::kNone},
      {"negative", "SELECT * FROM sales WHERE user_id = $1", Verdict::kNone},
      {"negative", "SELECT * FROM sales WHERE user_id = $1 ORDER BY created_at DESC LIMIT 10", Verdict::kNone},
      {"negative", "SELECT * FROM users WHERE country = $1", Verdict::kNone},
      {"negative", "SELECT * FROM users WHERE lower(name) = $1", Verdict::kNone},
      {"negative", "SELECT * FROM sales WHERE status = $1", Verdict::kNone},
      {"negative", "SELECT * FROM sales WHERE status = 'done'", Verdict::kNone},
      {"negative", "SELECT count(*) FROM sales", Verdict::kNone},
      {"negative", "SELECT * FROM products WHERE id = ANY($1)", Verdict::kNone},
      {"negative", "SELECT * FROM settings WHERE value ILIKE $1", Verdict::kNone},
      {"negative", "SELECT * FROM users WHERE deleted_at IS NOT NULL", Verdict::kNone},
      {"negative", "SELECT region, sum(amount) FROM sales GROUP BY region", Verdict::kNone},
      {"negative", "UPDATE settings SET value = $1 WHERE key = $2", Verdict::kNone},
      {"negative", "SELECT * FROM settings WHERE value::int = $1", Verdict::kNone},
  };
  return all;
}

/// How one case came out: matched expectations (true positives), expectations the analyzer missed,
/// and suggestions nobody expected (false positives; an index where the verdict is none or rewrite
/// is always one).
struct Outcome {
  int true_positives = 0;
  int false_negatives = 0;
  int false_positives = 0;
  std::vector<std::string> problems;
};

inline bool matches(const Finding& f, const Expected& e, Verdict verdict) {
  if (f.table != e.table) return false;
  if (verdict == Verdict::kRewrite)
    return f.kind == FindingKind::kQueryRewrite && !f.columns.empty() && f.columns[0] == e.lead;
  if (f.kind != FindingKind::kMissingIndex) return false;
  if (verdict == Verdict::kHeuristic) {
    return f.confidence == Confidence::kPossible && f.suggestion.find("gin") != std::string::npos &&
           !f.columns.empty() && f.columns[0] == e.lead;
  }
  if (f.confidence != Confidence::kConfirmed) return false;
  const bool lead = e.lead.find('(') != std::string::npos || e.lead.find('>') != std::string::npos
                        ? f.suggestion.find(e.lead) != std::string::npos
                        : !f.columns.empty() && f.columns[0] == e.lead && f.suggestion.find(" ((") == std::string::npos;
  if (!lead) return false;
  return e.where.empty() ? f.suggestion.find(" WHERE ") == std::string::npos
                         : f.suggestion.find(e.where) != std::string::npos;
}

inline Outcome judge(const Case& c, const Findings& findings) {
  Outcome o;
  std::vector<bool> used(findings.findings.size(), false);
  for (const auto& e : c.expected) {
    bool found = false;
    for (size_t i = 0; i < findings.findings.size() && !found; ++i) {
      if (!used[i] && matches(findings.findings[i], e, c.verdict)) used[i] = found = true;
    }
    if (found) {
      ++o.true_positives;
    } else {
      ++o.false_negatives;
      o.problems.push_back("missed " + e.table + " " + e.lead + (e.where.empty() ? "" : " WHERE " + e.where));
    }
  }
  for (size_t i = 0; i < findings.findings.size(); ++i) {
    const Finding& f = findings.findings[i];
    if (used[i] || (f.kind != FindingKind::kMissingIndex && f.kind != FindingKind::kQueryRewrite)) continue;
    ++o.false_positives;
    o.problems.push_back("unexpected " + std::string(finding_kind_name(f.kind)) + ": " + f.summary + " [" +
                         f.suggestion + "]");
  }
  return o;
}

/// Analyses every case alone (100 calls, 10 ms each) against the database at `dsn`, which must hold
/// kSchemaSql, with hypopg. Errors: the connection's.
inline Result<std::vector<Findings>> analyse_all(const std::string& dsn) {
  auto db = PostgresSource::connect(dsn);
  if (!db) return db.error();
  auto schema = (*db)->schema();
  if (!schema) return schema.error();
  std::vector<Findings> out;
  for (const auto& c : cases()) {
    StatementStats s;
    s.query_id = std::to_string(out.size());
    s.query = c.sql;
    s.calls = 100;
    s.total_exec_time_ms = 1000;
    s.mean_exec_time_ms = 10;
    s.rows = 100;
    AnalysisInput input{dsn, "corpus", {Workload{"", 0, StatsDelta{{s}, false, ""}, std::nullopt, 0, 2}}, *schema};
    out.push_back(analyze_workloads(input, db->get(), AnalyzerOptions{}));
  }
  return out;
}

}  // namespace perfgate::corpus
