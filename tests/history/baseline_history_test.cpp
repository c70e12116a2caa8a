#include "history/baseline_history.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

TEST(ParseBaselineHistory, ReadsABranchAndAnOptionalCount) {
  auto plain = parse_baseline_history("main");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->branch, "main");
  EXPECT_EQ(plain->runs, 5u);
  auto counted = parse_baseline_history("release/2.1:12");
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->branch, "release/2.1");
  EXPECT_EQ(counted->runs, 12u);
}

TEST(ParseBaselineHistory, RefusesABadCountOrNoBranch) {
  for (const char* bad : {"main:0", "main:x", "main:", ":5", "main:100000"}) {
    auto r = parse_baseline_history(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().message.find("--baseline-history"), std::string::npos);
  }
}

}  // namespace
}  // namespace perfgate
