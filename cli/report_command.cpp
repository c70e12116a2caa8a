// perfgate report RESULT [--baseline BASE] [--findings FILE] [--gate FILE] -o OUT [--format html|markdown]:
// renders a result (and what the analyzers and the gate said about it) for people.
#include <cstdio>
#include <memory>
#include <optional>

#include "analyzers/gate.h"
#include "cli/command.h"
#include "core/files.h"
#include "core/findings.h"
#include "core/gate_report.h"
#include "core/run_result_io.h"
#include "reports/html_report.h"
#include "reports/markdown_report.h"

namespace perfgate::cli {
namespace {

struct ReportOptions {
  std::string result_path;
  std::string baseline_path;
  std::string findings_path;
  std::string gate_path;
  std::string output_path;
  std::string format = "html";
};

// The analyzers' outputs, read from their JSON files.
struct AnalyzerInputs {
  std::optional<Findings> findings;
  std::optional<GateReport> gate;
};

Result<AnalyzerInputs> read_analyzer_inputs(const ReportOptions& options) {
  AnalyzerInputs inputs;
  if (!options.findings_path.empty()) {
    auto findings = read_findings(options.findings_path);
    if (!findings) return findings.error();
    inputs.findings = std::move(*findings);
  }
  if (!options.gate_path.empty()) {
    auto text = read_file(options.gate_path);
    if (!text) return text.error();
    auto gate = gate_report_from_json(*text, options.gate_path);
    if (!gate) return gate.error();
    inputs.gate = std::move(*gate);
  }
  return inputs;
}

ExitCode run_report(const ReportOptions& options) {
  if (options.output_path != "-") {
    if (auto st = check_output_path(options.output_path, "-o"); !st) return report_error(st.error());
  }
  auto result = read_run_result(options.result_path);
  if (!result) return report_error(result.error());
  std::optional<RunResult> baseline;
  if (!options.baseline_path.empty()) {
    auto read = read_run_result(options.baseline_path);
    if (!read) return report_error(read.error());
    baseline = std::move(*read);
  }
  auto analyzed = read_analyzer_inputs(options);
  if (!analyzed) return report_error(analyzed.error());

  if (analyzed->gate) {
    const std::string id = result_identity(*result);
    if (analyzed->gate->result_id.empty()) {
      std::fprintf(stderr,
                   "perfgate: warning: %s names no result_id (an older perfgate wrote it), so it cannot be "
                   "checked to be the verdict on %s\n",
                   options.gate_path.c_str(), options.result_path.c_str());
    } else if (analyzed->gate->result_id != id) {
      return report_error(invalid_input(
          options.gate_path + ": this gate report judged another run (" +
          (analyzed->gate->result_path.empty() ? analyzed->gate->result_id : analyzed->gate->result_path) + "), not " +
          options.result_path + "; run 'perfgate gate " + options.result_path + " --out FILE' and pass that"));
    }
  }
  ReportInputs inputs;
  inputs.result = &*result;
  inputs.baseline = baseline ? &*baseline : nullptr;
  inputs.findings = analyzed->findings ? &*analyzed->findings : nullptr;
  inputs.gate = analyzed->gate ? &*analyzed->gate : nullptr;
  const std::string text = options.format == "markdown" ? render_markdown_report(inputs) : render_html_report(inputs);

  if (options.output_path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? ExitCode::kPass : report_error(io_error("stdout: cannot write the report"));
  }
  const Status written = write_file_atomically(options.output_path, text);
  if (!written) return report_error(written.error());
  std::fprintf(stderr, "perfgate: wrote %s\n", options.output_path.c_str());
  return ExitCode::kPass;
}

}  // namespace

void add_report_command(CLI::App& app, CommandSlot& slot) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Render a result as an HTML report with charts, or a Markdown summary");
  cmd->add_option("result", options->result_path, "Result JSON written by 'perfgate run'")->required();
  cmd->add_option("--baseline", options->baseline_path, "Result JSON to compare with (overlaid on the charts)");
  cmd->add_option("--findings", options->findings_path, "Findings JSON written by 'perfgate analyze'");
  cmd->add_option("--gate", options->gate_path, "Gate report JSON written by 'perfgate gate'");
  cmd->add_option("-o,--output", options->output_path, "Output file ('-' for standard output)")->required();
  cmd->add_option("--format", options->format, "html (default) or markdown (for PR comments, $GITHUB_STEP_SUMMARY)")
      ->check(CLI::IsMember({"html", "markdown"}));
  cmd->callback([options, &slot] { slot.run = [options] { return run_report(*options); }; });
}

}  // namespace perfgate::cli
