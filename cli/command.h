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
void add_demo_command(CLI::App& app, CommandSlot& slot);
void add_run_command(CLI::App& app, CommandSlot& slot);

/// perfgate analyze: query findings from PostgreSQL (cli/analyze_command.cpp).
void add_analyze_command(CLI::App& app, CommandSlot& slot);
/// perfgate scenario validate FILE... | perfgate scenario list.
void add_scenario_command(CLI::App& app, CommandSlot& slot);
void add_profile_command(CLI::App& app, CommandSlot& slot);
void add_report_command(CLI::App& app, CommandSlot& slot);
void add_trend_command(CLI::App& app, CommandSlot& slot);
/// perfgate history add RESULT | history show (cli/history_command.cpp).
void add_history_command(CLI::App& app, CommandSlot& slot);
void add_gate_command(CLI::App& app, CommandSlot& slot);
void add_baseline_command(CLI::App& app, CommandSlot& slot);
/// perfgate merge SHARD.json... -o RESULT.json (cli/merge_command.cpp).
void add_merge_command(CLI::App& app, CommandSlot& slot);
/// perfgate kubernetes render SCENARIO --shards N (cli/kubernetes_command.cpp).
void add_kubernetes_command(CLI::App& app, CommandSlot& slot);
/// perfgate export RESULT --hlog FILE (cli/export_command.cpp).
void add_export_command(CLI::App& app, CommandSlot& slot);

}  // namespace perfgate::cli
