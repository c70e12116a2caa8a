#pragma once
// Small SVG charts generated in C++ for the HTML reports: axes with ticks and labels, a legend,
// shaded bands (load phases), horizontal rules (limits) and native hover tooltips (<title>).

#include <string>
#include <utility>
#include <vector>

namespace perfgate {

/// How values on an axis are printed.
enum class ValueFormat {
  kNumber,      ///< plain number with k/M suffixes
  kDurationUs,  ///< microseconds printed as us/ms/s
  kBytes,       ///< bytes printed as KiB/MiB/GiB
  kPercent,     ///< already in percent (0..100)
  kRate,        ///< per second ("12/s")
  kSeconds,     ///< seconds on a run's timeline ("1m30s")
};

/// How x values map to the horizontal axis.
enum class XScale {
  kLinear,
  /// x is a percentile in 0..100 placed at log10(1 / (1 - p/100)), HdrHistogram-style: 0%, 90%,
  /// 99%, 99.9%, ... equally spaced; values of 100% or more are clamped to the last decade shown.
  kPercentileLog,
};

/// How a series is drawn.
enum class SeriesStyle { kLine, kDashed, kStackedArea, kPoints };

/// Whether a line's data points are drawn as dots, or only appear under the pointer (dense series).
enum class PointMarkers { kOnHover, kVisible };

/// One named series; points need not be sorted for kPoints, must be sorted by x otherwise.
/// NaN or infinite coordinates are dropped.
struct ChartSeries {
  std::string name;
  std::string color;  ///< CSS colour ("#2563eb")
  SeriesStyle style = SeriesStyle::kLine;
  std::vector<std::pair<double, double>> points;  ///< (x, y)
  std::vector<size_t> marked;                     ///< indexes of points to highlight (regressions)
  PointMarkers markers = PointMarkers::kOnHover;
};

/// A shaded x range with a label (a load phase).
struct ChartBand {
  double x0 = 0, x1 = 0;
  std::string label;
  bool muted = false;  ///< drawn hatched (e.g. an excluded warm-up)
};

/// A horizontal line across the plot with a label (a budget or max_connections).
struct ChartRule {
  double y = 0;
  std::string label;
  std::string color = "#dc2626";
};

/// A vertical dashed line at x with a hover label (a change point between two runs of a trend).
struct ChartMarker {
  double x = 0;
  std::string label;
  std::string color = "#2563eb";
};

/// Everything one chart shows. Sizes are SVG user units; the SVG scales to its container's width.
struct ChartSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  XScale x_scale = XScale::kLinear;
  ValueFormat x_format = ValueFormat::kSeconds;
  ValueFormat y_format = ValueFormat::kNumber;
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  std::vector<ChartRule> rules;
  std::vector<ChartMarker> markers;  ///< vertical lines (change points)
  /// Categorical x axis: x_names[i] is what a tooltip says for x == i instead of the number
  /// ("run 12, 12-04 10:31, abc123"); empty or out of range: the x value.
  std::vector<std::string> x_names;
  /// x values (categories) whose points are drawn hollow with a grey ring (partial or failed runs).
  std::vector<size_t> flagged_x;
  /// Replaces the computed x ticks when non-empty (categorical axes: run names in a trend).
  std::vector<std::pair<double, std::string>> x_ticks;
  int width = 640;
  int height = 300;
};

/// Renders `spec` as an inline <svg> element (no XML prolog). Total for any input: empty or
/// single-point data, zero ranges and huge values all give a well-formed chart (empty data shows
/// "no data"). Every text is XML-escaped.
std::string render_svg_chart(const ChartSpec& spec);

/// Axis tick positions covering [lo, hi] with "nice" steps (1, 2, 2.5, 5 x 10^n), about `target`
/// of them; lo == hi yields a small range around the value. Returned ascending.
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

/// Formats one value for an axis or tooltip, compactly ("1.5s", "250ms", "12k", "3.0 MiB").
std::string format_axis_value(double value, ValueFormat format);

}  // namespace perfgate
