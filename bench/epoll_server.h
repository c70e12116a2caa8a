#pragma once
// What the bench target servers (instant_server, delay_server, sse_server) share: a non-blocking
// loopback listener in an epoll set, accepting every waiting connection, and counting the bodiless
// requests in what a connection sent. Header-only; bench/ only.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace perfgate::bench {

/// The fixed answer of every bench server: 200 with a 2-byte body.
inline constexpr char kOkResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok";

/// A listening epoll loop on 127.0.0.1:port; `listener` is -1 when bind/listen failed (reported).
struct EpollListener {
  int listener = -1;
  int epoll = -1;
};

/// Binds 127.0.0.1:`port` (SO_REUSEADDR; `backlog` pending connections, capped by the kernel's
/// net.core.somaxconn) and adds the listener to a new epoll set.
inline EpollListener listen_on_loopback(int port, int backlog = 1024) {
  EpollListener l;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, backlog) != 0) {
    std::perror("bind/listen");
    return l;
  }
  l.listener = fd;
  l.epoll = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  ::epoll_ctl(l.epoll, EPOLL_CTL_ADD, fd, &ev);
  return l;
}

/// Accepts every waiting connection (TCP_NODELAY, non-blocking, watched for input); calls
/// `on_accept(fd)` for each.
template <typename OnAccept>
void accept_all(const EpollListener& l, OnAccept&& on_accept) {
  const int one = 1;
  for (int c; (c = ::accept4(l.listener, nullptr, nullptr, SOCK_NONBLOCK)) >= 0;) {
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    epoll_event cev{};
    cev.events = EPOLLIN;
    cev.data.fd = c;
    ::epoll_ctl(l.epoll, EPOLL_CTL_ADD, c, &cev);
    on_accept(c);
  }
}

/// A CLOCK_MONOTONIC (steady_clock's clock) timerfd in the listener's epoll set: it wakes the loop at
/// a due time with microsecond precision, where epoll_wait's millisecond timeout would add its own
/// jitter of up to 1 ms. Returns the timer's descriptor.
inline int add_timer(const EpollListener& l) {
  const int timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = timer;
  ::epoll_ctl(l.epoll, EPOLL_CTL_ADD, timer, &ev);
  return timer;
}

/// Arms `timer` for the steady-clock instant `at`, or disarms it when `armed` is false.
inline void arm_timer(int timer, bool armed, std::chrono::steady_clock::time_point at) {
  itimerspec arm{};
  if (armed) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
    arm.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    arm.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    if (arm.it_value.tv_sec == 0 && arm.it_value.tv_nsec == 0) arm.it_value.tv_nsec = 1;  // 0 would disarm
  }
  ::timerfd_settime(timer, TFD_TIMER_ABSTIME, &arm, nullptr);
}

/// Consumes a fired timer's expiration count so the epoll set stops reporting it.
inline void drain_timer(int timer) {
  uint64_t expirations = 0;
  [[maybe_unused]] const ssize_t r = ::read(timer, &expirations, sizeof expirations);
}

/// Counts complete requests (GET/HEAD without bodies: each ends with an empty line) in the bytes
/// read, carrying the tail across reads in `pending`.
inline int count_requests(std::string& pending, const char* data, size_t n) {
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

}  // namespace perfgate::bench
