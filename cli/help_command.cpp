// perfgate help: the man page, the bash completion and the example check, generated from the
// command tree itself (cli/help_text.h), so a new flag shows up in all three without editing them.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/help_text.h"
#include "core/run_context.h"

namespace perfgate::cli {
namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 passed, 1 a budget or regression failed, 2 usage or input error, 3 the tool failed.\n"
    "Run 'perfgate SUBCOMMAND --help' for a subcommand's options.";

struct Node {
  std::string path;
  CLI::App* app;
};

void collect(CLI::App& app, const std::string& path, std::vector<Node>& out) {
  out.push_back({path, &app});
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::vector<Node> tree(CLI::App& app) {
  std::vector<Node> nodes;
  collect(app, "", nodes);
  return nodes;
}

const CommandExamples* examples_for(const std::string& path) {
  for (const auto& entry : command_examples()) {
    if (entry.path == path) return &entry;
  }
  return nullptr;
}

std::string examples_block(const CommandExamples& entry) {
  std::string out = "Examples:";
  for (const auto& example : entry.examples) out += "\n  " + example;
  return out;
}

bool is_flag(const CLI::Option* opt) { return opt->get_type_name().empty() || opt->get_expected_max() == 0; }

std::vector<std::string> flag_names(const CLI::Option* opt) {
  std::vector<std::string> names;
  for (const auto& s : opt->get_snames()) names.push_back("-" + s);
  for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
  return names;
}

// roff: a backslash is \e, a line must not start with '.' or '\'', and '-' in option names is \-.
std::string roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out += c;
  }
  std::string safe;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) line.insert(0, "\\&");
    safe += line;
    safe += '\n';
  }
  if (!safe.empty()) safe.pop_back();
  return safe;
}

int check_examples() {
  int failures = 0;
  std::map<std::string, size_t> counts;
  {
    CLI::App app;
    CommandSlot slot;
    build_command_tree(app, slot);
    for (const Node& node : tree(app)) counts[node.path] = 0;
  }
  for (const auto& entry : command_examples()) {
    if (counts.count(entry.path) == 0) {
      std::fprintf(stderr, "help: examples for \"%s\", which is not a command\n", entry.path.c_str());
      ++failures;
      continue;
    }
    counts[entry.path] += entry.examples.size();
    for (const std::string& example : entry.examples) {
      CLI::App app;
      CommandSlot slot;
      build_command_tree(app, slot);
      app.name("perfgate");
      std::vector<std::string> args = example_arguments(example);
      std::string parsed_path;
      try {
        if (example.rfind("perfgate", 0) != 0) throw CLI::ValidationError("an example starts with \"perfgate\"");
        std::reverse(args.begin(), args.end());  // CLI11 takes the argument vector in reverse
        app.parse(args);
        for (CLI::App* level = &app; !level->get_subcommands().empty();) {
          level = level->get_subcommands().front();
          parsed_path += (parsed_path.empty() ? "" : " ") + level->get_name();
        }
      } catch (const CLI::Error& e) {
        std::fprintf(stderr, "help: %s: does not parse: %s\n", example.c_str(), e.what());
        ++failures;
        continue;
      }
      const bool belongs =
          entry.path.empty() || parsed_path == entry.path || parsed_path.rfind(entry.path + " ", 0) == 0;
      if (!belongs || !slot.run) {
        std::fprintf(stderr, "help: %s: parses as \"%s\", not as a runnable \"%s\"\n", example.c_str(),
                     parsed_path.c_str(), entry.path.c_str());
        ++failures;
        continue;
      }
      std::printf("ok  %s\n", example.c_str());
    }
  }
  for (const auto& [path, n] : counts) {
    if (n < 2 || n > 3) {
      std::fprintf(stderr, "help: \"perfgate %s\" has %zu examples; give it two or three in cli/help_examples.cpp\n",
                   path.c_str(), n);
      ++failures;
    }
  }
  return failures;
}

struct HelpOptions {
  bool man = false;
  bool bash = false;
  bool commands = false;
  bool check = false;
};

ExitCode run_help(const HelpOptions& options) {
  CLI::App app;
  CommandSlot slot;
  build_command_tree(app, slot);
  app.name("perfgate");
  if (options.man) std::fputs(render_man_page(app).c_str(), stdout);
  if (options.bash) std::fputs(render_bash_completion(app).c_str(), stdout);
  if (options.commands) {
    for (const std::string& path : command_paths(app)) std::printf("%s\n", path.c_str());
  }
  if (options.check) {
    const int failures = check_examples();
    if (failures > 0) {
      std::fprintf(stderr, "help: %d problem(s) with the examples\n", failures);
      return ExitCode::kUsage;
    }
  }
  if (!options.man && !options.bash && !options.commands && !options.check) {
    std::fputs(app.help().c_str(), stdout);
  }
  return ExitCode::kPass;
}

}  // namespace

std::vector<std::string> command_paths(CLI::App& app) {
  std::vector<std::string> paths;
  for (const Node& node : tree(app)) {
    if (!node.path.empty()) paths.push_back(node.path);
  }
  return paths;
}

std::vector<std::string> example_arguments(const std::string& example) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < example.size(); ++i) {
    const char c = example[i];
    if (c == '\'' || c == '"') {
      const size_t close = example.find(c, i + 1);
      word += example.substr(i + 1, close - i - 1);
      in_word = true;
      i = close == std::string::npos ? example.size() : close;
    } else if (c == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  std::vector<std::string> args;
  for (size_t i = 1; i < words.size(); ++i) {  // words[0] is "perfgate"
    const std::string& w = words[i];
    if (w == "|" || w == ">" || w == ">>" || w == "&&" || w == ";") break;
    args.push_back(w);
  }
  return args;
}

void build_command_tree(CLI::App& app, CommandSlot& slot) {
  app.description("perfgate: load replay, profiling, query analysis and CI gates for HTTP report endpoints");
  app.set_version_flag("--version",
                       std::string("perfgate ") + std::string(tool_version()) + " (" + std::string(build_type()) + ")");
  app.require_subcommand(0, 1);
  app.footer(kExitCodes);
  add_demo_command(app, slot);
  add_run_command(app, slot);
  add_inspect_command(app, slot);
  add_analyze_command(app, slot);
  add_scenario_command(app, slot);
  add_profile_command(app, slot);
  add_report_command(app, slot);
  add_trend_command(app, slot);
  add_history_command(app, slot);
  add_gate_command(app, slot);
  add_baseline_command(app, slot);
  add_merge_command(app, slot);
  add_kubernetes_command(app, slot);
  add_export_command(app, slot);
  add_help_command(app, slot);
  // Every --help ends with its command's examples (CLI11 prints the footer last).
  for (const Node& node : tree(app)) {
    if (const CommandExamples* entry = examples_for(node.path)) {
      node.app->footer(std::string(kExitCodes) + "\n\n" + examples_block(*entry));
    }
  }
}

std::string render_man_page(CLI::App& app) {
  std::ostringstream out;
  const std::string version = std::string(tool_version());
  out << ".\\\" Generated by 'perfgate help --man' from the command tree; do not edit.\n";
  out << ".TH PERFGATE 1 \"\" \"perfgate " << version << "\" \"User Commands\"\n";
  out << ".SH NAME\nperfgate \\- " << roff(app.get_description().substr(app.get_description().find(':') + 2)) << "\n";
  out << ".SH SYNOPSIS\n.B perfgate\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n";
  out << ".SH DESCRIPTION\nperfgate offers load to an HTTP service on a schedule (open or closed model), "
         "profiles the server and its PostgreSQL while it runs, analyses the queries, and gates the "
         "result against budgets and a baseline for CI. Every command is listed below with its options "
         "and examples; docs/ in the source tree has the reference of each.\n";
  out << ".SH COMMANDS\n";
  for (const Node& node : tree(app)) {
    if (node.path.empty()) continue;
    std::string usage = "perfgate " + node.path;
    if (!node.app->get_subcommands([](CLI::App*) { return true; }).empty()) usage += " SUBCOMMAND";
    for (const CLI::Option* opt : node.app->get_options()) {
      if (opt->get_positional()) usage += " " + opt->get_name() + (opt->get_items_expected_max() > 1 ? "..." : "");
    }
    out << ".SS \"" << roff(usage) << "\"\n" << roff(node.app->get_description()) << "\n";
    for (const CLI::Option* opt : node.app->get_options()) {
      if (opt->get_lnames().size() == 1 && opt->get_lnames()[0] == "help") continue;
      std::string names;
      if (opt->get_positional()) {
        names = "\\fI" + roff(opt->get_name()) + "\\fR";
      } else {
        for (const std::string& n : flag_names(opt)) names += (names.empty() ? "" : ", ") + ("\\fB" + roff(n) + "\\fR");
        if (!is_flag(opt)) names += " \\fI" + roff(opt->get_type_name()) + "\\fR";
      }
      out << ".TP\n"
          << names << "\n"
          << roff(opt->get_description().empty() ? "(no description)" : opt->get_description()) << "\n";
    }
    if (const CommandExamples* entry = examples_for(node.path)) {
      out << ".PP\nExamples:\n.RS\n.nf\n";
      for (const auto& example : entry->examples) out << roff(example) << "\n";
      out << ".fi\n.RE\n";
    }
  }
  out << ".SH EXIT STATUS\n.TP\n0\npassed\n.TP\n1\nthe system under test broke a budget, or a clear regression\n"
         ".TP\n2\nusage, input or configuration error (before any load is sent)\n.TP\n3\nthe tool failed "
         "(target unreachable, cannot write output)\n";
  out << ".SH ENVIRONMENT\n.TP\nPERFGATE_TARGET\nthe base URL of the bundled scenarios "
         "(default http://127.0.0.1:8080)\n.TP\nPERFGATE_SCENARIOS_DIR\nwhere the bundled scenarios are\n"
         ".TP\nGITHUB_STEP_SUMMARY\ngate \\-\\-markdown appends its report there\n";
  out << ".SH EXAMPLES\n.nf\n";
  if (const CommandExamples* entry = examples_for("")) {
    for (const auto& example : entry->examples) out << roff(example) << "\n";
  }
  out << ".fi\n.SH SEE ALSO\ndocs/run.md, docs/scenarios.md, docs/import.md, docs/budgets.md, docs/reports.md in the "
         "perfgate sources\n";
  return out.str();
}

std::string render_bash_completion(CLI::App& app) {
  std::ostringstream out;
  out << "# bash completion for perfgate; generated by 'perfgate help --bash-completion', do not edit.\n"
         "_perfgate() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path='' i\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case \"$path/${COMP_WORDS[i]}\" in\n";
  const std::vector<Node> nodes = tree(app);
  std::string subpaths;
  for (const Node& node : nodes) {
    if (node.path.empty()) continue;
    std::string p = node.path;
    std::replace(p.begin(), p.end(), ' ', '/');
    subpaths += (subpaths.empty() ? "" : "|") + ("/" + p);
  }
  out << "      " << subpaths << ") path=\"$path/${COMP_WORDS[i]}\" ;;\n"
      << "    esac\n  done\n  local words='' values='' files=1\n  case \"$path\" in\n";
  for (const Node& node : nodes) {
    std::string p = node.path;
    std::replace(p.begin(), p.end(), ' ', '/');
    std::string words, values;
    const auto subs = node.app->get_subcommands([](CLI::App*) { return true; });
    for (const CLI::App* sub : subs) words += (words.empty() ? "" : " ") + sub->get_name();
    for (const CLI::Option* opt : node.app->get_options()) {
      if (opt->get_positional()) continue;
      for (const std::string& n : flag_names(opt)) {
        words += (words.empty() ? "" : " ") + n;
        if (!is_flag(opt)) values += (values.empty() ? "" : "|") + n;
      }
    }
    if (node.path.empty()) words += " --version";
    out << "    '" << (p.empty() ? "" : "/" + p) << "') words='" << words << "'";
    if (!values.empty()) out << " values='" << values << "'";
    if (!subs.empty()) out << " files=0";
    out << " ;;\n";
  }
  out << "  esac\n"
         "  # A flag that takes a value completes file names; a word completes flags or subcommands.\n"
         "  if [[ -n $values && \"|$values|\" == *\"|$prev|\"* ]]; then\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  elif [[ $cur == -* || $files == 0 ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -o filenames -o bashdefault -F _perfgate perfgate\n";
  return out.str();
}

void add_help_command(CLI::App& app, CommandSlot& slot) {
  auto options = std::make_shared<HelpOptions>();
  CLI::App* cmd = app.add_subcommand("help",
                                     "The man page, the bash completion and the command list, from the "
                                     "command tree itself");
  cmd->add_flag("--man", options->man, "Print the man page perfgate.1 (roff)");
  cmd->add_flag("--bash-completion", options->bash, "Print the bash completion script");
  cmd->add_flag("--commands", options->commands, "List every command path, one per line");
  cmd->add_flag("--check-examples", options->check,
                "Parse every command's --help examples (exit 2 naming any that does not parse)");
  cmd->callback([options, &slot] { slot.run = [options] { return run_help(*options); }; });
}

}  // namespace perfgate::cli
