// perfgate scenario validate|list: check scenario files (every problem at once, with file:line:col)
// and show the bundled scenarios.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/units.h"
#include "scenarios/parser.h"

namespace perfgate::cli {
namespace {

struct ScenarioValidateOptions {
  std::vector<std::string> files;
  double time_scale = 1;
  double rate_scale = 1;
  std::string target;
};

const char* model_name(LoadModel model) { return model == LoadModel::kOpen ? "open" : "closed"; }

double to_us(std::chrono::microseconds d) { return static_cast<double>(d.count()); }

void print_summary(const Scenario& s) {
  const char* unit = s.shape.model == LoadModel::kOpen ? "req/s" : "users";
  std::printf("%s: ok: \"%s\", %s model, %zu endpoint(s), %s, hash %.12s\n", s.source_path.c_str(), s.name.c_str(),
              model_name(s.shape.model), s.endpoints.size(), format_duration_us(to_us(s.duration())).c_str(),
              s.hash.c_str());
  double from = s.shape.start_target;
  for (const Stage& stage : s.shape.stages) {
    std::printf("  %-10s %9s  %g -> %g %s\n", stage.phase.empty() ? "-" : stage.phase.c_str(),
                format_duration_us(to_us(stage.duration)).c_str(), from, stage.target, unit);
    from = stage.target;
  }
}

ExitCode run_scenario_validate(const ScenarioValidateOptions& options) {
  ExitCode worst = ExitCode::kPass;
  for (const std::string& file : options.files) {
    auto scenario = load_scenario_file(file);
    Status status;
    if (scenario && (options.time_scale != 1 || options.rate_scale != 1)) {
      status = apply_scaling(*scenario, options.time_scale, options.rate_scale);
    }
    if (scenario && status && !options.target.empty()) status = override_target(*scenario, options.target);
    if (!scenario || !status) {
      worst = report_error(!scenario ? scenario.error() : status.error());
      continue;
    }
    print_summary(*scenario);
  }
  return worst;
}

ExitCode run_scenario_list() {
  const std::vector<std::string> names = list_bundled_scenarios();
  if (names.empty()) {
    return report_error(invalid_input("no bundled scenarios in " + bundled_scenarios_dir() +
                                      "; set PERFGATE_SCENARIOS_DIR to the scenarios/bundled directory"));
  }
  ExitCode worst = ExitCode::kPass;
  for (const std::string& name : names) {
    auto scenario = load_scenario_file(name);
    if (!scenario) {
      worst = report_error(scenario.error());
      continue;
    }
    std::printf("%-16s %-6s %9s  %s\n", name.c_str(), model_name(scenario->shape.model),
                format_duration_us(to_us(scenario->duration())).c_str(), scenario->description.c_str());
  }
  return worst;
}

}  // namespace

void add_scenario_command(CLI::App& app, CommandSlot& slot) {
  CLI::App* cmd = app.add_subcommand("scenario", "Validate scenario files and list the bundled scenarios");
  cmd->require_subcommand(1);

  auto options = std::make_shared<ScenarioValidateOptions>();
  CLI::App* validate =
      cmd->add_subcommand("validate", "Check scenario files and print their load shape (exit 2 on any problem)");
  validate->add_option("files", options->files, "Scenario JSON files or bundled names (peak, demo, ...)")->required();
  validate->add_option("--time-scale", options->time_scale, "Multiply every stage duration (preview CI scaling)");
  validate->add_option("--rate-scale", options->rate_scale, "Multiply every rate or user target (preview CI scaling)");
  validate->add_option("--target", options->target, "Replace the base URL (http://host:port)");
  validate->callback([options, &slot] { slot.run = [options] { return run_scenario_validate(*options); }; });

  CLI::App* list = cmd->add_subcommand("list", "List the bundled scenarios with their model, duration and description");
  list->callback([&slot] { slot.run = [] { return run_scenario_list(); }; });
}

}  // namespace perfgate::cli
