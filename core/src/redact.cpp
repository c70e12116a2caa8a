#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace perfgate {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "Authorization: Bearer x" -> "Authorization: [redacted]" for headers that carry credentials.
std::string redact_header(const std::string& header) {
  const size_t colon = header.find(':');
  if (colon == std::string::npos) return header;
  std::string name = lower(header.substr(0, colon));
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  if (name.rfind("-h", 0) == 0) name.erase(0, 2);
  for (const char* secret : {"authorization", "cookie", "proxy-authorization", "x-api-key"}) {
    if (name == secret) return header.substr(0, colon + 1) + " [redacted]";
  }
  return header;
}

}  // namespace

std::string redact_command_line(const std::vector<std::string>& args, const std::vector<std::string>& secret_values) {
  std::string out;
  bool header_next = false;
  for (const auto& raw : args) {
    std::string arg = raw;
    if (header_next || arg.rfind("-H", 0) == 0 || arg.rfind("--header=", 0) == 0) arg = redact_header(arg);
    header_next = arg == "-H" || arg == "--header";
    arg = redact_url(arg);
    for (const auto& secret : secret_values) {
      if (secret.empty()) continue;
      for (size_t at = arg.find(secret); at != std::string::npos; at = arg.find(secret, at)) {
        arg.replace(at, secret.size(), "[redacted]");
        at += 10;
      }
    }
    if (!out.empty()) out += ' ';
    const bool quote = arg.find_first_of(" \t'\"") != std::string::npos;
    out += quote ? "'" + arg + "'" : arg;
  }
  return out;
}

std::string redact_dsn(const std::string& dsn) {
  static const std::regex kKeyword(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))", std::regex::icase);
  static const std::regex kUri(R"(^(postgres(ql)?://[^:/@?]*):[^@/]*@)", std::regex::icase);
  static const std::regex kQueryParam(R"(([?&]password=)[^&]*)", std::regex::icase);
  std::string out = std::regex_replace(dsn, kKeyword, "$1***");
  out = std::regex_replace(out, kUri, "$1:***@");
  return std::regex_replace(out, kQueryParam, "$1***");
}

std::string redact_url(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t start = scheme_end + 3;
  const size_t end = std::min(url.find_first_of("/?#", start), url.size());
  if (end == start) return url;
  const size_t at = url.rfind('@', end - 1);
  if (at == std::string::npos || at < start) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

}  // namespace perfgate
