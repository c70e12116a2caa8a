// perfgate scenario validate|list|import: check scenario files (every problem at once, with
// file:line:col), show the bundled scenarios, and write a scenario from a HAR or OpenAPI file.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "core/files.h"
#include "core/units.h"
#include "importers/scenario_import.h"
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

// The flags that belong to one importer are bound to its options directly (their defaults are the
// importer's); --name and --duration apply to whichever importer runs.
struct ScenarioImportOptions {
  std::string har_path;
  std::string openapi_path;
  std::string out;
  std::string name;
  std::string duration = "60s";
  HarImportOptions har;
  OpenApiImportOptions openapi;
};

ExitCode run_scenario_import(const ScenarioImportOptions& options) {
  if (options.har_path.empty() == options.openapi_path.empty()) {
    return report_error(invalid_input("scenario import: give exactly one of --har FILE and --openapi FILE"));
  }
  auto duration = parse_duration(options.duration);
  if (!duration) return report_error(invalid_input("--duration: " + duration.error().message));
  if (Status writable = check_output_path(options.out, "--out"); !writable) return report_error(writable.error());
  Result<ImportedScenario> imported = invalid_input("");
  if (!options.har_path.empty()) {
    HarImportOptions har = options.har;
    har.name = options.name;
    har.duration = *duration;
    imported = import_har(options.har_path, har);
  } else {
    OpenApiImportOptions openapi = options.openapi;
    openapi.name = options.name;
    openapi.duration = *duration;
    imported = import_openapi(options.openapi_path, openapi);
  }
  if (!imported) {
    // An input file that cannot be read is the user's input error too, not a tool failure.
    const Error& e = imported.error();
    return report_error(e.code == ErrorCode::kIo ? invalid_input(e.message) : e);
  }
  if (Status written = write_file_atomically(options.out, imported->json_text); !written) {
    return report_error(written.error());
  }
  for (const std::string& note : imported->notes) std::printf("note: %s\n", note.c_str());
  std::printf("%s: wrote %zu %s; check it with 'perfgate scenario validate %s'\n", options.out.c_str(),
              imported->requests, options.har_path.empty() ? "endpoint(s)" : "step(s) in one flow",
              options.out.c_str());
  return ExitCode::kPass;
}

}  // namespace

void add_scenario_command(CLI::App& app, CommandSlot& slot) {
  CLI::App* cmd = app.add_subcommand("scenario", "Validate, list and import scenario files");
  cmd->require_subcommand(1);

  auto options = std::make_shared<ScenarioValidateOptions>();
  CLI::App* validate =
      cmd->add_subcommand("validate", "Check scenario files and print their load shape (exit 2 on any problem)");
  validate->add_option("files", options->files, "Scenario JSON files or bundled names (peak, demo, ...)")->required();
  validate->add_option("--time-scale", options->time_scale, "Multiply every stage duration (preview CI scaling)");
  validate->add_option("--rate-scale", options->rate_scale, "Multiply every rate or user target (preview CI scaling)");
  validate->add_option("--target", options->target, "Replace the base URL (http://host:port)");
  validate->callback([options, &slot] { slot.run = [options] { return run_scenario_validate(*options); }; });

  auto import_options = std::make_shared<ScenarioImportOptions>();
  CLI::App* import = cmd->add_subcommand(
      "import", "Write a scenario from a browser recording (HAR) or an OpenAPI 3 description (JSON or YAML)");
  auto* har =
      import->add_option("--har", import_options->har_path, "HAR file recorded in a browser (one flow, closed model)");
  auto* openapi = import->add_option("--openapi", import_options->openapi_path,
                                     "OpenAPI 3 file, JSON or YAML (one endpoint per GET)");
  har->excludes(openapi);
  import->add_option("-o,--out", import_options->out, "Scenario file to write (atomically)")->required();
  import->add_option("--name", import_options->name, "Scenario name (default: the HAR's file name or info.title)");
  import->add_option("--host", import_options->har.host,
                     "HAR: host[:port] of the application (default: the most requested); others are third-party");
  import->add_option("--vus", import_options->har.virtual_users,
                     "HAR: virtual users replaying the journey (default 1)");
  import->add_option("--rate", import_options->openapi.rate,
                     "OpenAPI: arrivals per second over all endpoints (default 5)");
  import->add_option("--duration", import_options->duration, "Length of the one steady stage (default 60s)");
  import->add_option("--exclude-tag", import_options->openapi.exclude_tags,
                     "OpenAPI: leave out operations with this tag");
  import->callback(
      [import_options, &slot] { slot.run = [import_options] { return run_scenario_import(*import_options);
};
}  // namespace perfgate::cli
);

CLI::App* list = cmd->add_subcommand("list", "List the bundled scenarios with their model, duration and description");
list->callback([&slot] { slot.run = [] { return run_scenario_list(); }; });
}

}  // namespace perfgate::cli
