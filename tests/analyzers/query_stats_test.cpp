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

namespace perfgate {
namespace {

TEST(StatsSnapshotJson, RoundTripsEveryFieldAndRefusesAnotherKindNamingTheField) {
  StatsSnapshot s;
  s.dealloc = 3;
  s.stats_reset = "2026-12-04 12:00:00+00";
  s.statements.push_back(
      StatementStats{"-42", "select * from users where id = $1", 400, 12.5, 0.03125, 400, 1200, 7, 1, 2});
  auto back = stats_snapshot_from_json(stats_snapshot_to_json(s), "before.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->dealloc, 3);
  EXPECT_EQ(back->stats_reset, s.stats_reset);
  ASSERT_EQ(back->statements.size(), 1u);
  const StatementStats& st = back->statements[0];
  EXPECT_EQ(st.query_id, "-42");
  EXPECT_EQ(st.query, s.statements[0].query);
  EXPECT_EQ(st.calls, 400);
  EXPECT_DOUBLE_EQ(st.total_exec_time_ms, 12.5);
  EXPECT_EQ(st.shared_blks_hit, 1200);
  EXPECT_EQ(st.shared_blks_written, 2);
  // The delta against itself is empty: nothing ran in between.
  EXPECT_TRUE(diff_snapshots(*back, s).statements.empty());

  auto other = stats_snapshot_from_json(R"({"kind": "perfgate-result"})", "x.json");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message.find("x.json"), std::string::npos);
  EXPECT_NE(other.error().message.find("kind"), std::string::npos) << other.error().message;
  auto broken = stats_snapshot_from_json(R"({"kind": "perfgate-pg-snapshot", "version": 1, "dealloc": 0,
    "stats_reset": "", "statements": [{"query_id": "1"}]})",
                                         "y.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("statements[0].query"), std::string::npos) << broken.error().message;
}

}  // namespace
}  // namespace perfgate
