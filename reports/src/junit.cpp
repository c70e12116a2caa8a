// JUnit XML for gate reports.
#include "reports/junit.h"

#include <map>

namespace perfgate {
namespace {

// XML 1.0 forbids most control characters even when escaped; they are dropped, not encoded.
std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (u < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') break;
        out += ch;
    }
  }
  return out;
}

}  // namespace

std::string gate_report_to_junit(const GateReport& report) {
  std::map<Verdict, int> counts;
  for (const auto& c : report.checks) ++counts[c.verdict];
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites name=\"perfgate\" tests=\"" + std::to_string(report.checks.size()) + "\" failures=\"" +
         std::to_string(counts[Verdict::kFail]) + "\" skipped=\"" + std::to_string(counts[Verdict::kInconclusive]) +
         "\">\n";
  xml += "  <testsuite name=\"perfgate gate: " + xml_escape(report.result_path) + "\" tests=\"" +
         std::to_string(report.checks.size()) + "\" failures=\"" + std::to_string(counts[Verdict::kFail]) +
         "\" errors=\"0\" skipped=\"" + std::to_string(counts[Verdict::kInconclusive]) + "\">\n";
  xml += "    <properties>\n";
  xml += "      <property name=\"overall\" value=\"" + std::string(verdict_name(report.overall)) + "\"/>\n";
  if (!report.baseline_path.empty())
    xml += "      <property name=\"baseline\" value=\"" + xml_escape(report.baseline_path) + "\"/>\n";
  if (!report.budgets_path.empty())
    xml += "      <property name=\"budgets\" value=\"" + xml_escape(report.budgets_path) + "\"/>\n";
  xml += "    </properties>\n";
  for (const auto& c : report.checks) {
    xml += "    <testcase classname=\"perfgate." + xml_escape(c.kind.empty() ? "check" : c.kind) + "\" name=\"" +
           xml_escape(c.id) + "\">\n";
    const std::string message = xml_escape(c.message);
    switch (c.verdict) {
      case Verdict::kFail:
        xml += "      <failure message=\"" + message + "\" type=\"" + xml_escape(c.metric) + "\">" + message +
               "</failure>\n";
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
