#include "json_text.h"

#include <cctype>

namespace perfgate::scenario_detail {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string blank_comments_and_trailing_commas(std::string_view text) {
  std::string out(text);
  size_t pending_comma = std::string::npos;  // offset of a comma not yet followed by a value
  size_t i = 0;
  while (i < out.size()) {
    const char c = out[i];
    if (c == '"') {
      pending_comma = std::string::npos;
      ++i;
      while (i < out.size() && out[i] != '"') i += out[i] == '\\' ? 2 : 1;
      ++i;
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '/') {
      while (i < out.size() && out[i] != '\n') out[i++] = ' ';
    } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
      const size_t end = out.find("*/", i + 2);
      const size_t stop = end == std::string::npos ? out.size() : end + 2;
      for (; i < stop; ++i) {
        if (out[i] != '\n') out[i] = ' ';
      }
    } else if (c == ',') {
      pending_comma = i++;
    } else if (c == '}' || c == ']') {
      if (pending_comma != std::string::npos) out[pending_comma] = ' ';
      pending_comma = std::string::npos;
      ++i;
    } else {
      if (!is_space(c)) pending_comma = std::string::npos;
      ++i;
    }
  }
  return out;
}

}  // namespace perfgate::scenario_detail
