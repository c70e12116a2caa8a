// perfgate inspect RESULT: a result file's summary, per endpoint, as a table (and a validity check).
#include <cstdio>

#include "cli/command.h"
#include "core/run_result_io.h"
#include "core/units.h"

namespace perfgate::cli {
namespace {

struct InspectOptions {
  std::string result_path;
};

ExitCode run_inspect(const InspectOptions& options) {
  auto result = read_run_result(options.result_path);
  if (!result) return report_error(result.error());
  const RunResult& r = *result;
  std::printf("%s: %s model, %.1f s, %.1f req/s achieved", options.result_path.c_str(),
              r.model == LoadModel::kOpen ? "open" : "closed (latency is service time)", r.duration_s, r.achieved_rps);
  if (r.target_rps) std::printf(" of %.1f target", *r.target_rps);
  std::printf("%s\n", r.status == RunStatus::kFailed ? " [FAILED]" : r.partial ? " [PARTIAL]" : "");
  std::printf("%-32s %10s %8s %10s %10s %10s %10s %10s\n", "endpoint", "requests", "errors", "p50", "p90", "p99",
              "p99.9", "max");
  for (const auto& e : r.endpoints) {
    const LatencySummary s = LatencySummary::of(e.latency);
    std::printf("%-32s %10lld %8lld %10s %10s %10s %10s %10s\n", e.name.c_str(), static_cast<long long>(e.requests),
                static_cast<long long>(e.errors.total), format_duration_us(s.p50).c_str(),
                format_duration_us(s.p90).c_str(), format_duration_us(s.p99).c_str(),
                format_duration_us(s.p999).c_str(), format_duration_us(s.max).c_str());
  }
  return ExitCode::kPass;
}

}  // namespace

void add_inspect_command(CLI::App& app, CommandSlot& slot) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "Validate a result file and print its per-endpoint summary");
  cmd->add_option("result", options->result_path, "Result JSON written by 'perfgate run'")->required();
  cmd->callback([options, &slot] { slot.run = [options] { return run_inspect(*options); }; });
}

}  // namespace perfgate::cli
