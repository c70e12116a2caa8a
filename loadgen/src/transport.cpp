#include "loadgen/transport.h"

#include <charconv>

#include "native_transport.h"

namespace perfgate {

Result<TargetUrl> TargetUrl::parse(const std::string& url) {
  TargetUrl t;
  std::string_view rest = url;
  if (rest.rfind("http://", 0) == 0) {
    t.scheme = "http";
    rest.remove_prefix(7);
  } else if (rest.rfind("https://", 0) == 0) {
    t.scheme = "https";
    rest.remove_prefix(8);
  } else {
    return invalid_input("target '" + url + "': must start with http:// or https://");
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  t.port = t.scheme == "https" ? 443 : 80;
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid_input("target '" + url + "': unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return invalid_input("target '" + url + "': bad host");
    if (!authority.empty())
      authority.remove_prefix(1);
    else
      authority = {};
  } else {
    const size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon + 1);
  }
  if (!authority.empty()) {
    int port = 0;
    const auto [end, ec] = std::from_chars(authority.data(), authority.data() + authority.size(), port);
    if (ec != std::errc{} || end != authority.data() + authority.size() || port < 1 || port > 65535) {
      return invalid_input("target '" + url + "': port must be 1..65535");
    }
    t.port = port;
  }
  if (host.empty()) return invalid_input("target '" + url + "': missing host");
  t.host = std::string(host);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  t.path_prefix = std::string(path);
  return t;
}

std::string TargetUrl::host_header() const {
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + std::to_string(port);
}

std::string TargetUrl::origin() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

Result<std::unique_ptr<Transport>> make_transport(const TargetUrl& target, TransportKind kind,
                                                  const TransportOptions& options, const Clock& clock) {
  if (options.max_connections < 1) return invalid_input("max_connections: must be >= 1");
  if (kind == TransportKind::kNative && target.scheme != "http") {
    return invalid_input("target " + target.origin() + ": the native client speaks http:// only");
  }
  // RFC 6761 reserves .invalid for names that must never resolve: fail here, without a DNS query
  // that a slow or absent resolver could stretch past the run.
  const std::string_view host = target.host;
  if (host.ends_with(".invalid") || host.ends_with(".invalid.") || host == "invalid") {
    return unavailable("target host '" + target.host + "': cannot resolve (the .invalid domain never resolves)");
  }
  if (kind == TransportKind::kCurl || (kind == TransportKind::kAuto && target.scheme == "https")) {
    return make_curl_transport(target, options, clock);
  }
  return make_native_transport(target, options, clock);
}

}  // namespace perfgate
