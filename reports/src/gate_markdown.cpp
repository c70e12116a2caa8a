// Markdown verdict table for gate reports ($GITHUB_STEP_SUMMARY).
#include "reports/gate_markdown.h"

#include <cctype>
#include <map>

#include "gate_order.h"

namespace perfgate {
namespace {

std::string cell(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '\n' || ch == '\r')
      out += ' ';
    else
      out += ch;
  }
  return out;
}

const char* badge(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "PASS";
    case Verdict::kWarn:
      return "WARN";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kInconclusive:
      return "INCONCLUSIVE";
  }
  return "?";
}

}  // namespace

std::string gate_report_to_markdown(const GateReport& report) {
  std::map<Verdict, int> counts;
  for (const auto& c : report.checks) ++counts[c.verdict];
  std::string md = "## perfgate gate: " + std::string(badge(report.overall)) + "\n\n";
  md += std::to_string(report.checks.size()) + " checks: " + std::to_string(counts[Verdict::kFail]) + " failed, " +
        std::to_string(counts[Verdict::kInconclusive]) + " inconclusive, " + std::to_string(counts[Verdict::kWarn]) +
        " warnings, " + std::to_string(counts[Verdict::kPass]) + " passed.\n\n";
  if (!report.result_path.empty()) md += "- Result: `" + cell(report.result_path) + "`\n";
  if (!report.baseline_path.empty()) md += "- Baseline: `" + cell(report.baseline_path) + "`\n";
  if (!report.budgets_path.empty()) md += "- Budgets: `" + cell(report.budgets_path) + "`\n";
  md += "\n| Verdict | Check | Endpoint / phase | Measured | Limit | Change [interval] | Detail |\n";
  md += "|---|---|---|---:|---:|---|---|\n";
  for (const CheckResult* c : gate_render::ordered_checks(report)) {
    md += "| " + std::string(badge(c->verdict)) + " | " + cell(c->metric) + " (" + cell(c->kind) + ") | " +
          cell(gate_render::where(*c)) + " | " + cell(gate_render::measured_text(*c)) + " | " +
          cell(gate_render::limit_text(*c)) + " | " + cell(format_change_interval(*c)) + " | " + cell(c->message) +
          " |\n";
  }
  if (!report.notes.empty()) {
    md += "\n";
    for (const auto& n : report.notes) md += "- Note: " + cell(n) + "\n";
  }
  return md;
}

}  // namespace perfgate
