// The before/after tables of a fix: figures taken from both runs and both analyses, changes and
// factors, and the sections the Markdown and HTML reports open with.
#include "reports/before_after.h"

#include <gtest/gtest.h>

#include <cmath>

#include "reports/html_report.h"
#include "reports/markdown_report.h"

namespace perfgate {
namespace {

EndpointStats endpoint(const std::string& name, int64_t latency_us, int n) {
  EndpointStats e;
  e.name = name;
  for (int i = 0; i < n; ++i) e.latency.record(latency_us);
  e.requests = n;
  return e;
}

RunResult run(int64_t sales_us, int64_t peak_rss_bytes) {
  RunResult r;
  r.endpoints.push_back(endpoint("reports.sales", sales_us, 100));
  r.endpoints.push_back(endpoint("reports.by_user", 2000, 100));
  EndpointStats flow = endpoint("async", 1000, 10);
  flow.kind = "flow";
  r.endpoints.push_back(flow);
  r.profile.emplace();
  r.profile->summary.peak_rss_bytes = peak_rss_bytes;
  return r;
}

// The sales page at 200 ms and 101 queries before, 8 ms and 1 query after; 400 MiB then 40 MiB.
struct Pair {
  RunResult before = run(200000, 400 << 20);
  RunResult after = run(8000, 40 << 20);
  Findings before_findings;
  Findings after_findings;
  Pair() {
    before_findings.queries_per_request["reports.sales"] = 101;
    after_findings.queries_per_request["reports.sales"] = 1;
  }
  [[nodiscard]] ReportInputs inputs() const { return {&after, &before, &after_findings, nullptr, &before_findings}; }
};

TEST(BeforeAfter, FiguresComeFromBothRunsAndBothAnalysesWithTheirChangeAndFactor) {
  const Pair pair;
  const auto figures = before_after_figures(pair.inputs());
  ASSERT_EQ(figures.size(), 7u);  // 2 request endpoints x (p95, p99, queries) + peak memory; flows left out

  const BeforeAfterFigure* p95 = find_figure(figures, "reports.sales", "p95");
  ASSERT_NE(p95, nullptr);
  EXPECT_NEAR(p95->before, 200000, 200000 * 0.01);
  EXPECT_NEAR(p95->after, 8000, 8000 * 0.01);
  EXPECT_NEAR(p95->change(), -0.96, 0.01);
  EXPECT_NEAR(p95->factor(), 25, 0.5);
  EXPECT_EQ(format_before_after_change(*p95).substr(0, 6), "-96.0%");
  EXPECT_NE(format_before_after_change(*p95).find("(25x)"), std::string::npos) << format_before_after_change(*p95);

  const BeforeAfterFigure* queries = find_figure(figures, "reports.sales", "queries_per_request");
  ASSERT_NE(queries, nullptr);
  EXPECT_EQ(queries->before, 101);
  EXPECT_EQ(queries->after, 1);
  const BeforeAfterFigure* unprobed = find_figure(figures, "reports.by_user", "queries_per_request");
  ASSERT_NE(unprobed, nullptr);
  EXPECT_TRUE(std::isnan(unprobed->before) && std::isnan(unprobed->change()));
  EXPECT_EQ(format_before_after_change(*unprobed), "-");
  // A figure that did not fall by half shows its change without a factor.
  const BeforeAfterFigure* steady = find_figure(figures, "reports.by_user", "p95");
  ASSERT_NE(steady, nullptr);
  EXPECT_EQ(format_before_after_change(*steady), "+0.0%");

  const BeforeAfterFigure* memory = find_figure(figures, "", "peak_rss");
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->before, 400 << 20);
  EXPECT_EQ(memory->after, 40 << 20);
  EXPECT_EQ(find_figure(figures, "async", "p95"), nullptr);
}

TEST(BeforeAfter, ReportsOpenWithTheTableOnlyForABeforeAfterPair) {
  const Pair pair;
  const std::string markdown = render_markdown_report(pair.inputs());
  EXPECT_EQ(markdown.rfind("## Before and after", 0), 0u) << markdown.substr(0, 200);
  EXPECT_NE(markdown.find("| 101 | 1 | -99.0% (101x) |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| peak server memory (RSS) | 400.0 MiB | 40.0 MiB | -90.0% (10x) |"), std::string::npos)
      << markdown;
  const std::string html = render_html_report(pair.inputs());
  EXPECT_NE(html.find("<h2 id=\"before-after\">"), std::string::npos);
  EXPECT_NE(html.find("href=\"#before-after\""), std::string::npos);

  // A plain baseline comparison (no baseline findings) keeps its reports as they were.
  const ReportInputs plain{&pair.after, &pair.before, &pair.after_findings, nullptr};
  EXPECT_EQ(render_markdown_report(plain).find("Before and after"), std::string::npos);
  EXPECT_EQ(render_html_report(plain).find("before-after"), std::string::npos);
  EXPECT_TRUE(render_before_after_markdown(ReportInputs{&pair.after}).empty());
}

}  // namespace
}  // namespace perfgate
