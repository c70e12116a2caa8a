#include <gtest/gtest.h>

#include "analyzers/fake_database.h"
#include "analyzers/query_analyzer.h"

namespace perfgate {
namespace {

using testing::FakePlanProvider;
using testing::has_index;
using testing::stmt;

Schema schema_with(std::vector<IndexInfo> indexes = {}) {
  Schema s;
  s.tables = {{"orders", 100000, 1000, {{"id", -1}, {"customer_id", 5000}, {"status", 3}, {"created_at", -0.9}}},
              {"customers", 50000, 500, {{"id", -1}, {"email", -1}, {"region", 4}}}};
  s.indexes = std::move(indexes);
  return s;
}

Findings run(const std::vector<StatementStats>& statements, const Schema& schema, PlanProvider* plans) {
  AnalysisInput in{
      "dbname=x", "aggregate", {Workload{"", 0, StatsDelta{statements, false, ""}, std::nullopt, 0, 2}}, schema};
  return analyze_workloads(in, plans, AnalyzerOptions{});
}

std::vector<Finding> missing(const Findings& f) {
  std::vector<Finding> out;
  for (const auto& x : f.findings) {
    if (x.kind == FindingKind::kMissingIndex) out.push_back(x);
  }
  return out;
}

TEST(IndexAdvisor, SuggestsTheCheapestProvedIndexWithConcurrentDdlAndCostEvidence) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    return has_index(set, "orders", {"customer_id"}) ? 8.0 : 2000.0;
  });
  const auto found =
      missing(run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 50, 50)}, schema_with(), &plans));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].suggestion, "CREATE INDEX CONCURRENTLY ON orders (customer_id);");
  EXPECT_EQ(found[0].confidence, Confidence::kConfirmed);
  EXPECT_DOUBLE_EQ(found[0].evidence.at("cost_before"), 2000);
  EXPECT_DOUBLE_EQ(found[0].evidence.at("cost_after"), 8);
}

TEST(IndexAdvisor, SuggestsNothingWhenTheSavingIsBelowTheThreshold) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    return set.empty() ? 1000.0 : 600.0;
  });
  EXPECT_TRUE(missing(run({stmt("1", "SELECT * FROM orders WHERE status = $1", 5, 5)}, schema_with(), &plans)).empty());
}

TEST(IndexAdvisor, SuggestsNothingForCheapPlans) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    return set.empty() ? 40.0 : 1.0;
  });
  EXPECT_TRUE(
      missing(run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 5, 5)}, schema_with(), &plans)).empty());
  EXPECT_EQ(plans.calls.size(), 1u);
}

TEST(IndexAdvisor, AnExistingIndexWithTheCandidateAsPrefixCoversIt) {
  FakePlanProvider plans(
      [](const std::string&, const std::vector<HypotheticalIndex>&) -> Result<double> { return 5000.0; });
  const Schema s = schema_with({testing::index_on("o_cust_created", "orders", {"customer_id", "created_at"})});
  EXPECT_TRUE(missing(run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 5, 5)}, s, &plans)).empty());
  EXPECT_TRUE(plans.calls.empty());
}

TEST(IndexAdvisor, ProposesEqualityThenOrderColumnsForOrderByWithLimit) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    if (has_index(set, "orders", {"customer_id", "created_at"})) return 5.0;
    if (has_index(set, "orders", {"customer_id"})) return 300.0;
    return 3000.0;
  });
  const auto found =
      missing(run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10", 5, 50)},
                  schema_with(), &plans));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].columns, (std::vector<std::string>{"customer_id", "created_at"}));
}

TEST(IndexAdvisor, CostsJoinSidesTogetherAndReportsBothIndexes) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    const bool l = has_index(set, "orders", {"customer_id"});
    const bool r = has_index(set, "customers", {"email"});
    return l && r ? 20.0 : (l || r) ? 900.0 : 1000.0;
  });
  const auto found = missing(
      run({stmt("1", "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = $1", 5, 5)},
          schema_with({testing::primary_key("customers_pkey", "customers", {"id"})}), &plans));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].notes.at(0).find("costed together"), std::string::npos);
}

TEST(IndexAdvisor, CostsOrBranchesAsOneSet) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    return has_index(set, "customers", {"email"}) && has_index(set, "customers", {"id"}) ? 30.0 : 1500.0;
  });
  const auto found =
      missing(run({stmt("1", "SELECT * FROM customers WHERE email = $1 OR id = $2", 5, 5)}, schema_with(), &plans));
  EXPECT_EQ(found.size(), 2u);
}

TEST(IndexAdvisor, SaysCannotCostInsteadOfNoIndex) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>&) -> Result<double> {
    return invalid_input("cannot cost: could not determine data type of parameter $1");
  });
  const Findings f = run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 5, 5)}, schema_with(), &plans);
  EXPECT_TRUE(missing(f).empty());
  bool said = false;
  for (const auto& n : f.notes) said = said || n.find("cannot cost: could not determine") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(IndexAdvisor, WithoutHypopgFallsBackToHeuristicsAndSkipsTinyTablesAndLowCardinality) {
  FakePlanProvider plans(
      [](const std::string&, const std::vector<HypotheticalIndex>&) -> Result<double> { return 1.0; }, false);
  Schema s = schema_with();
  s.tables.push_back({"tiny", 10, 1, {{"code", -1}}});
  const Findings f = run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 5, 5),
                          stmt("2", "SELECT * FROM orders WHERE status = $1", 5, 5),
                          stmt("3", "SELECT * FROM tiny WHERE code = $1", 5, 5)},
                         s, &plans);
  const auto found = missing(f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].columns, std::vector<std::string>{"customer_id"});
  EXPECT_EQ(found[0].confidence, Confidence::kPossible);
  EXPECT_NE(f.notes.at(0).find("hypopg absent"), std::string::npos);
  EXPECT_TRUE(plans.calls.empty());
}

TEST(IndexAdvisor, AnInvalidIndexIsAReindexFindingNotASecondIndex) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    return set.empty() ? 2000.0 : 5.0;
  });
  IndexInfo broken = testing::index_on("orders_customer_idx", "orders", {"customer_id"});
  broken.valid = false;
  const Findings f =
      run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 5, 5)}, schema_with({broken}), &plans);
  EXPECT_TRUE(missing(f).empty());
  ASSERT_FALSE(f.findings.empty());
  EXPECT_EQ(f.findings[0].kind, FindingKind::kInvalidIndex);
  EXPECT_EQ(f.findings[0].suggestion, "REINDEX INDEX CONCURRENTLY orders_customer_idx;");
  EXPECT_EQ(f.findings[0].queries.size(), 1u);
}

TEST(IndexAdvisor, OneIndexServingSeveralStatementsIsOneFinding) {
  FakePlanProvider plans([](const std::string&, const std::vector<HypotheticalIndex>& set) -> Result<double> {
    return has_index(set, "orders", {"customer_id"}) ? 8.0 : 2000.0;
  });
  const auto found = missing(run({stmt("1", "SELECT * FROM orders WHERE customer_id = $1", 5, 5),
                                  stmt("2", "SELECT count(*) FROM orders WHERE customer_id = $1", 5, 5)},
                                 schema_with(), &plans));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].queries.size(), 2u);
}

}  // namespace
}  // namespace perfgate
