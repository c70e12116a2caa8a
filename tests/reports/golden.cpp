#include "reports/golden.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/files.h"
#include "core/run_context.h"

namespace perfgate::testing {

void expect_matches_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PERFGATE_SOURCE_DIR) + "/tests/reports/golden/" + name;
  const char* update = std::getenv("PERFGATE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    const Status written = write_file_atomically(path, actual);
    ASSERT_TRUE(written.ok()) << written.error().message;
    return;
  }
  auto expected = read_file(path);
  ASSERT_TRUE(expected.ok()) << expected.error().message << "\n(create it with PERFGATE_UPDATE_GOLDEN=1)";
  if (*expected == actual) return;
  std::istringstream a(*expected), b(actual);
  std::string la, lb;
  int line = 0;
  while (true) {
    ++line;
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) break;
    if (la != lb || more_a != more_b) {
      ADD_FAILURE() << path << ":" << line << ": differs\n  golden: " << (more_a ? la : "<end>")
                    << "\n  actual: " << (more_b ? lb : "<end>")
                    << "\nIf the change is intended: PERFGATE_UPDATE_GOLDEN=1 ctest --test-dir build -R Golden";
      return;
    }
  }
}

namespace {

// Replaces everything between each `open` and the following `close` with `placeholder`.
std::string replace_between(const std::string& s, const std::string& open, const std::string& close,
                            const std::string& placeholder) {
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t a = s.find(open, pos);
    if (a == std::string::npos) break;
    const size_t b = s.find(close, a + open.size());
    if (b == std::string::npos) break;
    out.append(s, pos, a + open.size() - pos);
    out += placeholder;
    pos = b;
  }
  out.append(s, pos, std::string::npos);
  return out;
}

}  // namespace

std::string html_skeleton(const std::string& html) {
  std::string s = replace_between(html, "<style>", "</style>", "{{CSS}}");
  s = replace_between(s, " d=\"", "\"", "{{PATH}}");
  s = replace_between(s, "<g class=\"hover-points\"", "</g>", " {{POINTS}}>");
  const std::string version = "Rendered by perfgate " + std::string(tool_version());
  for (size_t pos = 0; (pos = s.find(version, pos)) != std::string::npos;) {
    s.replace(pos, version.size(), "Rendered by perfgate {{VERSION}}");
  }
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i > 0 && s[i - 1] == '>') out += '\n';
    out += s[i];
  }
  return out;
}

}  // namespace perfgate::testing
