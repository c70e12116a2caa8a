#include <gtest/gtest.h>

#include "reports/gate_console.h"
#include "reports/gate_markdown.h"
#include "reports/junit.h"
#include "reports/xml_check.h"

namespace perfgate {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

GateReport sample_report() {
  GateReport r;
  r.overall = Verdict::kFail;
  r.result_path = "results/run<1>.json";
  r.budgets_path = "budgets.json";
  CheckResult fail;
  fail.id = "budget:reports.sales:p95";
  fail.kind = "budget";
  fail.endpoint = "reports.sales";
  fail.metric = "p95";
  fail.verdict = Verdict::kFail;
  fail.measured = 1'840'000;
  fail.limit = 1'000'000;
  fail.unit = "us";
  fail.message = "reports.sales p95 1.84s exceeds 1s (x1.5 tolerance: 1.50s) & more | \"quoted\"";
  CheckResult pass = fail;
  pass.id = "budget:auth.login:p95";
  pass.endpoint = "auth.login";
  pass.verdict = Verdict::kPass;
  pass.measured = 90'000;
  pass.message = "auth.login p95 90ms <= 200ms";
  CheckResult inc;
  inc.id = "baseline:run:comparable";
  inc.kind = "baseline";
  inc.metric = "comparable";
  inc.verdict = Verdict::kInconclusive;
  inc.message = "the baseline ran a different scenario";
  CheckResult warn = pass;
  warn.id = "budget:auth.login:p99";
  warn.verdict = Verdict::kWarn;
  warn.message = "auth.login p99 over budget\x01 within tolerance";
  r.checks = {pass, fail, inc, warn};
  r.notes = {"the load generator was saturated"};
  return r;
}

TEST(JUnit, RendersOneWellFormedTestcasePerCheckWithFailuresAndSkips) {
  const std::string xml = gate_report_to_junit(sample_report());
  EXPECT_EQ(testing::xml_problem(xml), "") << xml;
  EXPECT_EQ(count(xml, "<testcase "), 4u);
  EXPECT_EQ(count(xml, "<failure "), 1u);
  EXPECT_EQ(count(xml, "<skipped "), 1u);
  EXPECT_NE(xml.find("tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("1.84s exceeds 1s"), std::string::npos);
  EXPECT_NE(xml.find("&amp; more"), std::string::npos);
  EXPECT_NE(xml.find("run&lt;1&gt;.json"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos) << "control characters are dropped";
}

TEST(JUnit, TheMinimalCheckerCatchesBrokenXml) {
  EXPECT_NE(testing::xml_problem("<a><b></a>"), "");
  EXPECT_NE(testing::xml_problem("<a x=\"1 & 2\"/>"), "");
  EXPECT_NE(testing::xml_problem("<a>"), "");
  EXPECT_EQ(testing::xml_problem("<?xml version=\"1.0\"?><a><b x=\"&lt;\"/></a>"), "");
}

TEST(GateMarkdown, PutsFailuresFirstInAnIntactTable) {
  const std::string md = gate_report_to_markdown(sample_report());
  EXPECT_EQ(md.rfind("## perfgate gate: FAIL", 0), 0u) << md;
  EXPECT_NE(md.find("4 checks: 1 failed, 1 inconclusive, 1 warnings, 1 passed."), std::string::npos) << md;
  EXPECT_LT(md.find("| FAIL |"), md.find("| INCONCLUSIVE |"));
  EXPECT_LT(md.find("| INCONCLUSIVE |"), md.find("| WARN |"));
  EXPECT_LT(md.find("| WARN |"), md.find("| PASS |"));
  EXPECT_NE(md.find("more \\| \"quoted\""), std::string::npos) << "pipes are escaped";
  EXPECT_NE(md.find("| reports.sales | 1.84s | 1.00s |"), std::string::npos) << md;
  EXPECT_NE(md.find("- Note: the load generator was saturated"), std::string::npos);
}

TEST(GateConsole, ShowsTheTableTheReasonsAndTheOverallVerdict) {
  const std::string text = gate_report_to_console(sample_report());
  EXPECT_EQ(text.rfind("VERDICT", 0), 0u) << text;
  EXPECT_LT(text.find("FAIL "), text.find("PASS "));
  EXPECT_NE(text.find("FAIL: reports.sales p95 1.84s exceeds 1s"), std::string::npos) << text;
  EXPECT_NE(text.find("INCONCLUSIVE: the baseline ran a different scenario"), std::string::npos);
  EXPECT_NE(text.find("gate: FAIL (1 failed, 1 inconclusive, 1 warnings, 1 passed)"), std::string::npos) << text;
}

// A baseline comparison carries its interval and the change that counts, so a reader sees how close
// the gate came to the other verdicts; a budget check has none.
TEST(GateRenderers, ShowTheIntervalOfEachBaselineComparison) {
  GateReport r = sample_report();
  CheckResult shift;
  shift.id = "baseline:reports.sales:p95_shift";
  shift.kind = "baseline";
  shift.endpoint = "reports.sales";
  shift.metric = "p95_shift";
  shift.verdict = Verdict::kInconclusive;
  shift.measured = 23'300;
  shift.limit = 20'400;
  shift.unit = "us";
  shift.change = 0.042;
  shift.change_low = -0.011;
  shift.change_high = 0.093;
  shift.threshold = 0.05;
  shift.message = "reports.sales p95 +4.2% vs baseline: the interval spans the +5% minimum effect; run >= 40 s";
  r.checks.push_back(shift);
  const std::string interval = "+4.2% [-1.1%, +9.3%], counts from +5.0%";
  const std::string md = gate_report_to_markdown(r);
  EXPECT_NE(md.find("| Change [interval] |"), std::string::npos) << md;
  EXPECT_NE(md.find("| " + interval + " |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 1.00s |  |"), std::string::npos) << "a budget row has an empty interval cell\n" << md;
  const std::string text = gate_report_to_console(r);
  EXPECT_NE(text.find("CHANGE [INTERVAL]"), std::string::npos) << text;
  EXPECT_NE(text.find(interval), std::string::npos) << text;
}

}  // namespace
}  // namespace perfgate
