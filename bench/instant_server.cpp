// A server that answers every HTTP/1.1 request at once with a fixed 2-byte body: the cheapest
// possible target, so a side-by-side run measures the load generators, not the server.
// With --json-items N the body is {"rows":"N","items":[0,1,...,N-1]} instead: still one send from a
// prebuilt buffer for the server, but a JSON check on it costs the generator a parse per response,
// so the generator, not the server, is the bottleneck (tests/integration/find_limit_test.cpp).
// Usage: perfgate_instant_server PORT [--json-items N]
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

#include "epoll_server.h"

using namespace perfgate;

namespace {

std::string json_response(int items) {
  std::string body = "{\"rows\":\"" + std::to_string(items) + "\",\"items\":[";
  for (int i = 0; i < items; ++i) body.append(i > 0 ? "," : "").append(std::to_string(i));
  body += "]}";
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: application/json\r\n\r\n" + body;
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = argc == 4 && std::strcmp(argv[2], "--json-items") == 0;
  if (argc != 2 && !json) {
    std::fprintf(stderr, "usage: %s PORT [--json-items N]\n", argv[0]);
    return 2;
  }
  // A JSON body stays under the default 16 KiB socket send buffer, so one send always takes it whole.
  const std::string response =
      json ? json_response(std::clamp(std::atoi(argv[3]), 1, 2000)) : std::string(bench::kOkResponse);
  const bench::EpollListener server = bench::listen_on_loopback(std::atoi(argv[1]));
  if (server.listener < 0) return 3;
  const int listener = server.listener;
  const int ep = server.epoll;
  std::unordered_map<int, std::string> pending;
  std::string out;
  epoll_event events[256];
  char buf[65536];
  while (true) {
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        bench::accept_all(server, [](int) {});
        continue;
      }
      const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) {
        pending.erase(fd);
        ::close(fd);
        continue;
      }
      const int requests = bench::count_requests(pending[fd], buf, static_cast<size_t>(got));
      out.clear();
      for (int r = 0; r < requests; ++r) out += response;
      if (!out.empty()) ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
  }
}
