// Every subcommand's --help ends with two or three examples that parse; the man page and the bash
// completion generated from the same command tree cover every command and flag, are built with the
// binary and installed by `cmake --install`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command line in `dir`; stdout and stderr together.
Ran shell(const std::string& command, const fs::path& dir = fs::current_path()) {
  const perfgate::testing::TempDir temp("help");
  const fs::path log = temp.path() / "output.log";
  const std::string line = "cd '" + dir.string() + "' && (" + command + ") >'" + log.string() + "' 2>&1";
  const int status = std::system(line.c_str());
  Ran ran;
  ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  ran.output = ss.str();
  return ran;
}

const std::string kBinary = PERFGATE_BINARY;

// `perfgate PATH --help`.
Ran help_of(const std::string& path) {
  std::string command = kBinary;
  (command += ' ') += path;
  return shell(command + " --help", fs::current_path());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> command_paths() {
  const Ran ran = shell(kBinary + " help --commands");
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  return lines_of(ran.output);
}

// The examples block a --help output ends with: the lines after "Examples:".
std::vector<std::string> trailing_examples(const std::string& help) {
  std::vector<std::string> lines = lines_of(help);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::vector<std::string> examples;
  for (size_t i = lines.size(); i-- > 0;) {
    if (lines[i] == "Examples:") return {lines.begin() + static_cast<long>(i) + 1, lines.end()};
    if (lines[i].rfind("  perfgate", 0) != 0) return {};
  }
  return {};
}

// The flags of a --help output's option lines ("  -o,--out TEXT   ..." -> -o, --out).
std::set<std::string> flags_in_help(const std::string& help) {
  std::set<std::string> flags;
  static const std::regex kFlag("(^|[ ,])(--?[A-Za-z][A-Za-z0-9-]*)");
  for (const std::string& line : lines_of(help)) {
    if (line.rfind("  -", 0) != 0) continue;
    const std::string names = line.substr(0, line.find("  ", 2));
    for (std::sregex_iterator it(names.begin(), names.end(), kFlag), end; it != end; ++it) flags.insert((*it)[2]);
  }
  return flags;
}

TEST(Help, EverySubcommandsHelpEndsWithTwoOrThreeExamplesOfItself) {
  const std::vector<std::string> paths = command_paths();
  ASSERT_GE(paths.size(), 20u);
  for (const std::string& path : paths) {
    const Ran ran = help_of(path);
    EXPECT_EQ(ran.exit_code, 0) << path << ": " << ran.output;
    const std::vector<std::string> examples = trailing_examples(ran.output);
    EXPECT_GE(examples.size(), 2u) << path << ":\n" << ran.output;
    EXPECT_LE(examples.size(), 3u) << path;
    for (const std::string& example : examples) {
      EXPECT_EQ(example.rfind("  perfgate " + path, 0), 0u) << path << ": " << example;
    }
  }
  EXPECT_EQ(trailing_examples(shell(kBinary + " --help").output).size(), 3u);
}

TEST(Help, EveryExampleParsesAsTheCommandItIsListedUnder) {
  const Ran ran = shell(kBinary + " help --check-examples");
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  size_t ok = 0;
  for (const std::string& line : lines_of(ran.output)) ok += line.rfind("ok  perfgate ", 0) == 0 ? 1 : 0;
  EXPECT_GE(ok, 2 * command_paths().size()) << ran.output;
}

TEST(Help, ExamplesThatNeedNoServiceRunForReal) {
  const perfgate::testing::TempDir temp("help-examples");
  const fs::path& dir = temp.path();
  for (const char* linked : {"testbed", "budgets", "scenarios"}) {
    fs::create_directory_symlink(fs::path(PERFGATE_SOURCE_DIR) / linked, dir / linked);
  }
  size_t ran_examples = 0;
  for (const std::string& path :
       {std::string("scenario validate"), std::string("scenario list"), std::string("help")}) {
    for (std::string example : trailing_examples(help_of(path).output)) {
      example = example.substr(2);
      if (example.find("man -l") != std::string::npos || example.find("~/") != std::string::npos) continue;
      const Ran ran = shell(kBinary + example.substr(std::string("perfgate").size()), dir);
      EXPECT_EQ(ran.exit_code, 0) << example << ": " << ran.output;
      ++ran_examples;
    }
  }
  const Ran imported =
      shell(kBinary + " scenario import --openapi testbed/openapi.yaml --exclude-tag jobs -o api.json", dir);
  EXPECT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_TRUE(fs::exists(dir / "api.json"));
  EXPECT_GE(ran_examples, 5u);
}

TEST(ManPage, IsBuiltWithTheBinaryCoversEveryCommandAndRendersWithoutWarnings) {
  const fs::path built = fs::path(PERFGATE_BINARY_DIR) / "share/man/man1/perfgate.1";
  ASSERT_TRUE(fs::exists(built));
  std::ifstream in(built);
  std::stringstream page;
  page << in.rdbuf();
  EXPECT_EQ(page.str(), shell(kBinary + " help --man").output);
  for (const std::string& path : command_paths()) {
    std::string roff_path = path;
    EXPECT_NE(page.str().find(".SS \"perfgate " + roff_path), std::string::npos) << path;
  }
  const Ran rendered = shell("LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l '" + built.string() + "' 2>&1 >/dev/null");
  EXPECT_EQ(rendered.exit_code, 0) << rendered.output;
  EXPECT_EQ(rendered.output, "") << "man reported problems in the page";
  const Ran text = shell("LC_ALL=C.UTF-8 MANWIDTH=200 man -l '" + built.string() + "'");
  EXPECT_NE(text.output.find("perfgate scenario import --har journey.har -o journey.json"), std::string::npos);
}

// The words the completion offers after `perfgate PATH` (its case line's words='...').
std::set<std::string> completion_words(const std::string& script, std::string path) {
  std::replace(path.begin(), path.end(), ' ', '/');
  const std::string label = "    '" + (path.empty() ? "" : "/" + path) + "') words='";
  const size_t at = script.find(label);
  if (at == std::string::npos) return {};
  const size_t start = at + label.size();
  std::istringstream words(script.substr(start, script.find('\'', start) - start));
  std::set<std::string> out;
  for (std::string w; words >> w;) out.insert(w);
  return out;
}

TEST(BashCompletion, ListsEverySubcommandAndEveryFlag) {
  const std::string script = shell(kBinary + " help --bash-completion").output;
  const fs::path built = fs::path(PERFGATE_BINARY_DIR) / "share/bash-completion/completions/perfgate";
  ASSERT_TRUE(fs::exists(built));
  EXPECT_EQ(shell("cat '" + built.string() + "'").output, script);
  for (const std::string& path : command_paths()) {
    const size_t space = path.find_last_of(' ');
    const std::string parent = space == std::string::npos ? "" : path.substr(0, space);
    EXPECT_EQ(completion_words(script, parent).count(path.substr(space + 1)), 1u) << path;
    const std::set<std::string> words = completion_words(script, path);
    EXPECT_FALSE(words.empty()) << path;
    for (const std::string& flag : flags_in_help(help_of(path).output)) {
      EXPECT_EQ(words.count(flag), 1u) << path << " " << flag;
    }
  }
  EXPECT_EQ(completion_words(script, "").count("--version"), 1u);
}

TEST(BashCompletion, CompletesSubcommandsFlagsAndFilesInBash) {
  const fs::path script = fs::path(PERFGATE_BINARY_DIR) / "share/bash-completion/completions/perfgate";
  auto complete = [&](const std::string& words, int cword) {
    return shell("bash -c 'source \"" + script.string() + "\"; COMP_WORDS=(" + words +
                     "); COMP_CWORD=" + std::to_string(cword) + "; _perfgate; echo \"${COMPREPLY[*]}\"'",
                 PERFGATE_SOURCE_DIR)
        .output;
  };
  EXPECT_EQ(complete("perfgate scenario i", 2), "import\n");
  EXPECT_EQ(complete("perfgate gate --baseline-h", 2), "--baseline-history\n");
  EXPECT_EQ(complete("perfgate r", 1), "run report\n");
  // After a flag that takes a value: file names (relative to the source tree here).
  EXPECT_EQ(complete("perfgate scenario import --openapi testbed/openapi.y", 4), "testbed/openapi.yaml\n");
  const std::string files = complete("perfgate report /etc/hostnam", 2);
  EXPECT_EQ(files, "/etc/hostname\n");
}

TEST(Install, PutsTheBinaryTheManPageAndTheCompletionUnderThePrefix) {
  const perfgate::testing::TempDir temp("install");
  const fs::path prefix = temp.path() / "prefix";
  const Ran ran = shell(std::string(PERFGATE_CMAKE) + " --install '" + PERFGATE_BINARY_DIR + "' --prefix '" +
                        prefix.string() + "'");
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_TRUE(fs::exists(prefix / "bin/perfgate"));
  EXPECT_TRUE(fs::exists(prefix / "share/man/man1/perfgate.1"));
  EXPECT_TRUE(fs::exists(prefix / "share/bash-completion/completions/perfgate"));
}

}  // namespace
