#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "svg_axis.h"
#include "text_safety.h"

namespace perfgate {
namespace {

using reports_detail::compact_number;
using reports_detail::escape_html;

constexpr double kMarginLeft = 62, kMarginRight = 22, kMarginTop = 50, kMarginBottom = 46;
constexpr double kCharWidth = 6.4;  // rough advance of a 11-12px sans-serif glyph, for layout only
constexpr size_t kMaxHoverPoints = 400;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double percentile_position(double p) {
  if (p <= 0) return 0;
  if (p >= 100) return std::numeric_limits<double>::infinity();
  return std::log10(1.0 / (1.0 - p / 100.0));
}

std::string percentile_label(int decade) {
  if (decade <= 0) return "0%";
  // 1 -> 90%, 2 -> 99%, 3 -> 99.9%, ...
  std::string s = "9";
  s += decade >= 2 ? "9" : "0";
  if (decade > 2) s += "." + std::string(static_cast<size_t>(decade - 2), '9');
  return s + "%";
}

bool finite(double v) { return std::isfinite(v); }

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!finite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  [[nodiscard]] bool empty() const { return lo > hi; }
};

// Cumulative y of stacked series, by point index, so areas sit on top of each other.
std::vector<std::vector<std::pair<double, double>>> stacked_tops(const ChartSpec& spec) {
  std::vector<std::vector<std::pair<double, double>>> tops(spec.series.size());
  std::vector<double> running;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const auto& s = spec.series[i];
    if (s.style != SeriesStyle::kStackedArea) continue;
    if (running.size() < s.points.size()) running.resize(s.points.size(), 0.0);
    for (size_t j = 0; j < s.points.size(); ++j) {
      const double y = finite(s.points[j].second) ? s.points[j].second : 0.0;
      running[j] += y;
      tops[i].emplace_back(s.points[j].first, running[j]);
    }
  }
  return tops;
}

class Plot {
 public:
  Plot(const ChartSpec& spec, double left, double x_lo, double x_hi, double y_lo, double y_hi)
      : spec_(spec), x_lo_(x_lo), x_hi_(x_hi), y_lo_(y_lo), y_hi_(y_hi) {
    left_ = left;
    right_ = spec.width - kMarginRight;
    top_ = kMarginTop;
    bottom_ = spec.height - kMarginBottom;
  }
  [[nodiscard]] double tx(double x) const {
    double v = spec_.x_scale == XScale::kPercentileLog ? std::min(percentile_position(x), x_hi_) : x;
    if (!finite(v)) v = x_hi_;
    const double span = x_hi_ - x_lo_;
    const double f = span > 0 ? (v - x_lo_) / span : 0.5;
    return left_ + std::clamp(f, 0.0, 1.0) * (right_ - left_);
  }
  [[nodiscard]] double ty(double y) const {
    const double span = y_hi_ - y_lo_;
    const double f = span > 0 ? (y - y_lo_) / span : 0.5;
    return bottom_ - std::clamp(f, 0.0, 1.0) * (bottom_ - top_);
  }
  double left_, right_, top_, bottom_;

 private:
  const ChartSpec& spec_;
  double x_lo_, x_hi_, y_lo_, y_hi_;
};

std::string dash_for(SeriesStyle style) { return style == SeriesStyle::kDashed ? " stroke-dasharray=\"6 4\"" : ""; }

std::string hover_text(const ChartSpec& spec, const std::string& name, double x, double y) {
  // A categorical x (a trend's runs) is named, not numbered.
  if (std::round(x) == x && x >= 0 && static_cast<size_t>(x) < spec.x_names.size() &&
      !spec.x_names[static_cast<size_t>(x)].empty()) {
    return name + ": " + format_axis_value(y, spec.y_format) + " - " + spec.x_names[static_cast<size_t>(x)];
  }
  const std::string xs =
      spec.x_scale == XScale::kPercentileLog ? compact_number(x, 4) + "%" : format_axis_value(x, spec.x_format);
  return name + ": " + format_axis_value(y, spec.y_format) + " at " + xs;
}

void draw_legend(const ChartSpec& spec, double left, std::string& out) {
  double x = left;
  double y = 36;
  auto item = [&](const std::string& name, const std::string& shape) {
    const double w = 22 + kCharWidth * static_cast<double>(name.size()) + 14;
    if (x + w > spec.width - kMarginRight && x > left) {
      x = left;
      y += 14;
    }
    out += "<g class=\"legend-item\">" + shape;
    out += "<text x=\"" + num(x + 22) + "\" y=\"" + num(y + 4) + "\">" + escape_html(name) + "</text></g>";
    x += w;
  };
  for (const auto& s : spec.series) {
    const std::string c = escape_html(s.color);
    std::string shape;
    if (s.style == SeriesStyle::kStackedArea) {
      shape = "<rect x=\"" + num(x) + "\" y=\"" + num(y - 4) + "\" width=\"16\" height=\"8\" fill=\"" + c +
              "\" fill-opacity=\"0.75\"/>";
    } else if (s.style == SeriesStyle::kPoints) {
      shape = "<circle cx=\"" + num(x + 8) + "\" cy=\"" + num(y) + "\" r=\"3.5\" fill=\"" + c + "\"/>";
    } else {
      shape = "<line x1=\"" + num(x) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x + 16) + "\" y2=\"" + num(y) +
              "\" stroke=\"" + c + "\" stroke-width=\"2.5\"" + dash_for(s.style) + "/>";
    }
    item(s.name, shape);
  }
  for (const auto& r : spec.rules) {
    const std::string shape = "<line x1=\"" + num(x) + "\" y1=\"" + num(y) + "\" x2=\"" + num(x + 16) + "\" y2=\"" +
                              num(y) + "\" stroke=\"" + escape_html(r.color) +
                              "\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"/>";
    item(r.label, shape);
  }
}

}  // namespace

std::string render_svg_chart(const ChartSpec& in) {
  ChartSpec spec = in;
  spec.width = std::max(spec.width, 200);
  spec.height = std::max(spec.height, 140);
  const auto tops = stacked_tops(spec);

  Range xr, yr;
  bool has_data = false;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const auto& pts = spec.series[i].style == SeriesStyle::kStackedArea ? tops[i] : spec.series[i].points;
    for (const auto& [x, y] : pts) {
      if (!finite(x) || !finite(y)) continue;
      has_data = true;
      // 100% sits at infinity on this scale: it is drawn at the right edge and does not widen the axis.
      xr.add(spec.x_scale == XScale::kPercentileLog ? percentile_position(x) : x);
      yr.add(y);
    }
  }
  for (const auto& r : spec.rules) yr.add(r.y);
  for (const auto& b : spec.bands) {
    if (spec.x_scale == XScale::kLinear) {
      xr.add(b.x0);
      xr.add(b.x1);
    }
  }
  for (const auto& t : spec.x_ticks) xr.add(t.first);

  // Axes start at zero: every quantity charted here (latency, counts, bytes, percent) is >= 0, and
  // a zero-based axis keeps a 5% wobble from looking like a cliff.
  double y_lo = 0, y_hi = yr.empty() ? 1 : std::max(yr.hi, 0.0);
  if (!yr.empty() && yr.lo < 0) y_lo = yr.lo;
  // Bytes get ticks at round multiples of KiB/MiB/GiB rather than of powers of ten.
  double y_unit = 1;
  if (spec.y_format == ValueFormat::kBytes) {
    while (y_unit * 1024 <= std::max(std::abs(y_lo), std::abs(y_hi)) && y_unit < 1e18) y_unit *= 1024;
  }
  std::vector<double> y_ticks = nice_ticks(y_lo / y_unit, (y_hi == y_lo ? y_lo + 1 : y_hi) / y_unit, 5);
  for (double& t : y_ticks) t *= y_unit;
  if (y_ticks.size() >= 2) {
    y_lo = y_ticks.front();
    y_hi = y_ticks.back();
  }

  double x_lo = 0, x_hi = 1;
  std::vector<std::pair<double, std::string>> x_ticks;
  if (spec.x_scale == XScale::kPercentileLog) {
    x_hi = std::max(2.0, std::ceil(xr.empty() ? 2.0 : std::min(xr.hi, 9.0) - 1e-9));
    for (int d = 0; d <= static_cast<int>(x_hi); ++d) x_ticks.emplace_back(d, percentile_label(d));
  } else if (!spec.x_ticks.empty()) {
    x_lo = xr.lo;
    x_hi = xr.hi;
    if (x_hi <= x_lo) {
      x_lo -= 0.5;
      x_hi += 0.5;
    }
    x_ticks = spec.x_ticks;
  } else if (!xr.empty()) {
    const auto ticks = nice_ticks(xr.lo, xr.hi, std::max(3, spec.width / 110));
    x_lo = xr.hi > xr.lo ? xr.lo : ticks.front();
    x_hi = xr.hi > xr.lo ? xr.hi : ticks.back();
    for (double t : ticks) {
      if (t >= x_lo - 1e-9 * std::abs(x_hi - x_lo) && t <= x_hi + 1e-9 * std::abs(x_hi - x_lo)) {
        x_ticks.emplace_back(t, format_axis_value(t, spec.x_format));
      }
    }
  }

  size_t widest_label = 1;
  for (double t : y_ticks) widest_label = std::max(widest_label, format_axis_value(t, spec.y_format).size());
  const double left = std::max(kMarginLeft, kCharWidth * static_cast<double>(widest_label) + 26);
  const Plot plot(spec, left, x_lo, x_hi, y_lo, y_hi);
  auto px = [&](double x) { return plot.tx(x); };
  auto tick_x = [&](double pos) {
    if (spec.x_scale != XScale::kPercentileLog) return plot.tx(pos);
    const double f = x_hi > 0 ? pos / x_hi : 0;
    return plot.left_ + f * (plot.right_ - plot.left_);
  };

  std::string out;
  out.reserve(8192);
  out += "<svg class=\"chart\" viewBox=\"0 0 " + std::to_string(spec.width) + " " + std::to_string(spec.height) +
         "\" role=\"img\" aria-label=\"" + escape_html(spec.title) + "\" xmlns=\"http://www.w3.org/2000/svg\">";
  out += "<text class=\"chart-title\" x=\"" + num(plot.left_) + "\" y=\"18\">" + escape_html(spec.title) + "</text>";
  draw_legend(spec, plot.left_, out);

  for (const auto& b : spec.bands) {
    if (spec.x_scale != XScale::kLinear) break;
    const double x0 = plot.tx(b.x0), x1 = plot.tx(b.x1);
    if (!(x1 > x0)) continue;
    out += "<g class=\"band\"><title>" + escape_html(b.label) + "</title><rect x=\"" + num(x0) + "\" y=\"" +
           num(plot.top_) + "\" width=\"" + num(x1 - x0) + "\" height=\"" + num(plot.bottom_ - plot.top_) +
           "\" class=\"" + (b.muted ? "band-muted" : "band-fill") + "\"/>";
    if (kCharWidth * 0.9 * static_cast<double>(b.label.size()) + 6 < x1 - x0) {
      out += "<text class=\"band-label\" x=\"" + num(x0 + 4) + "\" y=\"" + num(plot.top_ + 12) + "\">" +
             escape_html(b.label) + "</text>";
    }
    out += "</g>";
  }

  out += "<g class=\"grid\">";
  for (double t : y_ticks) {
    const double y = plot.ty(t);
    out += "<line x1=\"" + num(plot.left_) + "\" y1=\"" + num(y) + "\" x2=\"" + num(plot.right_) + "\" y2=\"" + num(y) +
           "\"/>";
  }
  out += "</g><g class=\"axis\">";
  out += "<line x1=\"" + num(plot.left_) + "\" y1=\"" + num(plot.bottom_) + "\" x2=\"" + num(plot.right_) + "\" y2=\"" +
         num(plot.bottom_) + "\"/>";
  for (double t : y_ticks) {
    out += "<text class=\"tick\" x=\"" + num(plot.left_ - 6) + "\" y=\"" + num(plot.ty(t) + 4) +
           "\" text-anchor=\"end\">" + escape_html(format_axis_value(t, spec.y_format)) + "</text>";
  }
  double last_label_end = -1e9;
  for (const auto& [pos, label] : x_ticks) {
    const double x = tick_x(pos);
    out += "<line x1=\"" + num(x) + "\" y1=\"" + num(plot.bottom_) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(plot.bottom_ + 4) + "\"/>";
    const double half = kCharWidth * 0.5 * static_cast<double>(label.size());
    const double label_x = std::min(x, spec.width - half - 2);  // keep the last label inside the chart
    if (label_x - half < last_label_end + 4) continue;          // labels would overlap: keep the tick, skip the text
    last_label_end = label_x + half;
    out += "<text class=\"tick\" x=\"" + num(label_x) + "\" y=\"" + num(plot.bottom_ + 16) +
           "\" text-anchor=\"middle\">" + escape_html(label) + "</text>";
  }
  if (!spec.x_label.empty()) {
    out += "<text class=\"axis-label\" x=\"" + num((plot.left_ + plot.right_) / 2) + "\" y=\"" +
           num(spec.height - 8.0) + "\" text-anchor=\"middle\">" + escape_html(spec.x_label) + "</text>";
  }
  if (!spec.y_label.empty()) {
    const double cy = (plot.top_ + plot.bottom_) / 2;
    out += "<text class=\"axis-label\" x=\"12\" y=\"" + num(cy) +
           "\" text-anchor=\"middle\" transform=\"rotate(-90 12 " + num(cy) + ")\">" + escape_html(spec.y_label) +
           "</text>";
  }
  out += "</g>";

  if (!has_data) {
    out += "<text class=\"no-data\" x=\"" + num((plot.left_ + plot.right_) / 2) + "\" y=\"" +
           num((plot.top_ + plot.bottom_) / 2) + "\" text-anchor=\"middle\">no data</text>";
  }

  // Areas first (back to front in reverse stacking order), then lines and points on top.
  for (size_t i = spec.series.size(); i-- > 0;) {
    const auto& s = spec.series[i];
    if (s.style != SeriesStyle::kStackedArea || tops[i].empty()) continue;
    std::string d;
    for (const auto& [x, y] : tops[i]) d += (d.empty() ? "M" : "L") + num(px(x)) + " " + num(plot.ty(y)) + " ";
    d += "L" + num(px(tops[i].back().first)) + " " + num(plot.ty(y_lo < 0 ? 0 : y_lo)) + " L" +
         num(px(tops[i].front().first)) + " " + num(plot.ty(y_lo < 0 ? 0 : y_lo)) + " Z";
    out += "<path class=\"area\" d=\"" + d + "\" fill=\"" + escape_html(s.color) + "\"/>";
  }
  for (const auto& r : spec.rules) {
    const double y = plot.ty(r.y);
    const double label_y = y - plot.top_ < 16 ? y + 13 : y - 4;  // below the line when the legend is above
    out += "<g class=\"rule\"><line x1=\"" + num(plot.left_) + "\" y1=\"" + num(y) + "\" x2=\"" + num(plot.right_) +
           "\" y2=\"" + num(y) + "\" stroke=\"" + escape_html(r.color) + "\"/><text x=\"" + num(plot.right_ - 4) +
           "\" y=\"" + num(label_y) + "\" text-anchor=\"end\" fill=\"" + escape_html(r.color) + "\">" +
           escape_html(r.label) + "</text></g>";
  }
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const auto& s = spec.series[i];
    const auto& pts = s.style == SeriesStyle::kStackedArea ? tops[i] : s.points;
    const std::string color = escape_html(s.color);
    std::vector<std::pair<double, double>> shown;
    for (const auto& p : pts) {
      if (finite(p.first) && finite(p.second)) shown.push_back(p);
    }
    if (shown.empty()) continue;
    if (s.style == SeriesStyle::kLine || s.style == SeriesStyle::kDashed || s.style == SeriesStyle::kStackedArea) {
      std::string d;
      for (const auto& [x, y] : shown) d += (d.empty() ? "M" : "L") + num(px(x)) + " " + num(plot.ty(y)) + " ";
      if (shown.size() == 1) d += "l0.01 0";  // a lone point still draws (round caps make it a dot)
      out += "<path class=\"line\" d=\"" + d + "\" stroke=\"" + color + "\"" + dash_for(s.style) +
             (s.style == SeriesStyle::kStackedArea ? " stroke-width=\"1\"" : "") + "/>";
    }
    const bool dots = s.style == SeriesStyle::kPoints || s.markers == PointMarkers::kVisible || shown.size() == 1;
    if (dots || shown.size() <= kMaxHoverPoints) {
      out += "<g class=\"" + std::string(dots ? "points" : "hover-points") + "\" fill=\"" + color + "\">";
      for (const auto& [x, y] : shown) {
        const bool flagged =
            std::round(x) == x && x >= 0 &&
            std::find(spec.flagged_x.begin(), spec.flagged_x.end(), static_cast<size_t>(x)) != spec.flagged_x.end();
        const std::string text = hover_text(spec, s.name, x, y);
        out += "<circle" +
               std::string(flagged ? " class=\"flagged\" fill=\"#fff\" stroke=\"#6b7280\" stroke-width=\"2\"" : "") +
               " cx=\"" + num(px(x)) + "\" cy=\"" + num(plot.ty(y)) + "\" r=\"" + (dots ? "3.5" : "4") + "\"><title>" +
               escape_html(text) + "</title></circle>";
      }
      out += "</g>";
    }
    for (size_t m : s.marked) {
      if (m >= s.points.size() || !finite(s.points[m].first) || !finite(s.points[m].second)) continue;
      out += "<circle class=\"mark\" cx=\"" + num(px(s.points[m].first)) + "\" cy=\"" +
             num(plot.ty(s.points[m].second)) + "\" r=\"7\"><title>regression: " +
             escape_html(hover_text(spec, s.name, s.points[m].first, s.points[m].second)) + "</title></circle>";
    }
  }
  for (const auto& m : spec.markers) {
    if (!finite(m.x)) continue;
    const std::string x = num(px(m.x));
    out += "<g class=\"marker\"><title>" + escape_html(m.label) + "</title><line x1=\"" + x + "\" x2=\"" + x +
           "\" y1=\"" + num(plot.top_) + "\" y2=\"" + num(plot.bottom_) + "\" stroke=\"" + escape_html(m.color) +
           "\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/></g>";
  }
  out += "</svg>";
  return out;
}

}  // namespace perfgate
