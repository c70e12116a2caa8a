#include "loadgen/support/test_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <queue>
#include <vector>

namespace perfgate::testing {
namespace {

struct Conn {
  std::string in;
  std::string out;  // response waiting for its time
  size_t out_pos = 0;
  uint64_t generation = 0;
};

struct Timer {
  MonoTime at;
  int fd;
  uint64_t generation;
  bool operator>(const Timer& o) const { return at > o.at; }
};

MonoTime now() { return SteadyClock::instance().now(); }

// Length of the first complete request in `in` (headers + Content-Length body), or 0.
size_t complete_request(const std::string& in) {
  const size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  size_t length = 0;
  const std::string headers = in.substr(0, end);
  for (const char* key : {"Content-Length:", "content-length:"}) {
    const size_t at = headers.find(key);
    if (at != std::string::npos) length = std::stoul(headers.substr(at + std::strlen(key)));
  }
  return in.size() >= end + 4 + length ? end + 4 + length : 0;
}

}  // namespace

int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

Result<std::unique_ptr<TestServer>> TestServer::start(const TestServerOptions& options) {
  std::unique_ptr<TestServer> s(new TestServer(options));
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(s->listen_fd_, 4096) != 0) {
    return internal_error(std::string("test server: bind/listen: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  s->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  s->wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = s->listen_fd_;
  ::epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, s->listen_fd_, &ev);
  ev.data.fd = s->wake_fd_;
  ::epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, s->wake_fd_, &ev);
  s->epoch_ = now();
  s->thread_ = std::thread([raw = s.get()] { raw->loop(); });
  return s;
}

TestServer::~TestServer() {
  stop_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(epoll_fd_);
  ::close(wake_fd_);
}

std::string TestServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void TestServer::loop() {
  std::map<int, Conn> conns;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::vector<epoll_event> events(512);
  uint64_t generation = 0;
  int64_t served = 0;
  char buf[65536];

  auto close_conn = [&](int fd, bool reset) {
    if (reset) {
      linger l{1, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd);
    conns.erase(fd);
  };
  auto respond_at = [&](int fd, Conn& c) {
    std::string body = options_.body;
    std::string head = "HTTP/1.1 " + std::to_string(options_.status) + " X\r\n";
    if (options_.close_after_response) head += "Connection: close\r\n";
    if (options_.chunked) {
      head += "Transfer-Encoding: chunked\r\n\r\n";
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", body.size());
      body = (body.empty() ? "" : size + body + "\r\n") + "0\r\n\r\n";
    } else {
      head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    }
    c.out = head + body;
    c.out_pos = 0;
    MonoTime ready = now() + options_.delay;
    if (options_.stall_period.count() > 0) {
      const auto offset = (ready - epoch_) % options_.stall_period;
      if (offset < options_.stall_duration) ready += options_.stall_duration - offset;
    }
    c.generation = ++generation;
    timers.push(Timer{ready, fd, c.generation});
  };

  while (!stop_) {
    auto wait = std::chrono::nanoseconds(std::chrono::milliseconds(100));
    if (!timers.empty()) wait = std::max(std::chrono::nanoseconds{0}, std::min(wait, timers.top().at - now()));
    timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000), static_cast<long>(wait.count() % 1'000'000'000)};
    const int n = ::epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<size_t>(i)].data.fd;
      if (fd == wake_fd_) continue;
      if (fd == listen_fd_) {
        while (true) {
          const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          const int one = 1;
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event ev{};
          ev.events = EPOLLIN;
          ev.data.fd = c;
          ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c, &ev);
          conns[c];
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      const ssize_t got = ::recv(fd, buf, sizeof buf, 0);
      if (got <= 0) {
        if (got < 0 && errno == EAGAIN) continue;
        close_conn(fd, false);
        continue;
      }
      Conn& c = it->second;
      c.in.append(buf, static_cast<size_t>(got));
      const size_t used = complete_request(c.in);
      if (used == 0) continue;
      c.in.erase(0, used);
      ++served;
      ++requests_;
      if (options_.reset_every > 0 && served % options_.reset_every == 0) {
        close_conn(fd, true);
        continue;
      }
      respond_at(fd, c);
    }
    const MonoTime t = now();
    while (!timers.empty() && timers.top().at <= t) {
      const Timer timer = timers.top();
      timers.pop();
      auto it = conns.find(timer.fd);
      if (it == conns.end() || it->second.generation != timer.generation) continue;
      Conn& c = it->second;
      const bool trickle = options_.trickle_interval.count() > 0;
      const size_t chunk = trickle ? 1 : c.out.size() - c.out_pos;
      const ssize_t sent = ::send(timer.fd, c.out.data() + c.out_pos, chunk, MSG_NOSIGNAL);
      if (sent < 0) {
        close_conn(timer.fd, false);
        continue;
      }
      c.out_pos += static_cast<size_t>(sent);
      if (c.out_pos < c.out.size()) {
        timers.push(Timer{t + (trickle ? options_.trickle_interval : std::chrono::microseconds(100)), timer.fd,
                          timer.generation});
      } else if (options_.close_after_response) {
        close_conn(timer.fd, false);
      }
    }
  }
  for (auto& [fd, c] : conns) ::close(fd);
}

}  // namespace perfgate::testing
