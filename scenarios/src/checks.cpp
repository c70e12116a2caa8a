#include "checks.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

#include "core/redact.h"

namespace perfgate::scenario_detail {
namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// Splits "scheme://authority[rest]"; false when the scheme is not http(s) or the host is empty.
bool split_url(const std::string& url, std::string& authority, std::string& rest) {
  size_t start = 0;
  if (url.rfind("http://", 0) == 0) {
    start = 7;
  } else if (url.rfind("https://", 0) == 0) {
    start = 8;
  } else {
    return false;
  }
  const size_t end = url.find_first_of("/?#", start);
  authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  rest = end == std::string::npos ? "" : url.substr(end);
  return true;
}

// host[:port] where host is a name, an IPv4 address or a bracketed IPv6 address.
std::string check_authority(const std::string& authority) {
  std::string host = authority;
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return "unterminated IPv6 address";
    host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return "unexpected text after the IPv6 address";
      port = authority.substr(close + 2);
      if (port.empty()) return "empty port";
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return "empty port";
  }
  if (host.empty()) return "missing host";
  if (host.find('@') != std::string::npos) return "credentials in the URL are not supported; use a header";
  for (const char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("-._[]:").find(c) == std::string_view::npos) {
      return "invalid character in host";
    }
  }
  if (!port.empty()) {
    if (port.size() > 5) return "port out of range";
    for (const char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return "port must be a number";
    }
    const int p = std::stoi(port);
    if (p < 1 || p > 65535) return "port out of range";
  }
  return "";
}

}  // namespace

std::string check_base_url(const std::string& url) {
  std::string authority;
  std::string rest;
  const std::string fix = " (got " + quoted(redact_url(url)) + "); e.g. \"http://127.0.0.1:8080\"";
  if (!split_url(url, authority, rest)) return "must be http(s)://host[:port]" + fix;
  if (const std::string why = check_authority(authority); !why.empty())
    return "must be http(s)://host[:port]: " + why + fix;
  if (!rest.empty() && rest != "/") return "must be http(s)://host[:port] without a path; put paths in requests" + fix;
  return "";
}

std::string check_absolute_url(const std::string& url) {
  std::string authority;
  std::string rest;
  const std::string fix = " (got " + quoted(redact_url(url)) + "); e.g. \"http://127.0.0.1:8080/health\"";
  if (!split_url(url, authority, rest)) return "must be an absolute http(s) URL" + fix;
  if (const std::string why = check_authority(authority); !why.empty())
    return "must be an absolute http(s) URL: " + why + fix;
  return "";
}

std::string check_method(const std::string& method) {
  static constexpr std::array<std::string_view, 7> kMethods{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
  for (const auto m : kMethods) {
    if (method == m) return "";
  }
  return "must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS (got " + quoted(method) + ")";
}

std::string check_path(const std::string& path) {
  if (!path.empty() && path[0] == '/') return "";
  // The engine sends every request to target.base_url over its own connection pool; a path naming
  // another host would be accepted here and refused by 'perfgate run', so both refuse it.
  if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) {
    return "absolute URLs are not supported (got " + quoted(path.substr(0, 60)) +
           "); every request goes to target.base_url: use the path under it, or one scenario per host";
  }
  return "must start with / (got " + quoted(path) + "); e.g. \"/" + path + "\"";
}

std::string check_variable_name(const std::string& name) {
  bool ok = !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (const char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  }
  return ok ? "" : "must be a name of letters, digits, _ . - starting with a letter (got " + quoted(name) + ")";
}

std::string check_json_pointer(const std::string& pointer) {
  if (pointer.empty()) return "";
  bool ok = pointer[0] == '/';
  for (size_t i = 0; ok && i < pointer.size(); ++i) {
    if (pointer[i] == '~') ok = i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1');
  }
  return ok ? "" : "must be a JSON pointer like \"/job/id\" (got " + quoted(pointer) + ")";
}

std::string check_regex(const std::string& pattern, int groups) {
  try {
    const std::regex re(pattern, std::regex::ECMAScript);
    if (groups >= 0 && static_cast<int>(re.mark_count()) != groups) {
      return "must have exactly " + std::to_string(groups) + " capture group (got " + std::to_string(re.mark_count()) +
             " in " + quoted(pattern) + "); e.g. \"id=(\\\\d+)\"";
    }
  } catch (const std::regex_error& e) {
    return std::string("invalid regex: ") + e.what() + " (got " + quoted(pattern) + ")";
  }
  return "";
}

std::vector<std::string> template_variables(const std::string& text) {
  std::vector<std::string> names;
  size_t i = 0;
  while ((i = text.find("{{", i)) != std::string::npos) {
    const size_t close = text.find("}}", i + 2);
    if (close == std::string::npos) {
      names.emplace_back("{{");
      break;
    }
    std::string name = text.substr(i + 2, close - i - 2);
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    names.push_back(name);
    i = close + 2;
  }
  return names;
}

}  // namespace perfgate::scenario_detail
