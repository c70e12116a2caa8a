// A server that answers every HTTP/1.1 request at once with a fixed 2-byte body: the cheapest
// possible target, so a side-by-side run measures the load generators, not the server.
// With --json-items N the body is {"rows":"N","items":[0,1,...,N-1]} instead: still one send from a
// prebuilt buffer for the server, but a JSON check on it costs the generator a parse per response,
// so the generator, not the server, is the bottleneck (tests/integration/find_limit_test.cpp).
// Usage: perfgate_instant_server PORT [--json-items N]
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

namespace {

constexpr char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";

std::string json_response(int items) {
  std::string body = "{\"rows\":\"" + std::to_string(items) + "\",\"items\":[";
  for (int i = 0; i < items; ++i) body += (i > 0 ? "," : "") + std::to_string(i);
  body += "]}";
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: application/json\r\n\r\n" + body;
}

// Counts complete requests (GET/HEAD without bodies: each ends with an empty line) in the bytes read,
// carrying the tail across reads.
int count_requests(std::string& pending, const char* data, size_t n) {
  pending.append(data, n);
  int requests = 0;
  size_t from = 0;
  for (size_t at = pending.find("\r\n\r\n", from); at != std::string::npos; at = pending.find("\r\n\r\n", from)) {
    ++requests;
    from = at + 4;
  }
  pending.erase(0, from);
  return requests;
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = argc == 4 && std::strcmp(argv[2], "--json-items") == 0;
  if (argc != 2 && !json) {
    std::fprintf(stderr, "usage: %s PORT [--json-items N]\n", argv[0]);
    return 2;
  }
  // A JSON body stays under the default 16 KiB socket send buffer, so one send always takes it whole.
  const std::string response = json ? json_response(std::clamp(std::atoi(argv[3]), 1, 2000)) : std::string(kResponse);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 1024) != 0) {
    std::perror("bind/listen");
    return 3;
  }
  const int ep = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, std::string> pending;
  std::string out;
  epoll_event events[256];
  char buf[65536];
  while (true) {
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (int c; (c = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) {
        pending.erase(fd);
        ::close(fd);
        continue;
      }
      const int requests = count_requests(pending[fd], buf, static_cast<size_t>(got));
      out.clear();
      for (int r = 0; r < requests; ++r) out += response;
      if (!out.empty()) ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
  }
}
