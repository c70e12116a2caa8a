#include "reports/html_report.h"

#include <gtest/gtest.h>

#include "reports/golden.h"
#include "reports/report_fixture.h"

namespace perfgate {
namespace {

using testing::Hostility;
using testing::make_report_fixture;

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

TEST(HtmlReportGolden, FullReportStructureMatchesTheGoldenFile) {
  const auto fixture = make_report_fixture();
  testing::expect_matches_golden("report_full.html.txt", testing::html_skeleton(render_html_report(fixture.inputs())));
}

TEST(HtmlReportGolden, ResultOnlyReportStructureMatchesTheGoldenFile) {
  const auto fixture = make_report_fixture();
  ReportInputs inputs;
  inputs.result = &fixture.result;
  testing::expect_matches_golden("report_result_only.html.txt", testing::html_skeleton(render_html_report(inputs)));
}

TEST(HtmlReport, IsOneSelfContainedDocumentWithoutScriptsOrFetches) {
  const auto fixture = make_report_fixture();
  const std::string html = render_html_report(fixture.inputs());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<link"));
  EXPECT_FALSE(contains(html, "src=\"http"));
  EXPECT_FALSE(contains(html, "@import"));
  EXPECT_TRUE(contains(html, "name=\"viewport\""));
}

TEST(HtmlReport, PutsTheGateVerdictFirstAndColoursIt) {
  const auto fixture = make_report_fixture();
  const std::string html = render_html_report(fixture.inputs());
  const size_t verdict = html.find("class=\"verdict v-fail\"");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, html.find("id=\"endpoints\""));
  EXPECT_TRUE(contains(html, "reports.sales p95 532.0ms &gt; 500ms budget"));
  EXPECT_TRUE(contains(html, "<td class=\"cell-fail\">")) << "the p95 cell carries the failed budget's colour";
}

TEST(HtmlReport, ShowsRunContextAndLabelsTheClosedModel) {
  auto fixture = make_report_fixture();
  fixture.result.model = LoadModel::kClosed;
  fixture.result.target_rps.reset();
  fixture.result.context.build_type = "Debug";
  fixture.result.partial = true;
  fixture.result.status = "partial";
  fixture.result.generator.saturated = true;
  const std::string html = render_html_report(fixture.inputs());
  EXPECT_TRUE(contains(html, "latency = service time"));
  EXPECT_TRUE(contains(html, "not Release"));
  EXPECT_TRUE(contains(html, "<strong>partial</strong>"));
  EXPECT_TRUE(contains(html, "saturated"));
  EXPECT_TRUE(contains(html, "ci-runner-7"));
  EXPECT_TRUE(contains(html, "8 CPUs"));
}

TEST(HtmlReport, RendersEveryChartKind) {
  const auto fixture = make_report_fixture();
  const std::string html = render_html_report(fixture.inputs());
  for (const char* title : {"reports.sales - latency by percentile", "Latency over time", "Throughput and errors",
                            "Memory (RSS) of watched processes", "CPU of watched processes",
                            "PostgreSQL connections by state", "export.stream - flow timings by percentile"}) {
    EXPECT_TRUE(contains(html, std::string("aria-label=\"") + title + "\"")) << title;
  }
  EXPECT_TRUE(contains(html, ">baseline</text>")) << "the baseline is overlaid on the spectrum";
  EXPECT_TRUE(contains(html, "max_connections 40"));
  EXPECT_TRUE(contains(html, ">spike</text>")) << "phases are labelled";
}

TEST(HtmlReport, ListsFindingsWithEvidenceAndFixes) {
  const auto fixture = make_report_fixture();
  const std::string html = render_html_report(fixture.inputs());
  EXPECT_TRUE(contains(html, "51.0 calls per request"));
  EXPECT_TRUE(contains(html, "48210 &rarr; 312"));
  EXPECT_TRUE(contains(html, "CREATE INDEX CONCURRENTLY ON order_lines (product_id, created_at);"));
  EXPECT_TRUE(contains(html, "Index hygiene (1)"));
  EXPECT_LT(html.find("N+1 queries (1)"), html.find("Slow queries (1)"));
}

TEST(HtmlReport, OrdersBaselineChangesLargestRegressionFirst) {
  const auto fixture = make_report_fixture();
  const std::string html = render_html_report(fixture.inputs());
  const size_t section = html.find("id=\"changes\"");
  ASSERT_NE(section, std::string::npos);
  EXPECT_LT(html.find("+35.0%", section), html.find("+23.0%", section));
  EXPECT_LT(html.find("+23.0%", section), html.find("-3.0%", section));
}

// The gate's power: each comparison's interval in its own column, each inconclusive one explained.
TEST(HtmlReport, ShowsEachComparisonsIntervalAndExplainsAnInconclusiveInOneSentence) {
  auto fixture = make_report_fixture();
  CheckResult& undecided = fixture.gate.checks[5];
  undecided.verdict = Verdict::kInconclusive;
  undecided.message = "reports.sales p99 +23.0% vs baseline: the interval spans the +5% minimum effect; run >= 40 s";
  const std::string html = render_html_report(fixture.inputs());
  const size_t section = html.find("id=\"changes\"");
  ASSERT_NE(section, std::string::npos);
  EXPECT_NE(html.find("<th class=\"text\">Interval</th>", section), std::string::npos);
  EXPECT_NE(html.find("+35.0% [+29.0%, +41.0%], counts from +5.0%", section), std::string::npos);
  EXPECT_NE(html.find("Inconclusive: reports.sales p99 +23.0% vs baseline: the interval spans the +5% minimum "
                      "effect; run &gt;= 40 s.</p>",
                      section),
            std::string::npos);
}

TEST(HtmlReport, ComputesChangesFromTheBaselineWithoutAGateReport) {
  const auto fixture = make_report_fixture();
  ReportInputs inputs{&fixture.result, &fixture.baseline, nullptr, nullptr};
  const std::string html = render_html_report(inputs);
  EXPECT_TRUE(contains(html, "Percentiles compared directly"));
  const size_t section = html.find("id=\"changes\"");
  const std::string row_start = "<tbody><tr><td class=\"text\">";
  const size_t first_row = html.find(row_start, section);
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_EQ(html.compare(first_row + row_start.size(), 13, "reports.sales"), 0) << "the slowed-down endpoint leads";
}

TEST(HtmlReportEscaping, HostileStringsStayInertText) {
  const auto fixture = make_report_fixture(Hostility::kHostile);
  const std::string html = render_html_report(fixture.inputs());
  EXPECT_FALSE(contains(html, "<script"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_FALSE(contains(html, "\" onmouseover=\""));
  EXPECT_TRUE(contains(html, "reports.&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
  EXPECT_TRUE(contains(html, "&lt;img src=x onerror="));
}

TEST(HtmlReportEscaping, SecretsInCommandLinesAndTargetsAreRedacted) {
  const auto fixture = make_report_fixture(Hostility::kHostile);
  const std::string html = render_html_report(fixture.inputs());
  for (const char* secret : {"SECRETCOOKIE", "SECRETPW", "abc.def"}) EXPECT_FALSE(contains(html, secret)) << secret;
  EXPECT_TRUE(contains(html, "Cookie: [redacted]"));
  EXPECT_TRUE(contains(html, "admin:[redacted]@127.0.0.1"));
  const auto plain = make_report_fixture();
  EXPECT_FALSE(contains(render_html_report(plain.inputs()), "abc.def")) << "Authorization bearer token";
}

TEST(HtmlReport, AnEmptyRunStillRenders) {
  RunResult empty;
  ReportInputs inputs;
  inputs.result = &empty;
  const std::string html = render_html_report(inputs);
  EXPECT_TRUE(contains(html, "No endpoint completed a request."));
  EXPECT_TRUE(contains(html, "</html>"));
}

}  // namespace
}  // namespace perfgate
