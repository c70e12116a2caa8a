#include "import_common.h"

#include <cctype>

#include "scenarios/parser.h"

namespace perfgate::import_detail {

std::string duration_text(std::chrono::microseconds duration) {
  const auto ms = std::max<int64_t>(1, (duration.count() + 500) / 1000);
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string file_stem(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  const size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0) name.resize(dot);
  return name.empty() ? "imported" : name;
}

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '_' || c == '.') {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string variable_name(const std::string& key) {
  std::string out;
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '_')
      out += static_cast<char>(std::tolower(u));
    else if (!out.empty() && out.back() != '_')
      out += '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) != 0) out = "v_" + out;
  return out;
}

std::string url_encode(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    const auto u = static_cast<unsigned char>(value[i]);
    if (value.compare(i, 2, "{{") == 0) {
      const size_t end = value.find("}}", i);
      if (end != std::string::npos) {
        out += value.substr(i, end + 2 - i);
        i = end + 1;
        continue;
      }
    }
    if (std::isalnum(u) != 0 || u == '-' || u == '_' || u == '.' || u == '~') {
      out += static_cast<char>(u);
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

Result<std::string> finish_scenario(const Json& scenario, const std::string& source_name) {
  std::string text = scenario.dump(2) + "\n";
  auto parsed = parse_scenario(text, source_name);
  if (!parsed) {
    return internal_error("the imported scenario does not validate (please report this with the input file): " +
                          parsed.error().message);
  }
  return text;
}

}  // namespace perfgate::import_detail
