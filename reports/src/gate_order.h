#pragma once
// Private to the gate renderers: the order people read checks in (failures first).

#include <algorithm>
#include <vector>

#include "core/gate_report.h"

namespace perfgate::gate_render {

inline int verdict_rank(Verdict v) {
  switch (v) {
    case Verdict::kFail:
      return 0;
    case Verdict::kInconclusive:
      return 1;
    case Verdict::kWarn:
      return 2;
    case Verdict::kPass:
      return 3;
  }
  return 4;
}

/// The checks, failures first, then inconclusive, warnings and passes; stable within a verdict.
inline std::vector<const CheckResult*> ordered_checks(const GateReport& report) {
  std::vector<const CheckResult*> out;
  for (const auto& c : report.checks) out.push_back(&c);
  std::stable_sort(out.begin(), out.end(), [](const CheckResult* a, const CheckResult* b) {
    return verdict_rank(a->verdict) < verdict_rank(b->verdict);
  });
  return out;
}

inline std::string where(const CheckResult& c) {
  std::string w = c.endpoint.empty() ? "(run)" : c.endpoint;
  if (!c.phase.empty()) w += " [" + c.phase + "]";
  return w;
}

inline std::string limit_text(const CheckResult& c) {
  if (!c.limit) return "-";
  return (c.kind == "baseline" ? "base " : "") + format_check_value(*c.limit, c.unit);
}

inline std::string measured_text(const CheckResult& c) {
  if (c.verdict == Verdict::kInconclusive && c.measured == 0) return "-";
  return format_check_value(c.measured, c.unit);
}

}  // namespace perfgate::gate_render
