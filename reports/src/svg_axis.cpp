// Axis arithmetic and value formatting for the SVG charts.
#include "svg_axis.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "reports/svg_chart.h"

namespace perfgate {
namespace reports_detail {

std::string compact_number(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

}  // namespace reports_detail

namespace {
using reports_detail::compact_number;
bool finite(double v) { return std::isfinite(v); }
}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!finite(lo) || !finite(hi)) return {};
  if (lo > hi) std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  target = std::max(target, 2);
  const double span = hi - lo;
  if (!finite(span)) return {lo, hi};
  const double raw = span / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * magnitude * 1.0000001) {
      step = m * magnitude;
      break;
    }
  }
  if (!(step > 0) || !finite(step)) return {lo, hi};
  const double first = std::floor(lo / step + 1e-9);
  const double last = std::ceil(hi / step - 1e-9);
  std::vector<double> ticks;
  for (double k = first; k <= last && ticks.size() < 64; k += 1) {
    const double t = k * step;
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string format_axis_value(double v, ValueFormat format) {
  if (!finite(v)) return "-";
  if (v == 0 && format != ValueFormat::kPercent) return "0";
  const double a = std::abs(v);
  switch (format) {
    case ValueFormat::kDurationUs:
      if (a < 1000) return compact_number(v, 0) + "us";
      if (a < 1e6) return compact_number(v / 1e3, a < 1e4 ? 2 : 1) + "ms";
      if (a < 600e6) return compact_number(v / 1e6, 2) + "s";
      return compact_number(v / 60e6, 1) + "min";
    case ValueFormat::kBytes:
      if (a < 1024) return compact_number(v, 0) + " B";
      if (a < 1024.0 * 1024) return compact_number(v / 1024, 1) + " KiB";
      if (a < 1024.0 * 1024 * 1024) return compact_number(v / (1024.0 * 1024), 1) + " MiB";
      return compact_number(v / (1024.0 * 1024 * 1024), 2) + " GiB";
    case ValueFormat::kPercent:
      return compact_number(v, a < 10 ? 1 : 0) + "%";
    case ValueFormat::kRate:
      return format_axis_value(v, ValueFormat::kNumber) + "/s";
    case ValueFormat::kSeconds: {
      if (a < 60) return compact_number(v, a < 10 ? 1 : 0) + "s";
      if (a >= 360000) return compact_number(v / 3600, 0) + "h";
      const long long total = std::llround(v);
      const long long m = total / 60, s = std::llabs(total % 60);
      if (m >= 60) return std::to_string(m / 60) + "h" + (m % 60 ? std::to_string(m % 60) + "m" : "");
      return std::to_string(m) + "m" + (s ? (s < 10 ? "0" : "") + std::to_string(s) + "s" : "");
    }
    case ValueFormat::kNumber:
      if (a >= 1e12) return compact_number(v / 1e12, 1) + "T";
      if (a >= 1e9) return compact_number(v / 1e9, 1) + "G";
      if (a >= 1e6) return compact_number(v / 1e6, 1) + "M";
      if (a >= 1e4) return compact_number(v / 1e3, 1) + "k";
      return compact_number(v, a < 10 ? 2 : 1);
  }
  return compact_number(v, 2);
}

}  // namespace perfgate
