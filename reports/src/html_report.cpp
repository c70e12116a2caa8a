#include "reports/html_report.h"

#include <cassert>

#include "core/run_context.h"
#include "html_parts.h"
#include "text_safety.h"

namespace perfgate {

std::string render_html_report(const ReportInputs& inputs) {
  assert(inputs.result != nullptr);
  using namespace reports_detail;
  const RunResult& r = *inputs.result;
  const std::string title =
      "perfgate report" + (r.context.scenario_name.empty() ? std::string() : " - " + r.context.scenario_name);

  std::string out;
  out.reserve(256UL * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // No script runs in this page, and nothing is fetched: a hostile string can at worst be text.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src "
      "data:\">\n"
      "<title>" +
      escape_html(title) + "</title>\n<style>" + report_css() + "</style>\n</head>\n<body>\n<main>\n";
  append_summary(inputs, out);
  append_navigation(inputs, out);
  append_changes(inputs, out);
  append_endpoints(inputs, out);
  append_charts(inputs, out);
  append_findings(inputs, out);
  out += "<footer>Rendered by perfgate " + escape_html(std::string(tool_version())) +
         ". Latencies are measured from each request's due time (coordinated-omission corrected) unless the run "
         "used the closed model.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace perfgate
