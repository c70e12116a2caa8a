#include <gtest/gtest.h>

#include <set>

#include "analyzers/fake_database.h"
#include "analyzers/query_analyzer.h"

namespace perfgate {
namespace {

using testing::stmt;

Schema shop_schema() {
  Schema s;
  s.tables = {{"orders", 100000, 1000, {{"id", -1}, {"customer_id", 5000}, {"status", 3}}},
              {"customers", 5000, 50, {{"id", -1}, {"name", -1}}},
              {"order_items", 400000, 4000, {{"id", -1}, {"order_id", -0.25}}},
              {"settings", 20, 1, {{"key", -1}}}};
  s.foreign_keys = {{"orders", {"customer_id"}, "customers", {"id"}}, {"order_items", {"order_id"}, "orders", {"id"}}};
  return s;
}

AnalyzerOptions no_index_work() { return AnalyzerOptions{}; }

Findings analyze(Workload w, const Schema& schema = shop_schema()) {
  AnalysisInput in{"host=x", "probe", {std::move(w)}, schema};
  in.schema.indexes.clear();
  return analyze_workloads(in, nullptr, no_index_work());
}

std::vector<Finding> of_kind(const Findings& f, FindingKind kind) {
  std::vector<Finding> out;
  for (const auto& x : f.findings) {
    if (x.kind == kind) out.push_back(x);
  }
  return out;
}

// 10 requests, each listing 20 orders and looking up each order's customer and items.
StatsDelta n_plus_one_delta(int orders_per_request) {
  const int64_t r = 10, n = orders_per_request;
  return StatsDelta{
      {stmt("p", "SELECT id, customer_id FROM orders WHERE status = $1 ORDER BY id LIMIT $2", r, r * n, 5),
       stmt("c1", "SELECT id, name FROM customers WHERE id = $1", r * n, r * n, 0.01 * double(r * n)),
       stmt("c2", "SELECT * FROM order_items WHERE order_id = $1", r * n, r * n * 3, 0.02 * double(r * n))},
      false,
      ""};
}

TEST(NPlusOne, ReportsEachLookupOfOneParentAsItsOwnFindingWithItsOwnFix) {
  Workload w{"GET /orders", 10, n_plus_one_delta(20), std::nullopt, 0, 2};
  const auto found = of_kind(analyze(w), FindingKind::kNPlusOne);
  ASSERT_EQ(found.size(), 2u);
  for (const Finding& f : found) {
    EXPECT_EQ(f.endpoint, "GET /orders");
    EXPECT_DOUBLE_EQ(f.calls_per_request, 20);
    EXPECT_EQ(f.queries.size(), 1u);
    EXPECT_EQ(f.confidence, Confidence::kLikely);
    EXPECT_EQ(f.severity, Severity::kHigh);
    EXPECT_DOUBLE_EQ(f.evidence.at("parent_rows_per_request"), 20);
    EXPECT_EQ(f.suggestion.find('\n'), std::string::npos);
    EXPECT_NE(f.suggestion.find("FROM " + f.table + " WHERE " + f.columns.at(0) + " = ANY($1)"), std::string::npos);
    EXPECT_NE(f.suggestion.find("JOIN"), std::string::npos);
    EXPECT_NE(f.summary.find("20.0 lookups per request on " + f.table), std::string::npos) << f.summary;
  }
  std::set<std::string> tables = {found[0].table, found[1].table};
  EXPECT_EQ(tables, (std::set<std::string>{"customers", "order_items"}));
}

TEST(NPlusOne, IsConfirmedWhenCallsGrowWithPageSizeWhileTheParentStaysConstant) {
  Workload w{"GET /orders", 10, n_plus_one_delta(20), n_plus_one_delta(40), 10, 2};
  const auto found = of_kind(analyze(w), FindingKind::kNPlusOne);
  ASSERT_EQ(found.size(), 2u);
  for (const Finding& f : found) {
    EXPECT_EQ(f.confidence, Confidence::kConfirmed) << f.summary;
    EXPECT_DOUBLE_EQ(f.evidence.at("scale_growth"), 2);
  }
}

TEST(NPlusOne, WithoutAMatchingParentIsOnlyPossible) {
  StatsDelta d{{stmt("p", "SELECT id FROM orders WHERE status = $1", 10, 30),
                stmt("c", "SELECT name FROM customers WHERE id = $1", 200, 200)},
               false,
               ""};
  const auto found = of_kind(analyze(Workload{"GET /x", 10, d, std::nullopt, 0, 2}), FindingKind::kNPlusOne);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].confidence, Confidence::kPossible);
  EXPECT_NE(found[0].notes[0].find("no parent"), std::string::npos);
}

TEST(NPlusOne, ConstantLookupsPerRequestAreNotNPlusOneWhenScalingDoesNotGrowThem) {
  StatsDelta d{{stmt("s", "SELECT value FROM settings WHERE key = $1", 60, 60),
                stmt("p", "SELECT id FROM orders WHERE status = $1 LIMIT $2", 10, 60)},
               false,
               ""};
  StatsDelta scaled{{stmt("s", "SELECT value FROM settings WHERE key = $1", 60, 60),
                     stmt("p", "SELECT id FROM orders WHERE status = $1 LIMIT $2", 10, 120)},
                    false,
                    ""};
  EXPECT_TRUE(of_kind(analyze(Workload{"GET /x", 10, d, scaled, 10, 2}), FindingKind::kNPlusOne).empty());
}

TEST(NPlusOne, BatchedLookupsAreNeverNPlusOneAndNeverMergeWithSingleKeyLookups) {
  StatsDelta d{{stmt("p", "SELECT id FROM orders WHERE status = $1", 10, 200),
                stmt("b2", "SELECT * FROM customers WHERE id IN ($1, $2)", 60, 120),
                stmt("b3", "SELECT * FROM customers WHERE id IN ($1, $2, $3)", 60, 180),
                stmt("one", "SELECT * FROM customers WHERE id = $1", 20, 20)},
               false,
               ""};
  const auto found = of_kind(analyze(Workload{"GET /x", 10, d, std::nullopt, 0, 2}), FindingKind::kNPlusOne);
  EXPECT_TRUE(found.empty());
}

TEST(NPlusOne, BatchedKeysetExportsRepeatingOneStatementWithThousandsOfRowsAreNotNPlusOne) {
  StatsDelta d{
      {stmt("k1", "SELECT * FROM orders WHERE id > $1 ORDER BY id LIMIT $2", 200, 200 * 5000),
       stmt("k2", "SELECT * FROM order_items WHERE order_id = $1 AND id > $2 ORDER BY id LIMIT $3", 200, 200 * 4000),
       stmt("p", "SELECT id FROM customers WHERE name = $1", 10, 2000)},
      false,
      ""};
  StatsDelta scaled = d;
  for (auto& s : scaled.statements) {
    if (s.query_id != "p") s.calls *= 2;
  }
  EXPECT_TRUE(of_kind(analyze(Workload{"GET /export", 10, d, scaled, 10, 2}), FindingKind::kNPlusOne).empty());
}

TEST(NPlusOne, FewerThanKCallsPerRequestIsNotReported) {
  StatsDelta d{{stmt("p", "SELECT id FROM orders WHERE status = $1", 10, 40),
                stmt("c", "SELECT name FROM customers WHERE id = $1", 40, 40)},
               false,
               ""};
  EXPECT_TRUE(of_kind(analyze(Workload{"GET /x", 10, d, std::nullopt, 0, 2}), FindingKind::kNPlusOne).empty());
}

TEST(NPlusOne, ReportsSingleRowInsertsPerParentRowAsNPlusOneWrites) {
  StatsDelta d{{stmt("p", "SELECT id FROM orders WHERE status = $1", 10, 100),
                stmt("w", "INSERT INTO order_items (order_id, sku) VALUES ($1, $2)", 100, 100)},
               false,
               ""};
  const auto found = of_kind(analyze(Workload{"POST /x", 10, d, std::nullopt, 0, 2}), FindingKind::kNPlusOne);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].summary.find("N+1 writes"), std::string::npos);
  EXPECT_NE(found[0].suggestion.find("unnest"), std::string::npos);
}

TEST(QueryAnalyzer, ReportsQueriesPerRequestAndInconclusiveDeltas) {
  StatsDelta d = n_plus_one_delta(20);
  d.inconclusive = true;
  d.note = "pg_stat_statements evicted 3 entries";
  const Findings f = analyze(Workload{"GET /orders", 10, d, std::nullopt, 0, 2});
  EXPECT_TRUE(f.inconclusive);
  EXPECT_DOUBLE_EQ(f.queries_per_request.at("GET /orders"), 41);
  EXPECT_NE(f.notes[0].find("evicted"), std::string::npos);
}

TEST(QueryAnalyzer, FlagsStatementsWhoseMeanExceedsTheSlowBudget) {
  StatsDelta d{{stmt("s", "SELECT count(*) FROM orders", 2, 2, 1500)}, false, ""};
  const auto found = of_kind(analyze(Workload{"", 0, d, std::nullopt, 0, 2}), FindingKind::kSlowQuery);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_DOUBLE_EQ(found[0].evidence.at("mean_ms"), 750);
}

}  // namespace
}  // namespace perfgate
