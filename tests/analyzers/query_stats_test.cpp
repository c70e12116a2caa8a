#include "analyzers/query_stats.h"

#include <gtest/gtest.h>

#include "analyzers/fake_database.h"

namespace perfgate {
namespace {

using testing::stmt;

TEST(QueryStats, DiffKeepsOnlyStatementsThatRanAndCountsNewOnesWhole) {
  StatsSnapshot before{{stmt("1", "a", 10, 10, 5), stmt("2", "b", 3, 3)}, 0, "r"};
  StatsSnapshot after{{stmt("1", "a", 15, 30, 7), stmt("2", "b", 3, 3), stmt("3", "c", 2, 4)}, 0, "r"};
  const StatsDelta d = diff_snapshots(before, after);
  ASSERT_EQ(d.statements.size(), 2u);
  EXPECT_EQ(d.statements[0].calls, 5);
  EXPECT_EQ(d.statements[0].rows, 20);
  EXPECT_DOUBLE_EQ(d.statements[0].mean_exec_time_ms, 2.0 / 5);
  EXPECT_EQ(d.statements[1].query_id, "3");
  EXPECT_FALSE(d.inconclusive);
}

TEST(QueryStats, EvictionBetweenSnapshotsMakesTheDeltaInconclusive) {
  StatsSnapshot before{{}, 4, "r"};
  StatsSnapshot after{{}, 6, "r"};
  const StatsDelta d = diff_snapshots(before, after);
  EXPECT_TRUE(d.inconclusive);
  EXPECT_NE(d.note.find("evicted 2"), std::string::npos);
}

TEST(QueryStats, ResetBetweenSnapshotsMakesTheDeltaInconclusive) {
  EXPECT_TRUE(diff_snapshots(StatsSnapshot{{}, 0, "r1"}, StatsSnapshot{{}, 0, "r2"}).inconclusive);
}

TEST(QueryStats, BaselineSubtractionRemovesBackgroundCallsAndDropsEmptiedStatements) {
  StatsDelta measured{{stmt("1", "a", 12, 12), stmt("2", "bg", 3, 3)}, false, ""};
  StatsDelta idle{{stmt("2", "bg", 3, 3), stmt("1", "a", 2, 2)}, false, ""};
  const StatsDelta d = subtract_baseline(measured, idle);
  ASSERT_EQ(d.statements.size(), 1u);
  EXPECT_EQ(d.statements[0].calls, 10);
}

}  // namespace
}  // namespace perfgate
