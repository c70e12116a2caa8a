// JUnit XML for gate reports.
#include "reports/junit.h"

#include <map>

#include "text_safety.h"

namespace perfgate {
using reports_detail::escape_xml;

std::string gate_report_to_junit(const GateReport& report) {
  std::map<Verdict, int> counts;
  for (const auto& c : report.checks) ++counts[c.verdict];
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"perfgate\" tests=\"" + std::to_string(report.checks.size()) + "\" failures=\"" +
         std::to_string(counts[Verdict::kFail]) + "\" skipped=\"" + std::to_string(counts[Verdict::kInconclusive]) +
         "\">\n";
  xml += "  <testsuite name=\"perfgate gate: " + escape_xml(report.result_path) + "\" tests=\"" +
         std::to_string(report.checks.size()) + "\" failures=\"" + std::to_string(counts[Verdict::kFail]) +
         "\" errors=\"0\" skipped=\"" + std::to_string(counts[Verdict::kInconclusive]) + "\">\n";
  xml += "    <properties>\n";
  xml += "      <property name=\"overall\" value=\"" + std::string(verdict_name(report.overall)) + "\"/>\n";
  if (!report.baseline_path.empty())
    xml += "      <property name=\"baseline\" value=\"" + escape_xml(report.baseline_path) + "\"/>\n";
  if (!report.budgets_path.empty())
    xml += "      <property name=\"budgets\" value=\"" + escape_xml(report.budgets_path) + "\"/>\n";
  xml += "    </properties>\n";
  for (const auto& c : report.checks) {
    xml += "    <testcase classname=\"perfgate." + escape_xml(c.kind.empty() ? "check" : c.kind) + "\" name=\"" +
           escape_xml(c.id) + "\">\n";
    const std::string message = escape_xml(c.message);
    switch (c.verdict) {
      case Verdict::kFail:
        xml.append("      <failure message=\"").append(message).append("\" type=\"").append(escape_xml(c.metric));
        xml.append("\">").append(message).append("</failure>\n");
        break;
      case Verdict::kInconclusive:
        xml += "      <skipped message=\"inconclusive: " + message + "\"/>\n";
        break;
      case Verdict::kWarn:
        xml += "      <system-out>warning: " + message + "</system-out>\n";
        break;
      case Verdict::kPass:
        break;
    }
    xml += "    </testcase>\n";
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace perfgate
