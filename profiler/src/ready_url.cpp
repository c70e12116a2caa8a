// The --ready URL of a spawned server: loopback only, checked before anything starts.
#include <cstdlib>

#include "profiler/spawned_server.h"

namespace perfgate {
namespace {

struct Url {
  std::string host;  // numeric loopback address
  int port = 80;
  std::string path = "/";
};

Result<Url> parse_loopback_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return invalid_input("--ready '" + url + "': must start with http://");
  std::string rest = url.substr(scheme.size());
  Url u;
  const size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    u.path = rest.substr(slash);
    rest.resize(slash);
  }
  std::string host = rest;
  std::string port;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos) return invalid_input("--ready '" + url + "': unterminated [IPv6] host");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else if (const size_t colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  if (host != "::1" && host.rfind("127.", 0) != 0) {
    return invalid_input("--ready '" + url + "': only loopback hosts (127.0.0.1, ::1, localhost) are allowed");
  }
  if (!port.empty()) {
    char* end = nullptr;
    const long p = std::strtol(port.c_str(), &end, 10);
    if (*end != 0 || p <= 0 || p > 65535) return invalid_input("--ready '" + url + "': bad port '" + port + "'");
    u.port = static_cast<int>(p);
  }
  u.host = host;
  return u;
}

}  // namespace

Status validate_ready_url(const std::string& url) {
  auto parsed = parse_loopback_url(url);
  if (!parsed) return parsed.error();
  if (parsed->host != "::1" && parsed->host.find_first_not_of("0123456789.") != std::string::npos) {
    return invalid_input("--ready '" + url + "': host must be a numeric loopback address or localhost");
  }
  return {};
}

}  // namespace perfgate
