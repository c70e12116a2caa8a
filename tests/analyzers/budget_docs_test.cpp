// docs/budgets.md against the metrics a run can record (core/metric_names.h): a documented budget
// metric that no run emits could never be checked, so it fails here instead.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "analyzers/budget.h"
#include "core/metric_names.h"

namespace perfgate {
namespace {

std::string budgets_doc() {
  std::ifstream in(std::string(PERFGATE_SOURCE_DIR) + "/docs/budgets.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BudgetDocs, EveryNamedMetricTheDocsUseIsOneARunCanRecord) {
  const std::string doc = budgets_doc();
  ASSERT_FALSE(doc.empty()) << "docs/budgets.md not found";
  // "metric(NAME)" and "NAME.pNN" / "NAME.max" wherever they appear: examples, tables and prose.
  const std::regex named(R"(metric\(([a-z_]+)\)|\b([a-z_]+)\.(p[0-9N]+|max)\b)");
  const std::set<std::string> not_named_metrics = {"recovery", "name"};
  int seen = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), named); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    if (not_named_metrics.count(name) != 0) continue;
    ++seen;
    EXPECT_NE(find_endpoint_metric(name), nullptr)
        << "docs/budgets.md names \"" << it->str() << "\", a metric no run records (core/metric_names.h)";
  }
  EXPECT_GT(seen, 3);
}

TEST(BudgetDocs, EveryRuleInTheDocsExamplesParses) {
  const std::string doc = budgets_doc();
  const std::regex rules(R"re("rules": \[([^\]]*)\])re");
  const std::regex quoted(R"re("([^"]+)")re");
  int parsed = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), rules); it != std::sregex_iterator(); ++it) {
    const std::string list = (*it)[1].str();
    for (auto q = std::sregex_iterator(list.begin(), list.end(), quoted); q != std::sregex_iterator(); ++q) {
      const std::string rule = (*q)[1].str();
      if (rule == "rule" || rule == "severity" || rule == "warn" || rule == "fail") continue;
      const auto r = parse_budget_rule(rule);
      EXPECT_TRUE(r.ok()) << rule << ": " << (r.ok() ? "" : r.error().message);
      ++parsed;
    }
  }
  EXPECT_GT(parsed, 5);
}

TEST(BudgetDocs, EveryMetricARunCanRecordIsDocumented) {
  const std::string doc = budgets_doc();
  for (const auto& m : endpoint_metric_names()) {
    EXPECT_NE(doc.find("| `" + std::string(m.budget_name) + "` | `" + std::string(m.name) + "` |"), std::string::npos)
        << m.name << " is missing from the named-metrics table of docs/budgets.md";
  }
}

}  // namespace
}  // namespace perfgate
