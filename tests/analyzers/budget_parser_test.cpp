#include <gtest/gtest.h>

#include "analyzers/budget.h"

namespace perfgate {
namespace {

TEST(BudgetsFile, ReadsEntriesWithCommentsShortcutsAndRuleObjects) {
  const std::string text = R"({
  // budgets for the demo
  "schema_version": 1,
  "budgets": [
    {"category": "reports", "tolerance": 1.5, "p95": "1s", "p99": "3s", "timeout": "15s"},
    {"endpoint": "reports.*", "phase": "spike", "rules": ["recovery.p95 < 1s within 30s",
      {"rule": "error_rate <= 2%", "severity": "warn"}]},
    /* global */ {"rules": ["peak_rss <= 2GB", "no n_plus_one"], "rps": 10}
  ]
})";
  auto set = budgets_from_json(text, "b.json");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->entries.size(), 3u);
  const auto& reports = set->entries[0];
  EXPECT_EQ(reports.scope.category, "reports");
  ASSERT_EQ(reports.rules.size(), 3u);
  EXPECT_EQ(reports.rules[0].label, "p95");
  EXPECT_DOUBLE_EQ(reports.rules[0].tolerance, 1.5);
  EXPECT_EQ(reports.rules[2].metric, BudgetMetric::kTimeoutShare);
  EXPECT_DOUBLE_EQ(reports.rules[2].tolerance, 1.0) << "tolerance applies to time figures only";
  EXPECT_EQ(reports.origin, "b.json:5");
  EXPECT_EQ(set->entries[1].rules[1].severity, BudgetSeverity::kWarn);
  EXPECT_EQ(set->entries[2].rules.front().metric, BudgetMetric::kThroughput) << "shortcut fields come first";
}

void expect_error(const std::string& text, const std::string& where, const std::string& words) {
  auto set = budgets_from_json(text, "b.json");
  ASSERT_FALSE(set.ok()) << text;
  EXPECT_EQ(set.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(set.error().message.find(where), std::string::npos) << set.error().message;
  EXPECT_NE(set.error().message.find(words), std::string::npos) << set.error().message;
  EXPECT_NE(set.error().message.find("; "), std::string::npos) << "needs a fix: " << set.error().message;
}

TEST(BudgetsFile, NamesFileLineColumnAndFieldOfEachProblem) {
  expect_error("{\"schema_version\": 1,\n \"budgets\": [\n  {\"rules\": [\"p95 < 1s\", \"p95 <\"]}]}",
               "b.json:3:26: budgets[0].rules[1]:", "cannot read limit");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"endpoint\": \"a\", \"p59\": \"1s\"}]}", "budgets[0].p59",
               "unknown field");
  expect_error("{\"schema_version\": 2, \"budgets\": []}", "schema_version", "must be 1");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"endpoint\": \"a\", \"category\": \"b\", \"p95\": \"1s\"}]}",
               "budgets[0].category", "not both");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"endpoint\": \"a\", \"rules\": [\"peak_rss < 1GB\"]}]}",
               "budgets[0].rules[0]", "server as a whole");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"rules\": [\"recovery.p95 < 1s within 5s\"]}]}",
               "budgets[0].rules[0]", "phase");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"tolerance\": 0.5, \"p95\": \"1s\"}]}", "budgets[0].tolerance",
               "from 1 to 10");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"endpoint\": \"a\"}]}", "budgets[0]", "no rules");
  expect_error("{\"schema_version\": 1, \"budgets\": [{\"p95\": \"1s\",}", "b.json:1:", "not valid JSON");
}

TEST(BudgetsFile, SeedDefaultsParseWithTheSeedTargets) {
  auto set = read_budgets(PERFGATE_SOURCE_DIR "/budgets/seed-defaults.json");
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_EQ(set->entries.size(), 7u);
  const auto& queues = set->entries[2];
  EXPECT_EQ(queues.scope.category, "queues");
  EXPECT_DOUBLE_EQ(queues.rules[0].limit, 2'000'000);
  EXPECT_DOUBLE_EQ(queues.rules[0].tolerance, 1.5);
  EXPECT_DOUBLE_EQ(queues.rules[1].limit, 5'000'000);
  EXPECT_DOUBLE_EQ(queues.rules[2].timeout_us, 30'000'000);
  const auto& global = set->entries.back();
  EXPECT_DOUBLE_EQ(global.rules[0].limit, 0.01);
  EXPECT_DOUBLE_EQ(global.rules[1].limit, 2e9);
  EXPECT_DOUBLE_EQ(global.rules[2].limit, 500'000);
}

TEST(BudgetsFile, UnreadableFileIsInvalidInputNamingIt) {
  auto set = read_budgets("/nonexistent/budgets.json");
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(set.error().message.find("/nonexistent/budgets.json"), std::string::npos);
}

}  // namespace
}  // namespace perfgate
