// Console table for gate reports.
#include "reports/gate_console.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "gate_order.h"

namespace perfgate {
namespace {

std::string upper(const char* s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string fit(const std::string& s, size_t width) {
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  return s.substr(0, width - 1) + "~";
}

}  // namespace

std::string gate_report_to_console(const GateReport& report) {
  const auto checks = gate_render::ordered_checks(report);
  size_t metric_w = 6, where_w = 14;
  for (const CheckResult* c : checks) {
    metric_w = std::min<size_t>(std::max(metric_w, c->metric.size() + c->kind.size() + 3), 40);
    where_w = std::min<size_t>(std::max(where_w, gate_render::where(*c).size()), 40);
  }
  std::string out = fit("VERDICT", 13) + " " + fit("CHECK", metric_w) + " " + fit("ENDPOINT/PHASE", where_w) + " " +
                    fit("MEASURED", 12) + " " + fit("LIMIT", 12) + " CHANGE [INTERVAL]\n";
  for (const CheckResult* c : checks) {
    out += fit(upper(verdict_name(c->verdict)), 13) + " " + fit(c->metric + " (" + c->kind + ")", metric_w) + " " +
           fit(gate_render::where(*c), where_w) + " " + fit(gate_render::measured_text(*c), 12) + " " +
           fit(gate_render::limit_text(*c), 12) + " " + format_change_interval(*c) + "\n";
  }
  bool header = false;
  for (const CheckResult* c : checks) {
    if (c->verdict == Verdict::kPass) continue;
    if (!header) out += "\n";
    header = true;
    out += upper(verdict_name(c->verdict)) + ": " + c->message + "\n";
  }
  for (const auto& n : report.notes) out += "note: " + n + "\n";
  std::map<Verdict, int> counts;
  for (const auto& c : report.checks) ++counts[c.verdict];
  out += "\ngate: " + upper(verdict_name(report.overall)) + " (" + std::to_string(counts[Verdict::kFail]) +
         " failed, " + std::to_string(counts[Verdict::kInconclusive]) + " inconclusive, " +
         std::to_string(counts[Verdict::kWarn]) + " warnings, " + std::to_string(counts[Verdict::kPass]) + " passed)\n";
  return out;
}

}  // namespace perfgate
