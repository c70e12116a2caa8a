// perfgate export RESULT --hlog FILE [--endpoint NAME]: a result's data in other tools' formats
// (docs/ecosystem.md). The rendering lives in reports/; this file reads, writes and reports.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "core/files.h"
#include "core/run_result_io.h"
#include "reports/hdr_log.h"

namespace perfgate::cli {
namespace {

struct ExportOptions {
  std::string result;
  std::string hlog;
  std::string endpoint;
};

ExitCode run_export(const ExportOptions& o) {
  if (o.hlog.empty()) return report_error(invalid_input("give an output: --hlog FILE (an HdrHistogram interval log)"));
  if (auto st = check_output_path(o.hlog, "--hlog"); !st) return report_error(st.error());
  auto result = read_run_result(o.result);
  if (!result) return report_error(result.error());
  auto log = render_hdr_log(*result, HdrLogOptions{o.endpoint});
  if (!log) return report_error(log.error().with_context(o.result));
  if (auto st = write_file_atomically(o.hlog, *log); !st) return report_error(st.error());
  std::printf("wrote %s (HdrHistogram interval log%s)\n", o.hlog.c_str(),
              o.endpoint.empty() ? ": whole run untagged, endpoints tagged" : "");
  return ExitCode::kPass;
}

}  // namespace

void add_export_command(CLI::App& app, CommandSlot& slot) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Write a result's data in other tools' formats (HdrHistogram logs)");
  cmd->add_option("result", o->result, "Result file (perfgate run --out)")->required();
  cmd->add_option("--hlog", o->hlog, "Write the per-interval latency histograms as an HdrHistogram interval log");
  cmd->add_option("--endpoint", o->endpoint,
                  "Only this endpoint's intervals (default: the whole run and each endpoint)");
  cmd->callback([o, &slot] { slot.run = [o] { return run_export(*o); }; });
}

}  // namespace perfgate::cli
