// A server that answers every HTTP/1.1 request with a 2-byte body after a fixed delay, from one
// epoll loop: the target of bench/gate_false_alarm.sh, where only the delay differs between the
// "A" and the "B" server and the machine supplies the jitter.
// With --workers N it is a server of known capacity: at most N requests are in service at once, each
// for the delay, the rest wait in a FIFO queue, so it sustains N / delay requests per second and no
// more (bench/find_limit.sh). Queued requests of a closed connection are dropped unserved.
// Usage: perfgate_delay_server PORT --delay-ms MS [--workers N]   (MS may be fractional: 9.6)
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "epoll_server.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Due {
  Clock::time_point at;
  int fd;
  unsigned generation;
  bool operator>(const Due& other) const { return at > other.at; }
};

struct Connection {
  std::string pending;
  unsigned generation = 0;
};

}  // namespace

using namespace perfgate;

int main(int argc, char** argv) {
  const bool pooled = argc == 6 && std::strcmp(argv[4], "--workers") == 0;
  if ((argc != 4 && !pooled) || std::strcmp(argv[2], "--delay-ms") != 0) {
    std::fprintf(stderr, "usage: %s PORT --delay-ms MS [--workers N]\n", argv[0]);
    return 2;
  }
  const long workers = pooled ? std::atol(argv[5]) : 0;
  if (pooled && workers <= 0) {
    std::fprintf(stderr, "--workers: must be > 0 (got %s)\n", argv[5]);
    return 2;
  }
  const double delay_ms = std::atof(argv[3]);
  if (!(delay_ms >= 0)) {
    std::fprintf(stderr, "--delay-ms: must be >= 0 (got %s)\n", argv[3]);
    return 2;
  }
  const auto delay = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double, std::milli>(delay_ms));
  const bench::EpollListener server = bench::listen_on_loopback(std::atoi(argv[1]));
  if (server.listener < 0) return 3;
  const int listener = server.listener;
  const int ep = server.epoll;
  const int timer = bench::add_timer(server);
  std::unordered_map<int, Connection> conns;
  // Responses are due in arrival order plus a constant, so a min-heap on the due time keeps each
  // connection's answers in request order.
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  // --workers: requests waiting for a free worker, oldest first, and how many workers are busy.
  std::deque<Due> waiting;
  long busy = 0;
  const auto is_open = [&conns](const Due& d) {
    const auto it = conns.find(d.fd);
    return it != conns.end() && it->second.generation == d.generation;
  };
  unsigned next_generation = 0;
  epoll_event events[256];
  char buf[65536];
  while (true) {
    bench::arm_timer(timer, !due.empty(), due.empty() ? Clock::time_point{} : due.top().at);
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == timer) {
        bench::drain_timer(timer);
        continue;
      }
      if (fd == listener) {
        bench::accept_all(server, [&](int c) { conns[c].generation = ++next_generation; });
        continue;
      }
      const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) {
        conns.erase(fd);
        ::close(fd);
        continue;
      }
      Connection& c = conns[fd];
      const int requests = bench::count_requests(c.pending, buf, static_cast<size_t>(got));
      const auto at = Clock::now() + delay;
      for (int r = 0; r < requests; ++r) {
        if (pooled)
          waiting.push_back(Due{at, fd, c.generation});
        else
          due.push(Due{at, fd, c.generation});
      }
    }
    for (const auto now = Clock::now(); !due.empty() && due.top().at <= now; due.pop()) {
      const Due d = due.top();
      if (pooled) --busy;
      // A closed (and possibly reused) descriptor must not get another connection's answer.
      if (!is_open(d)) continue;
      ::send(d.fd, bench::kOkResponse, sizeof bench::kOkResponse - 1, MSG_NOSIGNAL);
    }
    // Service starts when a worker frees, not when the request arrived: that is what caps the rate.
    // Workers free in start order, so a connection's answers still leave in request order.
    for (const auto now = Clock::now(); pooled && busy < workers && !waiting.empty(); waiting.pop_front()) {
      Due d = waiting.front();
      if (!is_open(d)) continue;
      d.at = now + delay;
      due.push(d);
      ++busy;
    }
  }
}
