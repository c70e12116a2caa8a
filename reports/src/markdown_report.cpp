#include "reports/markdown_report.h"

#include <cassert>
#include <cmath>

#include "comparison.h"
#include "core/units.h"
#include "labels.h"
#include "reports/before_after.h"
#include "text_safety.h"

namespace perfgate {
namespace {

using namespace reports_detail;

constexpr size_t kMaxRegressions = 10;
constexpr size_t kMaxFindings = 10;

const char* verdict_icon(Verdict v) {
  switch (v) {
    case Verdict::kPass:
      return "✅";
    case Verdict::kWarn:
      return "⚠️";
    case Verdict::kFail:
      return "❌";
    case Verdict::kInconclusive:
      return "❔";
  }
  return "";
}

// DDL and statements get SQL highlighting; prose advice ("batch the lookups") stays prose.
bool looks_like_sql(const std::string& text) {
  std::string head;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '(') {
      if (!head.empty()) break;
      continue;
    }
    head += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  for (const char* keyword :
       {"CREATE", "DROP", "ALTER", "SELECT", "WITH", "REINDEX", "UPDATE", "INSERT", "DELETE", "VACUUM", "ANALYZE"}) {
    if (head == keyword) return true;
  }
  return false;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

void verdict_section(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  const std::string scenario = r.context.scenario_name.empty() ? "load run" : escape_markdown(r.context.scenario_name);
  if (inputs.gate != nullptr) {
    const GateReport& g = *inputs.gate;
    int counts[4] = {0, 0, 0, 0};
    for (const auto& c : g.checks) ++counts[static_cast<int>(c.verdict)];
    out += "## " + std::string(verdict_icon(g.overall)) + " perfgate: " + upper(verdict_name(g.overall)) + " — " +
           scenario + "\n\n";
    out += std::to_string(counts[2]) + " failed, " + std::to_string(counts[1]) + " warned, " +
           std::to_string(counts[3]) + " inconclusive, " + std::to_string(counts[0]) + " passed.\n\n";
    for (Verdict wanted : {Verdict::kFail, Verdict::kWarn, Verdict::kInconclusive}) {
      for (const auto& c : g.checks) {
        if (c.verdict != wanted) continue;
        out += std::string("- ") + verdict_icon(c.verdict) + " " +
               escape_markdown(c.message.empty() ? c.id : c.message) + "\n";
      }
    }
    if (counts[1] + counts[2] + counts[3] > 0) out += "\n";
  } else {
    out += "## perfgate: " + scenario + " (no gate verdict)\n\n";
  }
  char line[256];
  std::snprintf(line, sizeof line, "%.1f req/s", r.achieved_rps);
  std::string context =
      std::string(r.model == LoadModel::kOpen ? "Open model" : "Closed model (latency = service time)") + ", " + line;
  if (r.target_rps) {
    std::snprintf(line, sizeof line, " of %.1f target", *r.target_rps);
    context += line;
  }
  context += ", " + format_duration_us(r.duration_s * 1e6) + ", perfgate " + escape_markdown(r.context.tool_version) +
             " (" + escape_markdown(r.context.build_type) + ") on " + escape_markdown(r.context.host) + ", " +
             std::to_string(r.context.cpu_count) + " CPUs.";
  out += context + "\n\n";
  if (!r.complete())
    out += "> ⚠️ Run is **" + escape_markdown(std::string(run_status_name(r.status))) +
           "**: figures cover only what was measured.\n\n";
  if (r.generator.saturated) out += "> ⚠️ The load generator was saturated; comparisons are inconclusive.\n\n";
  if (!r.context.build_type.empty() && r.context.build_type != "Release") {
    out += "> ⚠️ perfgate was built as " + escape_markdown(r.context.build_type) + ", not Release.\n\n";
  }
}

void endpoint_table(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  if (r.endpoints.empty()) return;
  out += "| Endpoint | Requests | Errors | p50 | p95 | p99 | max | Budgets |\n";
  out += "|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& e : r.endpoints) {
    const LatencySummary s = LatencySummary::of(e.latency);
    const auto checks = budget_checks_for(inputs.gate, e.name);
    const auto worst = worst_verdict(checks);
    std::string budget = "–";
    if (worst) budget = std::string(verdict_icon(*worst)) + " " + verdict_name(*worst);
    std::string errors = format_count(e.errors.total);
    if (e.errors.total > 0) errors += " (" + format_fixed(error_rate(e) * 100, 2) + "%)";
    auto lat = [&](double v) { return s.count > 0 ? format_duration_us(v) : std::string("–"); };
    out += "| " + escape_markdown(e.name) + " | " + format_count(e.requests) + " | ";
    out += errors + " | " + lat(s.p50) + " | " + lat(s.p95) + " | " + lat(s.p99) + " | " + lat(s.max) + " | ";
    out += budget + " |\n";
  }
  out += "\n";
}

void spikes(const ReportInputs& inputs, std::string& out) {
  const RunResult& r = *inputs.result;
  if (r.spikes.empty()) return;
  out += "### Spikes\n\n| Phase | Errors during | Recovery (p95 back under) | Verdict |\n|---|---:|---|---|\n";
  for (const auto& s : r.spikes) {
    const std::string limit = format_duration_us(s.p95_limit_us) + (s.limit_source == "baseline" ? ", 2 x before" : "");
    const std::string recovery = s.recovery_s
                                     ? format_fixed(*s.recovery_s, 1) + " s (" + limit + ")"
                                     : "not within " + format_fixed(s.observed_after_s, 1) + " s (" + limit + ")";
    out += "| " + escape_markdown(s.phase) + " | " + format_fixed(s.error_share * 100, 1) + "% (" +
           format_count(s.errors) + " of " + format_count(s.requests) + ") | " + recovery + " | " + s.verdict + " |\n";
  }
  out += "\n";
}

void regressions(const ReportInputs& inputs, std::string& out) {
  const auto changes = collect_changes(inputs);
  std::string rows;
  size_t shown = 0;
  for (const auto& c : changes) {
    if (shown >= kMaxRegressions) break;
    if (!(c.change > 0) && !(c.verdict && (*c.verdict == Verdict::kFail || *c.verdict == Verdict::kWarn))) continue;
    ++shown;
    rows += "| " + escape_markdown(c.endpoint.empty() ? "(all)" : c.endpoint) + " | " + escape_markdown(c.metric) +
            " | " + format_in_unit(c.baseline, c.unit) + " | " + format_in_unit(c.current, c.unit) + " | " +
            format_change(c.change) + " | " + escape_markdown(c.interval.empty() ? "–" : c.interval) + " | " +
            (c.verdict ? std::string(verdict_icon(*c.verdict)) + " " + verdict_name(*c.verdict) : "–") + " |\n";
  }
  // Each inconclusive comparison in one sentence: why the data cannot decide and what would.
  std::string why;
  for (const auto& c : changes) {
    if (c.verdict && *c.verdict == Verdict::kInconclusive)
      why += "- Inconclusive: " + escape_markdown(c.message) + ".\n";
  }
  if (rows.empty()) {
    if (!changes.empty()) out += "### Against the baseline\n\nNo regressions.\n\n" + (why.empty() ? "" : why + "\n");
    return;
  }
  out +=
      "### Top regressions against the baseline\n\n| Endpoint | Metric | Baseline | Now | Change | Interval | Verdict "
      "|\n"
      "|---|---|---:|---:|---:|---|---|\n" +
      rows + "\n" + (why.empty() ? "" : why + "\n");
}

void findings(const ReportInputs& inputs, std::string& out) {
  if (inputs.findings == nullptr) return;
  const Findings& f = *inputs.findings;
  out += "### Query analysis\n\n";
  if (f.inconclusive) out += "> ⚠️ Inconclusive: statistics were reset or evicted during the run.\n\n";
  if (f.findings.empty()) {
    out += "No N+1 patterns, missing indexes or slow queries found.\n\n";
    return;
  }
  std::vector<const Finding*> sorted;
  for (const auto& finding : f.findings) sorted.push_back(&finding);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Finding* a, const Finding* b) { return a->severity > b->severity; });
  for (size_t i = 0; i < sorted.size() && i < kMaxFindings; ++i) {
    const Finding& x = *sorted[i];
    out += "- **" + std::string(finding_kind_label(x.kind)) + "** (" + severity_name(x.severity) + ", " +
           confidence_name(x.confidence) + ")";
    if (!x.endpoint.empty()) out += " in " + escape_markdown(x.endpoint);
    if (!x.table.empty()) out += " on " + escape_markdown(x.table);
    std::string facts;
    if (x.kind == FindingKind::kNPlusOne) facts = format_fixed(x.calls_per_request, 1) + " calls per request";
    const auto before = x.evidence.find("cost_before"), after = x.evidence.find("cost_after");
    if (before != x.evidence.end() && after != x.evidence.end()) {
      facts += (facts.empty() ? "" : ", ") + std::string("cost ") + format_fixed(before->second, 0) + " → " +
               format_fixed(after->second, 0);
    } else if (const auto mean = x.evidence.find("mean_ms"); mean != x.evidence.end()) {
      facts += (facts.empty() ? "" : ", ") + format_fixed(mean->second, 1) + " ms mean";
    }
    if (!facts.empty()) out += ": " + facts;
    if (!x.summary.empty()) out += " — " + escape_markdown(x.summary);
    out += "\n";
    // A slow query without a suggested fix is shown itself, so the reader knows which one it is.
    const std::string code = !x.suggestion.empty() ? x.suggestion : x.kind == FindingKind::kSlowQuery ? x.query : "";
    if (code.empty()) continue;
    if (!looks_like_sql(code)) {
      out += "  - Fix: " + escape_markdown(code) + "\n";
      continue;
    }
    const std::string block = markdown_code_block(code, "sql");
    std::string indented;
    for (size_t start = 0; start < block.size();) {
      const size_t end = block.find('\n', start);
      indented += "  " + block.substr(start, end - start) + "\n";
      start = end + 1;
    }
    out += "\n" + indented + "\n";
  }
  if (sorted.size() > kMaxFindings)
    out += "\n" + std::to_string(sorted.size() - kMaxFindings) + " more in the HTML report.\n";
  out += "\n";
}

}  // namespace

std::string render_markdown_report(const ReportInputs& inputs) {
  assert(inputs.result != nullptr);
  std::string out;
  // A before/after pair opens with its table: the figures a team pastes into an incident write-up.
  if (inputs.baseline_findings != nullptr) out += render_before_after_markdown(inputs);
  verdict_section(inputs, out);
  endpoint_table(inputs, out);
  spikes(inputs, out);
  regressions(inputs, out);
  findings(inputs, out);
  return out;
}

}  // namespace perfgate
