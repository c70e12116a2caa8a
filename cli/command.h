#pragma once
// The CLI's wiring rule (STYLE.md): one options struct, one add_x_command(CLI::App&, CommandSlot&)
// and one run_x(const XOptions&) per subcommand. Commands map errors to exit codes here, nowhere else.

#include <CLI/CLI.hpp>

#include <functional>

#include "core/result.h"

namespace perfgate::cli {

/// Filled by the subcommand that was parsed: the function main() runs after parsing.
struct CommandSlot {
  std::function<ExitCode()> run;
};

/// Prints "perfgate: error: MESSAGE" (and a hint for usage errors) to stderr; returns the exit code.
ExitCode report_error(const Error& error);

void add_inspect_command(CLI::App& app, CommandSlot& slot);
void add_run_command(CLI::App& app, CommandSlot& slot);

}  // namespace perfgate::cli
