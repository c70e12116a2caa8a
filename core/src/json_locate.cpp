#include "core/json_locate.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

namespace perfgate {
namespace {

// A forgiving scanner: it only needs to find where values start, not to validate JSON (the JSON
// library does that). It accepts comments and trailing commas as the readers do.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        const size_t end = text_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? text_.size() : end + 2;
      } else {
        break;
      }
    }
  }

  bool read_string(std::string& out) {
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    ++pos_;
    out.clear();
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        out.push_back(text_[pos_ + 1]);
        pos_ += 2;
      } else {
        out.push_back(text_[pos_++]);
      }
    }
    if (pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }

  // Skips one value of any kind; false when the text ends first.
  bool skip_value() {
    skip_space();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '"') {
      std::string ignored;
      return read_string(ignored);
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (pos_ < text_.size()) {
        skip_space();
        if (pos_ >= text_.size()) return false;
        const char d = text_[pos_];
        if (d == '"') {
          std::string ignored;
          if (!read_string(ignored)) return false;
          continue;
        }
        if (d == '{' || d == '[') ++depth;
        if (d == '}' || d == ']') --depth;
        ++pos_;
        if (depth == 0) return true;
      }
      return false;
    }
    while (pos_ < text_.size() && !std::strchr(",}] \t\r\n/", text_[pos_])) ++pos_;
    return true;
  }

  // Moves to the value of member `key` of the object starting here; false if absent.
  bool enter_member(const std::string& key) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '{') return false;
    ++pos_;
    while (true) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] == '}') return false;
      std::string name;
      if (!read_string(name)) return false;
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return false;
      ++pos_;
      skip_space();
      if (name == key) return true;
      if (!skip_value()) return false;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
    }
  }

  // Moves to element `index` of the array starting here; false if absent.
  bool enter_element(size_t index) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '[') return false;
    ++pos_;
    for (size_t i = 0;; ++i) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] == ']') return false;
      if (i == index) return true;
      if (!skip_value()) return false;
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
    }
  }

  [[nodiscard]] bool at_array() const { return pos_ < text_.size() && text_[pos_] == '['; }
  [[nodiscard]] size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::vector<std::string> split_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < pointer.size()) {
    if (pointer[i] != '/') break;
    const size_t next = pointer.find('/', i + 1);
    std::string token(pointer.substr(i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1));
    // RFC 6901 escapes.
    for (size_t p = 0; (p = token.find('~', p)) != std::string::npos; ++p) {
      if (p + 1 < token.size()) token.replace(p, 2, token[p + 1] == '1' ? "/" : "~");
    }
    tokens.push_back(token);
    if (next == std::string_view::npos) break;
    i = next;
  }
  return tokens;
}

bool is_index(const std::string& token) {
  return !token.empty() && token.size() < 10 &&
         std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

TextPosition position_of_offset(std::string_view text, size_t offset) {
  TextPosition p{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

TextPosition locate_json_pointer(std::string_view text, std::string_view json_pointer) {
  Scanner scanner(text);
  scanner.skip_space();
  if (scanner.pos() >= text.size()) return {};
  size_t found = scanner.pos();
  for (const std::string& token : split_pointer(json_pointer)) {
    const size_t before = scanner.pos();
    const bool entered =
        scanner.at_array() && is_index(token) ? scanner.enter_element(std::stoul(token)) : scanner.enter_member(token);
    if (!entered) {
      scanner.set_pos(before);
      break;
    }
    found = scanner.pos();
  }
  return position_of_offset(text, found);
}

std::string pointer_to_field_path(std::string_view json_pointer) {
  std::string out;
  for (const std::string& token : split_pointer(json_pointer)) {
    if (is_index(token)) {
      out += "[" + token + "]";
    } else {
      if (!out.empty()) out += ".";
      out += token;
    }
  }
  return out;
}

std::string format_input_error(std::string_view file, TextPosition position, std::string_view field,
                               std::string_view message) {
  std::string out(file);
  if (position.line > 0) out += ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
  out += ": ";
  if (!field.empty()) {
    out += field;
    out += ": ";
  }
  out += message;
  return out;
}

}  // namespace perfgate
