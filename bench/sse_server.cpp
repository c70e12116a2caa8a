// A Server-Sent Events server from one epoll loop that holds tens of thousands of open streams: the
// target of bench/sse_streams.sh and of the many-streams test. Every request (any path) gets a
// text/event-stream response whose body is an event at once and then one every --interval-ms; after
// --duration-s it sends a final `event: done` and closes the connection (the body is
// close-delimited). Each stream keeps its own schedule, counted from its request.
// On SIGTERM/SIGINT it prints one line to stdout: streams served, events sent, and how late its
// worst event left (so a gap the client measures can be told apart from a server that fell behind).
// Usage: perfgate_sse_server PORT --interval-ms N --duration-s D [--payload BYTES]
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <queue>
#include <string>
#include <vector>

#include "epoll_server.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kHeaders[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
// A client that stops reading is dropped once this much is queued for it, so it cannot grow the server.
constexpr size_t kMaxQueuedBytes = 1 << 20;

struct Due {
  Clock::time_point at;
  int fd;
  unsigned generation;
  bool operator>(const Due& other) const { return at > other.at; }
};

struct Stream {
  bool open = false;
  bool streaming = false;    // the request arrived; events are scheduled
  bool wants_write = false;  // EPOLLOUT registered: `out` holds unsent bytes
  unsigned generation = 0;
  int64_t seq = 0;
  Clock::time_point start{};
  std::string request;  // request bytes until the blank line
  std::string out;
};

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) { stop_requested = 1; }

// Every stream is a descriptor; the usual soft limit of 1024 would refuse the connections that
// this server exists to hold.
rlim_t raise_descriptor_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace

using namespace perfgate;

int main(int argc, char** argv) {
  long interval_ms = -1;
  double duration_s = -1;
  long payload = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--interval-ms") == 0)
      interval_ms = std::atol(argv[i + 1]);
    else if (std::strcmp(argv[i], "--duration-s") == 0)
      duration_s = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--payload") == 0)
      payload = std::atol(argv[i + 1]);
  }
  if (argc < 6 || argc % 2 != 0 || interval_ms <= 0 || !(duration_s > 0) || payload < 0 || payload > 65536) {
    std::fprintf(stderr,
                 "usage: %s PORT --interval-ms N --duration-s D [--payload BYTES]\n"
                 "  N > 0, D > 0, 0 <= BYTES <= 65536\n",
                 argv[0]);
    return 2;
  }
  const auto interval = std::chrono::milliseconds(interval_ms);
  const auto duration = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration_s));
  const std::string padding(static_cast<size_t>(payload), 'x');
  const rlim_t descriptors = raise_descriptor_limit();
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  // A burst of thousands of connects overflows a 1024-entry accept queue; the dropped SYNs are
  // retried a second later and would show up as the client's time to first event.
  const bench::EpollListener server = bench::listen_on_loopback(std::atoi(argv[1]), 65535);
  if (server.listener < 0) return 3;
  const int listener = server.listener;
  const int ep = server.epoll;
  const int timer = bench::add_timer(server);

  std::vector<Stream> streams(static_cast<size_t>(descriptors));
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  unsigned next_generation = 0;
  int64_t served = 0;
  int64_t events_sent = 0;
  int64_t dropped = 0;
  Clock::duration worst_lateness{0};

  const auto set_write_interest = [&](int fd, bool want) {
    Stream& s = streams[static_cast<size_t>(fd)];
    if (s.wants_write == want) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
    ev.data.fd = fd;
    ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
    s.wants_write = want;
  };
  const auto close_stream = [&](int fd) {
    Stream& s = streams[static_cast<size_t>(fd)];
    s.open = false;
    s.streaming = false;
    s.wants_write = false;
    s.request.clear();
    s.request.shrink_to_fit();
    s.out.clear();
    s.out.shrink_to_fit();
    ::close(fd);
  };
  // Sends what is queued for `fd` and then `bytes`; the rest waits for EPOLLOUT. False: dropped.
  const auto send_or_queue = [&](int fd, const std::string& bytes) {
    Stream& s = streams[static_cast<size_t>(fd)];
    s.out += bytes;
    size_t sent = 0;
    while (sent < s.out.size()) {
      const ssize_t n = ::send(fd, s.out.data() + sent, s.out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      close_stream(fd);
      return false;
    }
    s.out.erase(0, sent);
    if (s.out.size() > kMaxQueuedBytes) {
      ++dropped;
      close_stream(fd);
      return false;
    }
    set_write_interest(fd, !s.out.empty());
    return true;
  };
  std::string event;
  const auto send_event = [&](int fd, Clock::time_point now) {
    Stream& s = streams[static_cast<size_t>(fd)];
    const bool last = now - s.start >= duration;
    const double progress = last ? 100.0 : 100.0 * std::chrono::duration<double>(now - s.start).count() / duration_s;
    char head[96];
    std::snprintf(head, sizeof head, "%sid: %lld\ndata: {\"seq\":%lld,\"progress\":%.1f", last ? "event: done\n" : "",
                  static_cast<long long>(s.seq), static_cast<long long>(s.seq), std::min(progress, 100.0));
    event.assign(head);
    if (!padding.empty()) event.append(",\"pad\":\"").append(padding).append("\"");
    event.append("}\n\n");
    ++s.seq;
    ++events_sent;
    if (!send_or_queue(fd, event)) return;
    if (!last) {
      // The next event keeps the stream's own cadence (start + k * interval), so one late wake-up
      // does not shift every later event; the last one is due exactly `duration` after the start.
      const Clock::time_point next = std::min(s.start + interval * s.seq, s.start + duration);
      due.push(Due{next, fd, s.generation});
      return;
    }
    if (s.out.empty()) {
      close_stream(fd);
    } else {
      s.streaming = false;  // closed once the queue drains
    }
  };

  epoll_event events[256];
  char buf[16384];
  while (stop_requested == 0) {
    bench::arm_timer(timer, !due.empty(), due.empty() ? Clock::time_point{} : due.top().at);
    const int n = ::epoll_wait(ep, events, 256, -1);
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == timer) {
        bench::drain_timer(timer);
        continue;
      }
      if (fd == listener) {
        bench::accept_all(server, [&](int c) {
          Stream& s = streams[static_cast<size_t>(c)];
          s = Stream{};
          s.open = true;
          s.generation = ++next_generation;
        });
        continue;
      }
      Stream& s = streams[static_cast<size_t>(fd)];
      if (!s.open) continue;
      if ((events[i].events & EPOLLOUT) != 0 && !s.out.empty()) {
        if (!send_or_queue(fd, std::string())) continue;
        if (s.out.empty() && !s.streaming && s.seq > 0) {
          close_stream(fd);
          continue;
        }
      }
      if ((events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0) continue;
      const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
        close_stream(fd);
        continue;
      }
      if (got < 0 || s.streaming) continue;  // a stream's later bytes from the client are ignored
      if (bench::count_requests(s.request, buf, static_cast<size_t>(got)) == 0) continue;
      s.streaming = true;
      s.start = Clock::now();
      s.request.clear();
      s.request.shrink_to_fit();
      ++served;
      if (send_or_queue(fd, kHeaders)) send_event(fd, s.start);
    }
    for (const auto now = Clock::now(); !due.empty() && due.top().at <= now;) {
      const Due d = due.top();
      due.pop();
      const Stream& s = streams[static_cast<size_t>(d.fd)];
      // A closed (and possibly reused) descriptor must not get another stream's events.
      if (!s.open || s.generation != d.generation || !s.streaming) continue;
      worst_lateness = std::max(worst_lateness, now - d.at);
      send_event(d.fd, now);
    }
  }
  std::printf("sse_server: streams %lld events %lld dropped %lld worst_lateness_ms %.1f\n",
              static_cast<long long>(served), static_cast<long long>(events_sent), static_cast<long long>(dropped),
              std::chrono::duration<double, std::milli>(worst_lateness).count());
  return 0;
}
