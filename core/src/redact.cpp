#include "core/redact.h"

#include <algorithm>
#include <regex>

namespace perfgate {

std::string redact_dsn(const std::string& dsn) {
  static const std::regex keyword(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))", std::regex::icase);
  static const std::regex uri(R"(^(postgres(ql)?://[^:/@?]*):[^@/]*@)", std::regex::icase);
  static const std::regex query_param(R"(([?&]password=)[^&]*)", std::regex::icase);
  std::string out = std::regex_replace(dsn, keyword, "$1***");
  out = std::regex_replace(out, uri, "$1:***@");
  return std::regex_replace(out, query_param, "$1***");
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
