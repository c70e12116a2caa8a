#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/clock.h"
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

// Waits for `events` on fd until `deadline`; false on timeout or error.
bool wait_fd(int fd, short events, MonoTime deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::instance().now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

}  // namespace

Result<int> http_get_status(const std::string& url, std::chrono::milliseconds timeout) {
  auto parsed = parse_loopback_url(url);
  if (!parsed) return parsed.error();
  const Url& u = *parsed;
  const MonoTime deadline = SteadyClock::instance().now() + timeout;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = AF_INET;
  if (u.host == "::1") {
    family = AF_INET6;
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(u.port));
    inet_pton(AF_INET6, "::1", &a6->sin6_addr);
    addr_len = sizeof *a6;
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(u.port));
    if (inet_pton(AF_INET, u.host.c_str(), &a4->sin_addr) != 1) {
      return invalid_input("--ready '" + url + "': host must be a numeric loopback address or localhost");
    }
    addr_len = sizeof *a4;
  }
  const int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return unavailable(url + ": socket: " + std::strerror(errno));
  auto fail = [&](const std::string& what) -> Result<int> {
    const std::string reason = errno != 0 ? std::strerror(errno) : "timed out";
    close(fd);
    return unavailable(url + ": " + what + ": " + reason);
  };
  errno = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 && errno != EINPROGRESS) return fail("connect");
  errno = 0;
  if (!wait_fd(fd, POLLOUT, deadline)) return fail("connect");
  int so_error = 0;
  socklen_t len = sizeof so_error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
  if (so_error != 0) {
    errno = so_error;
    return fail("connect");
  }
  const std::string request = "GET " + u.path + " HTTP/1.0\r\nHost: " + u.host + ":" + std::to_string(u.port) +
                              "\r\nUser-Agent: perfgate\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    errno = 0;
    if (!wait_fd(fd, POLLOUT, deadline)) return fail("send");
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return fail("send");
    if (n > 0) sent += static_cast<size_t>(n);
  }
  char buf[256];
  size_t got = 0;
  while (got < sizeof buf - 1) {
    errno = 0;
    if (!wait_fd(fd, POLLIN, deadline)) return fail("read");
    const ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return fail("read");
    }
    got += static_cast<size_t>(n);
    if (std::memchr(buf, '\n', got) != nullptr) break;
  }
  close(fd);
  buf[got] = 0;
  int status = 0;
  if (std::sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
    return unavailable(url + ": not an HTTP response");
  }
  return status;
}

}  // namespace perfgate
