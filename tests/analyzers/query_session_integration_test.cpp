// The analyzer against a real PostgreSQL 15 with pg_stat_statements and hypopg.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "analyzers/pg_fixture.h"
#include "analyzers/postgres_source.h"
#include "analyzers/query_session.h"

namespace perfgate {
namespace {

class QuerySession : public testing::PgFixture {
 protected:
  static void SetUpTestSuite() {
    PgFixture::SetUpTestSuite();
    if (!cluster_) return;
    sql("SELECT pg_stat_statements_reset()");
    std::string workload;
    for (int i = 1; i <= 3; ++i) {
      const std::string n = std::to_string(i);
      workload += "SELECT * FROM orders WHERE customer_id = " + n +
                  ";\n"
                  "SELECT * FROM order_items WHERE order_id = " +
                  n +
                  ";\n"
                  "SELECT * FROM tiny WHERE code = 'k" +
                  n +
                  "';\n"
                  "SELECT * FROM orders WHERE status = 'paid' LIMIT 1;\n"
                  "SELECT * FROM events WHERE account_id = " +
                  n +
                  ";\n"
                  "SELECT * FROM payments WHERE account_id = " +
                  n +
                  " ORDER BY created_at DESC LIMIT 10;\n"
                  "SELECT o.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.name = 'c" +
                  n +
                  "';\n"
                  "SELECT * FROM order_items WHERE sku = 'sku" +
                  n + "' OR batch = 'b" + n +
                  "';\n"
                  "SELECT * FROM payments WHERE ref = 'r" +
                  n + "';\n";
    }
    sql(workload);
  }

  static Findings aggregate(const std::string& dsn) {
    AnalyzeRequest r;
    r.dsn = dsn;
    r.mode = AnalyzeMode::kAggregate;
    auto f = analyze_database(r);
    EXPECT_TRUE(f.ok()) << f.error().message;
    return f.ok() ? *f : Findings{};
  }

  static std::vector<Finding> missing_on(const Findings& f, const std::string& table) {
    std::vector<Finding> out;
    for (const auto& x : f.findings) {
      if (x.kind == FindingKind::kMissingIndex && x.table == table) out.push_back(x);
    }
    return out;
  }

  static bool has(const Findings& f, FindingKind kind, const std::string& table, const std::vector<std::string>& cols) {
    return std::any_of(f.findings.begin(), f.findings.end(),
                       [&](const Finding& x) { return x.kind == kind && x.table == table && x.columns == cols; });
  }
};

TEST_F(QuerySession, ProvesIndexesForUnindexedForeignKeysWithHypotheticalIndexes) {
  const Findings f = aggregate(cluster_->dsn());
  EXPECT_EQ(f.source, "aggregate");
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "orders", {"customer_id"})) << findings_summary(f);
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "order_items", {"order_id"})) << findings_summary(f);
  for (const auto& x : missing_on(f, "orders")) {
    EXPECT_EQ(x.confidence, Confidence::kConfirmed);
    EXPECT_GE(x.evidence.at("cost_before"), 100);
    EXPECT_LE(x.evidence.at("cost_after"), x.evidence.at("cost_before") / 2);
    EXPECT_EQ(x.suggestion.rfind("CREATE INDEX CONCURRENTLY ON ", 0), 0u);
  }
}

TEST_F(QuerySession, SuggestsNothingForTinyTablesLowCardinalityOrCoveredLookups) {
  const Findings f = aggregate(cluster_->dsn());
  EXPECT_TRUE(missing_on(f, "tiny").empty()) << findings_summary(f);
  EXPECT_TRUE(missing_on(f, "events").empty()) << findings_summary(f);
  EXPECT_FALSE(has(f, FindingKind::kMissingIndex, "orders", {"status"})) << findings_summary(f);
}

TEST_F(QuerySession, SuggestsACompositeIndexForOrderByWithLimit) {
  const Findings f = aggregate(cluster_->dsn());
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "payments", {"account_id", "created_at"})) << findings_summary(f);
}

TEST_F(QuerySession, SuggestsBothSidesOfAJoinAndBothBranchesOfAnOr) {
  const Findings f = aggregate(cluster_->dsn());
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "customers", {"name"})) << findings_summary(f);
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "order_items", {"sku"})) << findings_summary(f);
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "order_items", {"batch"})) << findings_summary(f);
}

TEST_F(QuerySession, ReportsTheInvalidIndexForReindexInsteadOfASecondIndex) {
  const Findings f = aggregate(cluster_->dsn());
  EXPECT_TRUE(has(f, FindingKind::kInvalidIndex, "payments", {"ref"})) << findings_summary(f);
  EXPECT_FALSE(has(f, FindingKind::kMissingIndex, "payments", {"ref"})) << findings_summary(f);
}

TEST_F(QuerySession, ReportsTheDuplicateIndex) {
  const Findings f = aggregate(cluster_->dsn());
  EXPECT_TRUE(has(f, FindingKind::kDuplicateIndex, "events", {"account_id"})) << findings_summary(f);
}

TEST_F(QuerySession, SnapshotsLeaveOutPerfgatesOwnStatements) {
  auto db = PostgresSource::connect(cluster_->dsn());
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto before = (*db)->snapshot();
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE((*db)->schema().ok());
  ASSERT_TRUE((*db)->cost("SELECT * FROM orders WHERE customer_id = $1", 1, {{"orders", {"customer_id"}}}).ok());
  auto after = (*db)->snapshot();
  ASSERT_TRUE(after.ok());
  const StatsDelta d = diff_snapshots(*before, *after);
  for (const auto& s : d.statements) ADD_FAILURE() << "own statement in the delta: " << s.query;
  EXPECT_EQ(query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'perfgate'"), "1");
}

TEST_F(QuerySession, SaysCannotCostWhenAStatementCannotBePrepared) {
  auto db = PostgresSource::connect(cluster_->dsn());
  ASSERT_TRUE(db.ok());
  auto c = (*db)->cost("SELECT * FROM no_such_table WHERE id = $1", 1, {});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("cannot cost: "), std::string::npos) << c.error().message;
  auto two = (*db)->cost("SELECT 1; DROP TABLE tiny", 0, {});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(query("SELECT count(*) FROM tiny"), "20");
}

TEST_F(QuerySession, RunDeltaCaptureAttributesOnlyWhatRanInBetween) {
  auto capture = RunDeltaCapture::begin(cluster_->dsn());
  ASSERT_TRUE(capture.ok()) << capture.error().message;
  std::string run;
  for (int i = 1; i <= 10; ++i) run += "SELECT name FROM customers WHERE id = " + std::to_string(i) + ";\n";
  // IN lists of several lengths: separate pg_stat_statements entries, one batched statement here.
  for (int i = 0; i < 6; ++i)
    run += "SELECT name FROM customers WHERE id IN (1, 2);\nSELECT name FROM customers WHERE id IN (1, 2, 3);\n";
  sql("SELECT id FROM customers ORDER BY id LIMIT 10;\n" + run);
  auto f = (*capture)->finish(1);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->source, "run-delta");
  std::vector<Finding> n1;
  std::copy_if(f->findings.begin(), f->findings.end(), std::back_inserter(n1),
               [](const Finding& x) { return x.kind == FindingKind::kNPlusOne; });
  ASSERT_EQ(n1.size(), 1u) << findings_summary(*f);
  EXPECT_EQ(n1[0].query, "SELECT name FROM customers WHERE id = $1");
  EXPECT_EQ(n1[0].confidence, Confidence::kLikely);
  EXPECT_DOUBLE_EQ(n1[0].evidence.at("parent_rows_per_request"), 10);
  EXPECT_FALSE(has(*f, FindingKind::kMissingIndex, "orders", {"customer_id"})) << "statements before begin() leaked in";
}

TEST_F(QuerySession, RunDeltaReportsLookupsWithoutAParentAsOnlyPossible) {
  auto capture = RunDeltaCapture::begin(cluster_->dsn());
  ASSERT_TRUE(capture.ok()) << capture.error().message;
  std::string run;
  for (int i = 1; i <= 8; ++i) run += "SELECT region FROM customers WHERE id = " + std::to_string(i) + ";\n";
  sql(run);
  auto f = (*capture)->finish(1);
  ASSERT_TRUE(f.ok()) << f.error().message;
  std::vector<Finding> n1;
  std::copy_if(f->findings.begin(), f->findings.end(), std::back_inserter(n1),
               [](const Finding& x) { return x.kind == FindingKind::kNPlusOne; });
  ASSERT_EQ(n1.size(), 1u) << findings_summary(*f);
  EXPECT_EQ(n1[0].confidence, Confidence::kPossible);
  EXPECT_DOUBLE_EQ(n1[0].calls_per_request, 8);
}

TEST_F(QuerySession, FailsWithUnavailableWhenTheDatabaseCannotBeReached) {
  AnalyzeRequest r;
  r.dsn = "host=127.0.0.1 port=1 dbname=x password=hunter2 connect_timeout=2";
  r.mode = AnalyzeMode::kAggregate;
  auto f = analyze_database(r);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(f.error().message.find("hunter2"), std::string::npos) << f.error().message;
}

// The analyzer needs no write privilege, and with none it still proves indexes and changes nothing.
TEST_F(QuerySession, RunsAsAReadOnlyRoleAndChangesNothing) {
  sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN "
      "CREATE ROLE reader LOGIN; END IF; END $$; GRANT pg_read_all_data, pg_read_all_stats TO reader;");
  const std::string state_sql =
      "SELECT (SELECT count(*) FROM pg_class) || ',' || (SELECT count(*) FROM pg_index) || ',' || "
      "(SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables) || ',' || "
      "(SELECT md5(string_agg(id || ':' || code, ',' ORDER BY id)) FROM tiny)";
  const std::string before = query(state_sql);
  std::string dsn = cluster_->dsn();
  const auto at = dsn.find("user=postgres");
  ASSERT_NE(at, std::string::npos) << dsn;
  dsn.replace(at, 13, "user=reader");
  const Findings f = aggregate(dsn);
  EXPECT_TRUE(has(f, FindingKind::kMissingIndex, "orders", {"customer_id"})) << findings_summary(f);
  EXPECT_EQ(query(state_sql), before);
  EXPECT_EQ(query("SELECT count(*) FROM pg_prepared_xacts"), "0");
}

}  // namespace
}  // namespace perfgate
