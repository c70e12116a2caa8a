// A server that answers every HTTP/1.1 request at once with a fixed 2-byte body: the cheapest
// possible target, so a side-by-side run measures the load generators, not the server.
// Usage: perfgate_instant_server PORT
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>

#include "epoll_server.h"

using namespace perfgate;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
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
      for (int r = 0; r < requests; ++r) out.append(bench::kOkResponse, sizeof bench::kOkResponse - 1);
      if (!out.empty()) ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    }
  }
}
