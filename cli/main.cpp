// perfgate: load replay, profiling, query analysis, CI gating and reports for HTTP report endpoints.
#include <csignal>
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

// Builds the command tree, parses the command line and runs the chosen subcommand.
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
  return static_cast<int>(slot.run());
}

}  // namespace

int main(int argc, char** argv) {
  // A reader of stdout or stderr that went away (a closed pipe, a killed test runner or CI step)
  // must not kill perfgate by SIGPIPE in the middle of a run: that would skip every cleanup and
  // leave the servers it started running. Writes then fail with EPIPE and the run finishes.
  std::signal(SIGPIPE, SIG_IGN);
  // The error rule's last line of defence: an exception no adapter caught (building the command
  // tree, parsing, running) is a tool failure (exit 3), reported on one line after every process
  // perfgate started is stopped.
  return perfgate::run_with_catch_all([argc, argv] { return run_main(argc, argv); },
                                      static_cast<int>(perfgate::ExitCode::kToolFailure));
}
