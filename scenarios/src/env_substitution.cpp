#include "env_substitution.h"

#include <cctype>
#include <cstdlib>

namespace perfgate::scenario_detail {
namespace {

bool valid_env_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

void walk(Json& value, const std::string& pointer, Problems& problems, std::vector<std::string>& secrets) {
  if (value.is_string()) {
    auto replaced = substitute_env_in(value.get<std::string>(), pointer, problems, secrets);
    if (replaced) value = *replaced;
  } else if (value.is_object()) {
    for (auto& [key, member] : value.items()) walk(member, child(pointer, key), problems, secrets);
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) walk(value[i], child(pointer, i), problems, secrets);
  }
}

}  // namespace

std::optional<std::string> substitute_env_in(const std::string& text, const std::string& pointer, Problems& problems,
                                             std::vector<std::string>& secret_values) {
  std::string out;
  bool ok = true;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      problems.add(pointer, "unterminated ${ in \"" + text + "\"; close it with } or write $${ for a literal ${");
      problems.poison(pointer);
      return std::nullopt;
    }
    std::string spec = text.substr(i + 2, close - i - 2);
    i = close + 1;
    bool secret = false;
    if (spec.rfind("secret:", 0) == 0) {
      secret = true;
      spec = spec.substr(7);
    }
    std::optional<std::string> fallback;
    if (const size_t dash = spec.find(":-"); dash != std::string::npos) {
      fallback = spec.substr(dash + 2);
      spec = spec.substr(0, dash);
    }
    if (!valid_env_name(spec)) {
      problems.add(pointer, "invalid environment variable name in ${" + spec + "}; use letters, digits and _");
      ok = false;
      continue;
    }
    const char* env = std::getenv(spec.c_str());
    if (env == nullptr && !fallback) {
      problems.add(pointer,
                   "environment variable " + spec + " is not set; export it or write ${" + spec + ":-default}");
      ok = false;
      continue;
    }
    const std::string value = env != nullptr ? std::string(env) : *fallback;
    if (secret && !value.empty()) secret_values.push_back(value);
    out += value;
  }
  if (!ok) {
    problems.poison(pointer);
    return std::nullopt;
  }
  return out;
}

void substitute_env(Json& document, Problems& problems, std::vector<std::string>& secret_values) {
  walk(document, "", problems, secret_values);
}

}  // namespace perfgate::scenario_detail
