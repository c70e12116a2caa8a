#include <gtest/gtest.h>

#include "analyzers/fake_database.h"
#include "analyzers/query_analyzer.h"

namespace perfgate {
namespace {

Findings hygiene(std::vector<IndexInfo> indexes) {
  AnalysisInput in;
  in.schema.indexes = std::move(indexes);
  return analyze_workloads(in, nullptr, AnalyzerOptions{});
}

int count(const Findings& f, FindingKind kind) {
  int n = 0;
  for (const auto& x : f.findings) n += x.kind == kind;
  return n;
}

IndexInfo idx(std::string name, std::vector<std::string> cols, int64_t scans = 1) {
  IndexInfo i = testing::index_on(std::move(name), "orders", std::move(cols));
  i.scans = scans;
  return i;
}

TEST(IndexHygiene, APrefixOfAnotherIndexIsADuplicate) {
  const Findings f = hygiene({idx("a", {"customer_id"}), idx("ab", {"customer_id", "created_at"})});
  ASSERT_EQ(count(f, FindingKind::kDuplicateIndex), 1);
  EXPECT_EQ(f.findings[0].suggestion, "DROP INDEX CONCURRENTLY a;");
}

TEST(IndexHygiene, IdenticalIndexesAreReportedOnce) {
  EXPECT_EQ(count(hygiene({idx("x1", {"status"}), idx("x2", {"status"})}), FindingKind::kDuplicateIndex), 1);
}

TEST(IndexHygiene, UniqueIndexesAreNeverDuplicatesOrUnused) {
  IndexInfo u = idx("u", {"customer_id"}, 0);
  u.unique = true;
  const Findings f = hygiene({u, idx("ab", {"customer_id", "created_at"})});
  EXPECT_EQ(count(f, FindingKind::kDuplicateIndex), 0);
  EXPECT_EQ(count(f, FindingKind::kUnusedIndex), 0);
}

TEST(IndexHygiene, TheIndexCoveringADuplicateIsNotAlsoReportedUnused) {
  const Findings f = hygiene({idx("a", {"customer_id"}, 5), idx("ab", {"customer_id", "created_at"}, 0)});
  EXPECT_EQ(count(f, FindingKind::kDuplicateIndex), 1);
  EXPECT_EQ(count(f, FindingKind::kUnusedIndex), 0);
}

TEST(IndexHygiene, NeverScannedIndexesAreUnused) {
  EXPECT_EQ(count(hygiene({idx("cold", {"status"}, 0)}), FindingKind::kUnusedIndex), 1);
}

TEST(IndexHygiene, InvalidIndexesAreReportedForReindexOnlyOnce) {
  IndexInfo bad = idx("bad", {"status"}, 0);
  bad.valid = false;
  const Findings f = hygiene({bad, idx("status2", {"status", "id"})});
  EXPECT_EQ(count(f, FindingKind::kInvalidIndex), 1);
  EXPECT_EQ(count(f, FindingKind::kDuplicateIndex), 0);
  EXPECT_EQ(count(f, FindingKind::kUnusedIndex), 0);
}

}  // namespace
}  // namespace perfgate
