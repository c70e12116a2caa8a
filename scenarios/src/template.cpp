#include "scenarios/template.h"

#include <cctype>

namespace perfgate {

size_t VariableTable::intern(const std::string& name) {
  const size_t found = find(name);
  if (found != SIZE_MAX) return found;
  names_.push_back(name);
  return names_.size() - 1;
}

size_t VariableTable::find(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return i;
  }
  return SIZE_MAX;
}

Template Template::compile(std::string_view text, const std::map<std::string, std::string>& constants,
                           VariableTable& variables) {
  Template t;
  std::string literal;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("{{", pos);
    const size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::string name(text.substr(open + 2, close - open - 2));
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    literal.append(text.substr(pos, open - pos));
    pos = close + 2;
    if (const auto it = constants.find(name); it != constants.end()) {
      literal += it->second;
      continue;
    }
    if (!literal.empty()) t.pieces_.push_back(Piece{std::move(literal), kNone});
    literal.clear();
    t.pieces_.push_back(Piece{"", variables.intern(name)});
  }
  literal.append(text.substr(pos));
  if (!literal.empty() || t.pieces_.empty()) t.pieces_.push_back(Piece{std::move(literal), kNone});
  return t;
}

bool Template::render(const VariableValues& values, std::string& out) const {
  out.clear();
  for (const Piece& p : pieces_) {
    if (p.variable == kNone) {
      out += p.literal;
      continue;
    }
    if (p.variable >= values.size() || !values[p.variable]) return false;
    out += *values[p.variable];
  }
  return true;
}

}  // namespace perfgate
