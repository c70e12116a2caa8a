// perfgate: load replay, profiling, query analysis, CI gating and reports for HTTP report endpoints.
#include <cstdio>
#include <exception>
#include <string>

#include "cli/command.h"
#include "cli/help_text.h"
#include "core/child_processes.h"
#include "core/run_context.h"

namespace perfgate::cli {

ExitCode report_error(const Error& error) {
  std::fprintf(stderr, "perfgate: error: %s\n", error.message.c_str());
  return exit_code_for(error);
}

}  // namespace perfgate::cli

namespace {

int run_main(int argc, char** argv) {
  using namespace perfgate;
  CLI::App app;
  cli::CommandSlot slot;
  try {
    cli::build_command_tree(app, slot);
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

}  // namespace

int main(int argc, char** argv) {
  // Building the command tree or printing help can throw too (std::bad_alloc): still one line, exit 3.
  try {
    return run_main(argc, argv);
  } catch (...) {
    perfgate::stop_registered_children();
    std::fputs("perfgate: error: internal failure while reading the command line\n", stderr);
  }
  return static_cast<int>(perfgate::ExitCode::kToolFailure);
}
