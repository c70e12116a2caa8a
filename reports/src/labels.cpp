#include "labels.h"

#include <cmath>
#include <cstdio>

#include "core/units.h"

namespace perfgate::reports_detail {

const char* verdict_css_class(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "v-pass";
    case Verdict::kWarn:
      return "v-warn";
    case Verdict::kFail:
      return "v-fail";
    case Verdict::kInconclusive:
      return "v-inconclusive";
  }
  return "v-inconclusive";
}

const char* finding_kind_label(FindingKind kind) {
  switch (kind) {
    case FindingKind::kNPlusOne:
      return "N+1 queries";
    case FindingKind::kMissingIndex:
      return "Missing index";
    case FindingKind::kSlowQuery:
      return "Slow query";
    case FindingKind::kDuplicateIndex:
      return "Duplicate index";
    case FindingKind::kUnusedIndex:
      return "Unused index";
    case FindingKind::kInvalidIndex:
      return "Invalid index";
    case FindingKind::kQueryRewrite:
      return "Query rewrite";
  }
  return "Finding";
}

std::string format_fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string format_count(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_in_unit(double value, const std::string& unit) {
  if (std::isnan(value)) return "-";
  if (unit == "us") return format_duration_us(value);
  if (unit == "ms") return format_duration_us(value * 1e3);
  if (unit == "s") return format_duration_us(value * 1e6);
  if (unit == "bytes") return format_bytes(value);
  if (unit == "ratio") return format_fixed(value * 100, 2) + "%";
  if (unit == "percent") return format_fixed(value, 1) + "%";
  if (unit == "count")
    return std::abs(value - std::round(value)) < 1e-9 ? format_count(std::llround(value)) : format_fixed(value, 2);
  if (unit == "rps") return format_fixed(value, 1) + "/s";
  if (unit == "mb_per_hour") return format_fixed(value, 1) + " MB/h";
  return format_fixed(value, 2) + (unit.empty() ? "" : " " + unit);
}

std::string format_change(double change) {
  if (std::isnan(change)) return "-";
  return (change >= 0 ? "+" : "") + format_fixed(change * 100, 1) + "%";
}

}  // namespace perfgate::reports_detail
