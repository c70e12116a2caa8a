#include "reports/svg_chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace perfgate {
namespace {

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

// Well-formed enough for a browser: one svg, balanced groups and texts, no NaN or inf coordinates.
void expect_well_formed(const std::string& svg) {
  EXPECT_EQ(svg.rfind("<svg", 0), 0u) << svg.substr(0, 80);
  EXPECT_EQ(count(svg, "<svg"), 1u);
  EXPECT_EQ(count(svg, "</svg>"), 1u);
  EXPECT_EQ(count(svg, "<g"), count(svg, "</g>"));
  EXPECT_EQ(count(svg, "<text"), count(svg, "</text>"));
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

ChartSpec line_chart(std::vector<std::pair<double, double>> points) {
  ChartSpec spec;
  spec.title = "latency";
  spec.y_format = ValueFormat::kDurationUs;
  spec.series.push_back({"p95", "#d97706", SeriesStyle::kLine, std::move(points), {}});
  return spec;
}

TEST(SvgChart, EmptyDataShowsNoDataAndStillHasAxes) {
  const std::string svg = render_svg_chart(line_chart({}));
  expect_well_formed(svg);
  EXPECT_NE(svg.find("no data"), std::string::npos);
  EXPECT_NE(svg.find("class=\"axis\""), std::string::npos);
  EXPECT_EQ(svg.find("class=\"line\""), std::string::npos);
}

TEST(SvgChart, ChartWithoutAnySeriesShowsNoData) {
  ChartSpec spec;
  spec.title = "nothing";
  expect_well_formed(render_svg_chart(spec));
  EXPECT_NE(render_svg_chart(spec).find("no data"), std::string::npos);
}

TEST(SvgChart, SinglePointDrawsAVisibleDot) {
  const std::string svg = render_svg_chart(line_chart({{5, 1200}}));
  expect_well_formed(svg);
  EXPECT_NE(svg.find("class=\"line\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"points\""), std::string::npos);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
}

TEST(SvgChart, ZeroRangeOnBothAxesStaysFinite) {
  const std::string svg = render_svg_chart(line_chart({{3, 0}, {3, 0}, {3, 0}}));
  expect_well_formed(svg);
  EXPECT_NE(svg.find("class=\"tick\""), std::string::npos);
}

TEST(SvgChart, HugeValuesGetCompactTickLabels) {
  const std::string svg = render_svg_chart(line_chart({{0, 1}, {1, 3.5e12}, {2, 9e14}}));
  expect_well_formed(svg);
  EXPECT_NE(svg.find("min</text>"), std::string::npos) << "huge microsecond values print in minutes";
}

TEST(SvgChart, NonFiniteValuesAreDropped) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::string svg = render_svg_chart(line_chart({{0, 10}, {1, std::nan("")}, {2, inf}, {3, 30}}));
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "<title>p95:"), 2u);
}

TEST(SvgChart, PercentileAxisIsLabelledInNinesAndClampsOneHundredPercent) {
  ChartSpec spec = line_chart({{0, 100}, {50, 200}, {90, 400}, {99, 800}, {99.9, 1600}, {100, 5000}});
  spec.x_scale = XScale::kPercentileLog;
  const std::string svg = render_svg_chart(spec);
  expect_well_formed(svg);
  for (const char* label : {">0%<", ">90%<", ">99%<", ">99.9%<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  EXPECT_EQ(svg.find(">99.99%<"), std::string::npos) << "the axis ends at the data's last finite decade";
}

TEST(SvgChart, EveryTextIsEscaped) {
  ChartSpec spec = line_chart({{0, 1}, {1, 2}});
  spec.title = "<script>alert(1)</script>";
  spec.series[0].name = "\"><img src=x onerror=alert(1)>";
  spec.series[0].color = "red\" onload=\"alert(1)";
  spec.bands.push_back({0, 1, "<b>phase</b>", false});
  spec.rules.push_back({1.5, "<i>limit</i>", "#000"});
  const std::string svg = render_svg_chart(spec);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<img"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_EQ(svg.find("<i>"), std::string::npos);
  EXPECT_EQ(svg.find("\" onload"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
}

TEST(SvgChart, StackedAreasSumToTheTopAndTheRuleWidensTheAxis) {
  ChartSpec spec;
  spec.title = "connections";
  spec.series.push_back({"active", "#00f", SeriesStyle::kStackedArea, {{0, 2}, {1, 3}}, {}});
  spec.series.push_back({"idle", "#999", SeriesStyle::kStackedArea, {{0, 5}, {1, 5}}, {}});
  spec.rules.push_back({40, "max_connections 40", "#b91c1c"});
  const std::string svg = render_svg_chart(spec);
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "class=\"area\""), 2u);
  EXPECT_NE(svg.find("idle: 8 at"), std::string::npos) << "the upper area's tooltip shows the stacked total";
  EXPECT_NE(svg.find(">40<"), std::string::npos) << "the y axis reaches max_connections";
}

TEST(SvgChart, BandsAreShadedAndLabelledWhenWideEnough) {
  ChartSpec spec = line_chart({{0, 1}, {100, 2}});
  spec.bands = {{0, 10, "warm-up (excluded)", true}, {10, 100, "steady", false}};
  const std::string svg = render_svg_chart(spec);
  EXPECT_NE(svg.find("band-muted"), std::string::npos);
  EXPECT_NE(svg.find(">steady</text>"), std::string::npos);
}

TEST(SvgChart, MarkedPointsAreRinged) {
  ChartSpec spec = line_chart({{0, 1}, {1, 2}, {2, 9}});
  spec.series[0].marked = {2, 17};
  const std::string svg = render_svg_chart(spec);
  EXPECT_EQ(count(svg, "class=\"mark\""), 1u) << "an out-of-range mark is ignored";
}

TEST(NiceTicks, CoverTheRangeWithRoundSteps) {
  const auto ticks = nice_ticks(0, 97, 5);
  ASSERT_GE(ticks.size(), 3u);
  EXPECT_DOUBLE_EQ(ticks.front(), 0);
  EXPECT_GE(ticks.back(), 97);
  EXPECT_DOUBLE_EQ(ticks[1] - ticks[0], 20);
}

TEST(NiceTicks, ZeroRangeYieldsARangeAroundTheValue) {
  const auto ticks = nice_ticks(5, 5, 5);
  ASSERT_GE(ticks.size(), 2u);
  EXPECT_LT(ticks.front(), 5);
  EXPECT_GT(ticks.back(), 5);
  EXPECT_GE(nice_ticks(0, 0, 5).size(), 2u);
}

TEST(NiceTicks, HugeAndNonFiniteRangesAreBounded) {
  EXPECT_LE(nice_ticks(0, 1e300, 5).size(), 64u);
  EXPECT_TRUE(nice_ticks(0, std::numeric_limits<double>::infinity(), 5).empty());
}

TEST(FormatAxisValue, PrintsEachUnitCompactly) {
  EXPECT_EQ(format_axis_value(250000, ValueFormat::kDurationUs), "250ms");
  EXPECT_EQ(format_axis_value(1500000, ValueFormat::kDurationUs), "1.5s");
  EXPECT_EQ(format_axis_value(800, ValueFormat::kDurationUs), "800us");
  EXPECT_EQ(format_axis_value(3 * 1048576.0, ValueFormat::kBytes), "3 MiB");
  EXPECT_EQ(format_axis_value(90, ValueFormat::kSeconds), "1m30s");
  EXPECT_EQ(format_axis_value(12000, ValueFormat::kNumber), "12k");
  EXPECT_EQ(format_axis_value(50, ValueFormat::kRate), "50/s");
  EXPECT_EQ(format_axis_value(std::nan(""), ValueFormat::kNumber), "-");
}

}  // namespace
}  // namespace perfgate
