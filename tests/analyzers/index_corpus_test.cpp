// The index advisor's corpus (tests/analyzers/index_corpus.h) on one throw-away PostgreSQL with
// pg_stat_statements and hypopg: every statement gets its expected verdict, and no index is ever
// suggested where the verdict is "none" or "rewrite". One test, so the cluster starts once.
#include "analyzers/index_corpus.h"

#include <gtest/gtest.h>

#include "testbed/pg_cluster.h"

namespace perfgate {
namespace {

TEST(IndexCorpus, EveryStatementGetsItsExpectedVerdictWithZeroFalsePositives) {
  auto cluster = PgCluster::start();
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  ASSERT_TRUE((*cluster)->psql(corpus::kSchemaSql).ok());
  ASSERT_GE(corpus::cases().size(), 40u);
  auto all = corpus::analyse_all((*cluster)->dsn());
  ASSERT_TRUE(all.ok()) << all.error().message;
  int false_positives = 0, index_where_none = 0;
  for (size_t i = 0; i < corpus::cases().size(); ++i) {
    const corpus::Case& c = corpus::cases()[i];
    const corpus::Outcome o = corpus::judge(c, (*all)[i]);
    false_positives += o.false_positives;
    if (c.verdict == corpus::Verdict::kNone || c.verdict == corpus::Verdict::kRewrite) {
      for (const auto& f : (*all)[i].findings) index_where_none += f.kind == FindingKind::kMissingIndex ? 1 : 0;
    }
    std::string why;
    for (const auto& p : o.problems) why += "\n  " + p;
    EXPECT_TRUE(o.problems.empty()) << "[" << c.pattern << "] " << c.sql << why << "\n" << findings_summary((*all)[i]);
  }
  EXPECT_EQ(index_where_none, 0);
  EXPECT_EQ(false_positives, 0);
}

}  // namespace
}  // namespace perfgate
