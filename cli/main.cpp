// perfgate: load replay, profiling, query analysis, CI gating and reports for HTTP report endpoints.
#include <cstdio>
#include <exception>
#include <string>

#include "cli/command.h"
#include "core/child_processes.h"
#include "core/run_context.h"

namespace perfgate::cli {

ExitCode report_error(const Error& error) {
  std::fprintf(stderr, "perfgate: error: %s\n", error.message.c_str());
  return exit_code_for(error);
}

}  // namespace perfgate::cli

int main(int argc, char** argv) {
  using namespace perfgate;
  CLI::App app{"perfgate: load replay, profiling, query analysis and CI gates for HTTP report endpoints"};
  app.set_version_flag("--version",
                       std::string("perfgate ") + std::string(tool_version()) + " (" + std::string(build_type()) + ")");
  app.require_subcommand(0, 1);
  app.footer(
      "Exit codes: 0 passed, 1 a budget or regression failed, 2 usage or input error, 3 the tool failed.\n"
      "Run 'perfgate SUBCOMMAND --help' for a subcommand's options.");

  cli::CommandSlot slot;
  cli::add_demo_command(app, slot);
  cli::add_run_command(app, slot);
  cli::add_inspect_command(app, slot);
  cli::add_analyze_command(app, slot);
  cli::add_scenario_command(app, slot);
  cli::add_profile_command(app, slot);
  cli::add_report_command(app, slot);
  cli::add_trend_command(app, slot);
  cli::add_history_command(app, slot);
  cli::add_gate_command(app, slot);
  cli::add_baseline_command(app, slot);
  cli::add_merge_command(app, slot);
  cli::add_kubernetes_command(app, slot);
  cli::add_export_command(app, slot);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "perfgate: error: %s\nRun 'perfgate --help' for usage.\n", e.what());
    return static_cast<int>(ExitCode::kUsage);
  }
  if (!slot.run) {
    std::fputs(app.help().c_str(), stdout);
    return static_cast<int>(ExitCode::kUsage);
  }
  // The error rule's last line of defence: an exception no adapter caught is a tool failure (exit 3),
  // reported on one line after every process perfgate started is stopped. By the time the handler
  // runs, unwinding has run the owners' destructors; the registry catches anything they missed.
  try {
    return static_cast<int>(slot.run());
  } catch (const std::exception& e) {
    perfgate::stop_registered_children();
    std::fprintf(stderr, "perfgate: error: internal failure: %s\n", e.what());
  } catch (...) {
    perfgate::stop_registered_children();
    std::fprintf(stderr, "perfgate: error: internal failure: unknown exception\n");
  }
  return static_cast<int>(ExitCode::kToolFailure);
}
