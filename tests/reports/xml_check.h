#pragma once
// A minimal XML well-formedness check for the JUnit tests: tags nest and close, attributes are
// quoted, and every '&' starts a known entity. Returns "" when well-formed, else the problem.

#include <string>
#include <vector>

namespace perfgate::testing {

inline std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  size_t i = 0;
  auto entity_ok = [&](size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (xml.compare(at, std::string(e).size(), e) == 0) return true;
    }
    return false;
  };
  while (i < xml.size()) {
    if (xml[i] == '&' && !entity_ok(i)) return "bare & at " + std::to_string(i);
    if (xml[i] == '>') return "stray > at " + std::to_string(i);
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    const bool declaration = xml.compare(i, 2, "<?") == 0;
    size_t j = i + 1;
    char quote = 0;
    while (j < xml.size() && (quote || xml[j] != '>')) {
      if (quote && xml[j] == '<') return "< inside an attribute at " + std::to_string(j);
      if (quote && xml[j] == '&' && !entity_ok(j)) return "bare & in an attribute at " + std::to_string(j);
      if (xml[j] == '"' || xml[j] == '\'') quote = quote == xml[j] ? 0 : (quote ? quote : xml[j]);
      ++j;
    }
    if (j >= xml.size()) return "unterminated tag at " + std::to_string(i);
    const std::string tag = xml.substr(i + 1, j - i - 1);
    i = j + 1;
    if (declaration) continue;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "unbalanced </" + name + ">";
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \t\n")));
    }
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

}  // namespace perfgate::testing
