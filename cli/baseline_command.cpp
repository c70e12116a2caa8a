// perfgate baseline save RESULT [--to FILE]: keep a complete run as the baseline for 'perfgate gate'.
#include <cstdio>
#include <memory>

#include "analyzers/baseline.h"
#include "cli/command.h"

namespace perfgate::cli {
namespace {

struct BaselineSaveOptions {
  std::string result_path;
  std::string to_path = "perfgate-baseline.json";
};

ExitCode run_baseline_save(const BaselineSaveOptions& options) {
  if (Status s = save_baseline(options.result_path, options.to_path); !s) return report_error(s.error());
  std::printf("baseline saved: %s -> %s\n", options.result_path.c_str(), options.to_path.c_str());
  return ExitCode::kPass;
}

}  // namespace

void add_baseline_command(CLI::App& app, CommandSlot& slot) {
  CLI::App* cmd = app.add_subcommand("baseline", "Manage the baseline that 'perfgate gate --baseline' compares with");
  cmd->require_subcommand(1);
  auto o = std::make_shared<BaselineSaveOptions>();
  CLI::App* save = cmd->add_subcommand("save", "Save a complete run as the baseline (refuses partial or failed runs)");
  save->add_option("result", o->result_path, "Result JSON written by 'perfgate run'")->required();
  save->add_option("--to", o->to_path, "Baseline file to write (atomically)")->capture_default_str();
  save->callback([o, &slot] { slot.run = [o] { return run_baseline_save(*o); }; });
}

}  // namespace perfgate::cli
