// The top of the report: the verdict first, then where and how the run happened.
#include <cstdio>

#include "core/units.h"
#include "html_parts.h"
#include "labels.h"
#include "text_safety.h"

namespace perfgate::reports_detail {
namespace {

void fact(std::string& out, const std::string& name, const std::string& escaped_value) {
  out += "<div><dt>" + escape_html(name) + "</dt><dd>" + escaped_value + "</dd></div>";
}

void append_verdict(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  if (inputs.gate == nullptr) {
    const bool bad = !r.complete();
    out += std::string("<section class=\"verdict ") + (bad ? "v-warn" : "v-none") + "\"><div class=\"badge\">" +
           escape_html(bad ? std::string(run_status_name(r.status)) : "no gate") + "</div><div class=\"detail\">";
    out +=
        "No budgets or baseline were evaluated for this report; run <code>perfgate gate</code> and pass "
        "<code>--gate</code> to see pass/fail.";
    out += "</div></section>\n";
    return;
  }
  const GateReport& g = *inputs.gate;
  int counts[4] = {0, 0, 0, 0};
  for (const auto& c : g.checks) ++counts[static_cast<int>(c.verdict)];
  out += std::string("<section class=\"verdict ") + verdict_css_class(g.overall) + "\"><div class=\"badge\">" +
         verdict_name(g.overall) + "</div><div class=\"detail\"><strong>" + std::to_string(counts[2]) +
         " failed</strong>, " + std::to_string(counts[1]) + " warned, " + std::to_string(counts[3]) +
         " inconclusive, " + std::to_string(counts[0]) + " passed of " + std::to_string(g.checks.size()) + " checks";
  std::string bad_list;
  int shown = 0;
  for (Verdict wanted : {Verdict::kFail, Verdict::kWarn, Verdict::kInconclusive}) {
    for (const auto& c : g.checks) {
      if (c.verdict != wanted || shown >= 8) continue;
      ++shown;
      bad_list += std::string("<li><span class=\"chip ") + verdict_css_class(c.verdict) + "\">" +
                  verdict_name(c.verdict) + "</span> " + escape_html(c.message.empty() ? c.id : c.message) + "</li>";
    }
  }
  if (!bad_list.empty()) out += "<ul>" + bad_list + "</ul>";
  if (!g.checks.empty()) {
    out += "<details><summary>All " + std::to_string(g.checks.size()) +
           " checks</summary><div class=\"table-wrap\">"
           "<table><thead><tr><th>Verdict</th><th "
           "class=\"text\">Check</th><th>Measured</th><th>Limit</th></tr></thead><tbody>";
    for (const auto& c : g.checks) {
      out += std::string("<tr><td><span class=\"chip ") + verdict_css_class(c.verdict) + "\">" +
             verdict_name(c.verdict) + "</span></td><td class=\"text\">" +
             escape_html(c.message.empty() ? c.id : c.message) + "</td><td>" +
             escape_html(format_in_unit(c.measured, c.unit)) + "</td><td>" +
             (c.limit ? escape_html(format_in_unit(*c.limit, c.unit)) : "&ndash;") + "</td></tr>";
    }
    out += "</tbody></table></div></details>";
  }
  for (const auto& note : g.notes) out += "<div class=\"sub\">" + escape_html(note) + "</div>";
  out += "</div></section>\n";
}

std::string rate_text(const RunResult& r) {
  char buf[96];
  if (r.target_rps) {
    std::snprintf(buf, sizeof buf, "%.1f req/s of %.1f target", r.achieved_rps, *r.target_rps);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f req/s", r.achieved_rps);
  }
  return buf;
}

}  // namespace

void append_summary(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  const RunContext& c = r.context;
  out += "<header><div class=\"eyebrow\">perfgate load report</div><h1>" +
         escape_html(c.scenario_name.empty() ? "Load run" : c.scenario_name) + "</h1>";
  out += "<div class=\"sub\">" + escape_html(redact_secrets(c.target)) + (c.start_time.empty() ? "" : " &middot; ") +
         escape_html(c.start_time) + "</div></header>\n";
  // A before/after pair leads with its table: the figures are the point, the verdict follows.
  if (inputs.baseline != nullptr && inputs.baseline_findings != nullptr) append_before_after(inputs, out);
  append_verdict(inputs, out);

  out += "<section class=\"card\"><dl class=\"facts\">";
  fact(out, "Load model",
       r.model == LoadModel::kOpen ? "open (latency from due time)" : "closed &mdash; latency = service time");
  fact(out, "Throughput", escape_html(rate_text(r)));
  fact(out, "Duration", escape_html(format_duration_us(r.duration_s * 1e6)));
  fact(out, "Requests", format_count(r.total_requests()) + " (" + format_count(r.total_errors()) + " errors)");
  fact(out, "Tool", "perfgate " + escape_html(c.tool_version));
  fact(out, "Build", escape_html(c.build_type.empty() ? "unknown" : c.build_type));
  fact(out, "Host", escape_html(c.host) + " &middot; " + std::to_string(c.cpu_count) + " CPUs");
  fact(out, "Load average (1m)", escape_html(format_fixed(c.load_average_1m, 2)));
  if (!c.scenario_hash.empty())
    fact(out, "Scenario hash", "<code>" + escape_html(c.scenario_hash.substr(0, 12)) + "</code>");
  if (r.generator.max_schedule_lag_us > 0) {
    fact(out, "Generator lag (max)", escape_html(format_duration_us(r.generator.max_schedule_lag_us)));
  }
  for (const auto& [key, value] : r.labels) fact(out, key, escape_html(redact_secrets(value)));
  out += "</dl>";
  if (!c.command_line.empty()) {
    out += "<details><summary>Command line</summary><pre>" + escape_html(redact_secrets(c.command_line)) +
           "</pre></details>";
  }

  std::string warnings;
  auto warn = [&](const std::string& escaped) { warnings += "<li>" + escaped + "</li>"; };
  if (r.status == RunStatus::kFailed) {
    warn(
        "This run <strong>failed</strong>: no request succeeded, so its figures describe the failures, not the "
        "service.");
  } else if (!r.complete()) {
    warn("This run is <strong>" + escape_html(std::string(run_status_name(r.status))) +
         "</strong>: it stopped before the end, figures cover only "
         "what was measured.");
  }
  if (r.generator.saturated) {
    warn("The load generator was saturated (it could not keep the schedule): comparisons are inconclusive. " +
         escape_html(r.generator.note));
  }
  if (!c.build_type.empty() && c.build_type != "Release") {
    warn("perfgate was built as <strong>" + escape_html(c.build_type) +
         "</strong>, not Release: the generator may have added latency of its own.");
  }
  if (r.model == LoadModel::kClosed) {
    warn(
        "Closed model: each virtual user waits for its response, so a slow server receives less load and the "
        "latency shown is service time, not what users arriving on a schedule would see.");
  }
  if (inputs.findings != nullptr && inputs.findings->inconclusive) {
    warn("The query analysis is inconclusive (statistics were reset or evicted during the run).");
  }
  if (r.profile) {
    for (const auto& note : r.profile->notes) warn(escape_html(note));
  }
  if (!warnings.empty()) out += "<ul class=\"warnings\">" + warnings + "</ul>";
  out += "</section>\n";
}

void append_navigation(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  out += "<nav class=\"toc\">";
  if (inputs.baseline != nullptr && inputs.baseline_findings != nullptr) {
    out += "<a href=\"#before-after\">Before and after</a>";
  }
  if (inputs.gate != nullptr || inputs.baseline != nullptr) out += "<a href=\"#changes\">Changes</a>";
  if (r.limit_search) out += "<a href=\"#limit\">Limit search</a>";
  out += "<a href=\"#endpoints\">Endpoints</a><a href=\"#spectrum\">Percentiles</a>";
  if (!r.timeline.empty()) out += "<a href=\"#timeline\">Over time</a>";
  if (r.profile) out += "<a href=\"#resources\">Server and database</a>";
  if (inputs.findings != nullptr) out += "<a href=\"#findings\">Query analysis</a>";
  out += "</nav>\n";
}

}  // namespace perfgate::reports_detail
