// What changed against the baseline and what the query analyzer found, each with its evidence.
#include <algorithm>
#include <cmath>

#include "comparison.h"
#include "html_parts.h"
#include "labels.h"
#include "text_safety.h"

namespace perfgate::reports_detail {
namespace {

constexpr size_t kMaxChangesShown = 40;

std::string change_bar(double change) {
  if (!std::isfinite(change) || change == 0) return "<div class=\"bar\"></div>";
  const double width = std::min(std::abs(change), 1.0) * 50;  // full half-width at +/-100%
  return std::string("<div class=\"bar\"><span class=\"") + (change > 0 ? "up" : "down") +
         "\" style=\"width:" + format_fixed(width, 1) + "%\"></span></div>";
}

double evidence(const Finding& f, const char* key) {
  const auto it = f.evidence.find(key);
  return it == f.evidence.end() ? std::nan("") : it->second;
}

std::string finding_header(const Finding& f) {
  return std::string("<div class=\"finding sev-") + severity_name(f.severity) + "\"><div><strong>" +
         finding_kind_label(f.kind) + "</strong>" +
         (f.endpoint.empty() ? "" : " in <code>" + escape_html(f.endpoint) + "</code>") +
         (f.table.empty() ? "" : " on <code>" + escape_html(f.table) + "</code>") + " <span class=\"meta\">" +
         severity_name(f.severity) + " &middot; " + confidence_name(f.confidence) + "</span></div>";
}

void finding_body(const Finding& f, std::string& out) {
  if (!f.summary.empty()) out += "<div>" + escape_html(f.summary) + "</div>";
  std::string facts;
  if (f.kind == FindingKind::kNPlusOne) {
    facts += "<span class=\"cost\">" + format_fixed(f.calls_per_request, 1) + " calls per request</span>";
    if (f.rows_per_call > 0) facts += " &middot; " + format_fixed(f.rows_per_call, 1) + " rows per call";
  }
  const double before = evidence(f, "cost_before"), after = evidence(f, "cost_after");
  if (std::isfinite(before) && std::isfinite(after)) {
    facts += "estimated cost <span class=\"cost\">" + format_fixed(before, 0) + " &rarr; " + format_fixed(after, 0) +
             "</span>";
    if (before > 0) facts += " (" + format_fixed(100.0 * (before - after) / before, 1) + "% less)";
  }
  const double mean_ms = evidence(f, "mean_ms"), calls = evidence(f, "calls");
  if (std::isfinite(mean_ms)) facts += (facts.empty() ? "" : " &middot; ") + format_fixed(mean_ms, 2) + " ms mean";
  if (std::isfinite(calls)) facts += (facts.empty() ? "" : " &middot; ") + format_count(std::llround(calls)) + " calls";
  if (!facts.empty()) out += "<div class=\"meta\">" + facts + "</div>";
  if (!f.query.empty()) out += "<pre><code>" + escape_html(f.query) + "</code></pre>";
  if (!f.suggestion.empty())
    out += "<div class=\"meta\">Fix:</div><pre><code>" + escape_html(f.suggestion) + "</code></pre>";
  for (const auto& note : f.notes) out += "<div class=\"meta\">" + escape_html(note) + "</div>";
}

}  // namespace

void append_changes(const ReportInputs& inputs, std::string& out) {
  const auto changes = collect_changes(inputs);
  if (changes.empty()) return;
  out += "<h2 id=\"changes\">What changed against the baseline</h2>\n<section class=\"card\">";
  out +=
      std::string("<div class=\"sub\">") +
      (changes.front().verdict ? "The gate's baseline comparisons" : "Percentiles compared directly (no gate report)") +
      ", largest regressions first.</div>";
  out +=
      "<div class=\"table-wrap\"><table><thead><tr><th>Endpoint</th><th "
      "class=\"left\">Metric</th><th>Baseline</th><th>Now</th>"
      "<th>Change</th><th></th><th class=\"text\">Interval</th><th class=\"text\">Verdict</th></tr></thead><tbody>";
  for (size_t i = 0; i < changes.size() && i < kMaxChangesShown; ++i) {
    const Change& c = changes[i];
    out += "<tr><td class=\"text\">" + escape_html(c.endpoint.empty() ? "(all)" : c.endpoint) +
           "</td><td class=\"left\">" + escape_html(c.metric) + "</td><td>" +
           escape_html(format_in_unit(c.baseline, c.unit)) + "</td><td>" +
           escape_html(format_in_unit(c.current, c.unit)) + "</td><td>" + escape_html(format_change(c.change)) +
           "</td><td>" + change_bar(c.change) + "</td><td class=\"text\">" + escape_html(c.interval) +
           "</td><td class=\"text\">";
    if (c.verdict) {
      out += std::string("<span class=\"chip ") + verdict_css_class(*c.verdict) + "\" title=\"" +
             escape_html(c.message) + "\">" + verdict_name(*c.verdict) + "</span>";
    }
    out += "</td></tr>";
  }
  out += "</tbody></table></div>";
  // An inconclusive comparison is explained in one sentence each: why the data cannot decide and
  // what would (the gate's message says both).
  for (const Change& c : changes) {
    if (!c.verdict || *c.verdict != Verdict::kInconclusive) continue;
    out += "<p class=\"sub\">Inconclusive: " + escape_html(c.message) + ".</p>";
  }
  if (changes.size() > kMaxChangesShown) {
    out +=
        "<div class=\"sub\">" + std::to_string(changes.size() - kMaxChangesShown) + " smaller changes not shown.</div>";
  }
  out += "</section>\n";
}

void append_findings(const ReportInputs& inputs, std::string& out) {
  if (inputs.findings == nullptr) return;
  const Findings& f = *inputs.findings;
  out += "<h2 id=\"findings\">Query analysis</h2>\n<section class=\"card\">";
  out += "<div class=\"sub\">" + escape_html(redact_secrets(f.database)) + (f.source.empty() ? "" : " &middot; ") +
         escape_html(f.source) + "</div>";
  for (const auto& note : f.notes) out += "<div class=\"sub\">" + escape_html(note) + "</div>";
  if (f.findings.empty()) out += "<p>No N+1 patterns, missing indexes or slow queries found.</p>";

  const std::pair<const char*, std::vector<FindingKind>> groups[] = {
      {"N+1 queries", {FindingKind::kNPlusOne}},
      {"Missing indexes", {FindingKind::kMissingIndex}},
      {"Query rewrites", {FindingKind::kQueryRewrite}},
      {"Slow queries", {FindingKind::kSlowQuery}},
      {"Index hygiene", {FindingKind::kDuplicateIndex, FindingKind::kUnusedIndex, FindingKind::kInvalidIndex}}};
  for (const auto& [title, kinds] : groups) {
    std::vector<const Finding*> members;
    for (const auto& finding : f.findings) {
      if (std::find(kinds.begin(), kinds.end(), finding.kind) != kinds.end()) members.push_back(&finding);
    }
    if (members.empty()) continue;
    std::stable_sort(members.begin(), members.end(),
                     [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
    out += std::string("<h3>") + title + " (" + std::to_string(members.size()) + ")</h3>";
    for (const Finding* finding : members) {
      out += finding_header(*finding);
      finding_body(*finding, out);
      out += "</div>";
    }
  }
  if (!f.queries_per_request.empty()) {
    out +=
        "<details><summary>Queries per request by endpoint</summary><div class=\"table-wrap\"><table><thead><tr>"
        "<th>Endpoint</th><th>Queries per request</th></tr></thead><tbody>";
    for (const auto& [endpoint, n] : f.queries_per_request) {
      out += "<tr><td class=\"text\">" + escape_html(endpoint) + "</td><td>" + format_fixed(n, 1) + "</td></tr>";
    }
    out += "</tbody></table></div></details>";
  }
  out += "</section>\n";
}

}  // namespace perfgate::reports_detail
