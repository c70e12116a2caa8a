#include "reports/markdown_report.h"

#include <gtest/gtest.h>

#include "reports/golden.h"
#include "reports/report_fixture.h"

namespace perfgate {
namespace {

using testing::Hostility;
using testing::make_report_fixture;

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

// The Markdown outside fenced code blocks (inside them, markup is shown as text by every renderer).
std::string outside_code_blocks(const std::string& md) {
  std::string out, line, fence;
  for (size_t start = 0; start < md.size();) {
    const size_t end = std::min(md.find('\n', start), md.size());
    line = md.substr(start, end - start);
    start = end + 1;
    const size_t indent = line.find_first_not_of(' ');
    const std::string body = indent == std::string::npos ? "" : line.substr(indent);
    if (fence.empty() && body.rfind("```", 0) == 0) {
      fence = body.substr(0, body.find_first_not_of('`'));
    } else if (!fence.empty() && body == fence) {
      fence.clear();
    } else if (fence.empty()) {
      out += line + "\n";
    }
  }
  return out;
}

TEST(MarkdownReportGolden, FullSummaryMatchesTheGoldenFile) {
  const auto fixture = make_report_fixture();
  testing::expect_matches_golden("report_full.md", render_markdown_report(fixture.inputs()));
}

TEST(MarkdownReportGolden, BaselineWithoutGateMatchesTheGoldenFile) {
  const auto fixture = make_report_fixture();
  testing::expect_matches_golden("report_baseline_only.md",
                                 render_markdown_report({&fixture.result, &fixture.baseline, nullptr, nullptr}));
}

TEST(MarkdownReport, StartsWithTheVerdictAndListsFailuresFirst) {
  const auto fixture = make_report_fixture();
  const std::string md = render_markdown_report(fixture.inputs());
  EXPECT_EQ(md.rfind("## ❌ perfgate: FAIL", 0), 0u) << md.substr(0, 80);
  EXPECT_LT(md.find("p95 532.0ms &gt; 500ms"), md.find("within 93%"));
}

TEST(MarkdownReport, ShowsEachComparisonsIntervalAndExplainsAnInconclusiveInOneSentence) {
  auto fixture = make_report_fixture();
  CheckResult& undecided = fixture.gate.checks[5];
  undecided.verdict = Verdict::kInconclusive;
  undecided.message = "reports.sales p99 +23.0% vs baseline: the interval spans the +5% minimum effect; run >= 40 s";
  const std::string md = render_markdown_report(fixture.inputs());
  EXPECT_TRUE(contains(md, "| Change | Interval | Verdict |")) << md;
  EXPECT_TRUE(contains(md, "| +35.0% \\[+29.0%, +41.0%\\], counts from +5.0% |")) << md;
  EXPECT_TRUE(contains(md,
                       "- Inconclusive: reports.sales p99 +23.0% vs baseline: the interval spans the +5% minimum "
                       "effect; run &gt;= 40 s.\n"))
      << md;
}

TEST(MarkdownReport, EscapesTableBreakingAndHtmlCharacters) {
  const auto fixture = make_report_fixture(Hostility::kHostile);
  const std::string md = render_markdown_report(fixture.inputs());
  EXPECT_FALSE(contains(outside_code_blocks(md), "<script"));
  EXPECT_FALSE(contains(outside_code_blocks(md), "<img"));
  EXPECT_TRUE(contains(md, "users&quot; onmouseover=&quot;alert(1)\\|\\`x\\`") ||
              contains(md, "users\" onmouseover=\"alert(1)\\|\\`x\\`"));
  // The DDL holds a ``` run: its fence must be longer so the block cannot be closed early.
  EXPECT_TRUE(contains(md, "````sql"));
}

TEST(MarkdownReport, EveryTableRowHasTheHeadersColumnCount) {
  const auto fixture = make_report_fixture(Hostility::kHostile);
  const std::string md = render_markdown_report(fixture.inputs());
  // Every row of a table (its header the first line starting "| " after a line that does not) has as
  // many unescaped pipes as the header.
  size_t header_pipes = 0;
  bool in_table = false;
  int tables = 0;
  for (size_t start = 0; start < md.size();) {
    const size_t end = std::min(md.find('\n', start), md.size());
    const std::string row = md.substr(start, end - start);
    start = end + 1;
    if (row.rfind("| ", 0) != 0 && row.rfind("|-", 0) != 0) {
      in_table = false;
      continue;
    }
    size_t pipes = 0;
    for (size_t i = 0; i < row.size(); ++i) pipes += row[i] == '|' && (i == 0 || row[i - 1] != '\\');
    if (!in_table) {
      in_table = true;
      header_pipes = pipes;
      ++tables;
    }
    EXPECT_EQ(pipes, header_pipes) << row;
  }
  EXPECT_GE(tables, 2) << md;
}

}  // namespace
}  // namespace perfgate
