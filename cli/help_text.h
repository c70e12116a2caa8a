#pragma once
// One source for the text around the options: the examples every subcommand's --help ends with,
// the man page (perfgate.1) and the bash completion, all generated from the CLI11 command tree so
// they cannot drift from the flags.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/command.h"

namespace perfgate::cli {

/// A subcommand's examples: `path` is the command path ("" for perfgate itself, "scenario import").
struct CommandExamples {
  std::string path;
  std::vector<std::string> examples;  ///< whole command lines starting with "perfgate"
};

/// The examples of every command (two or three each), in the order of the man page.
const std::vector<CommandExamples>& command_examples();

/// Registers every subcommand of perfgate on `app` (help included) and ends each one's --help with
/// its examples. The one place the command tree is built, for main() and for the example check.
void build_command_tree(CLI::App& app, CommandSlot& slot);

/// Every command of the tree below `app` as paths ("run", "scenario import"), depth first.
std::vector<std::string> command_paths(CLI::App& app);

/// Splits an example into argv words (after "perfgate"): whitespace-separated, '...' and "..."
/// quoted, stopping at a shell operator (|, >, >>, &&, ;).
std::vector<std::string> example_arguments(const std::string& example);

/// The man page (roff, section 1) of the tree below `app`.
std::string render_man_page(CLI::App& app);

/// A bash completion script for the tree below `app` (subcommands, flags, files).
std::string render_bash_completion(CLI::App& app);

/// perfgate help --man | --bash-completion | --commands | --check-examples.
void add_help_command(CLI::App& app, CommandSlot& slot);

}  // namespace perfgate::cli
