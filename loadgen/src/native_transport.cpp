#include "native_transport.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>

namespace perfgate {
namespace {

using std::chrono::nanoseconds;

struct Prepared {
  std::string bytes;
  nanoseconds timeout{0};
  BodyExpectation expectation = BodyExpectation::kPerHeaders;
};

constexpr size_t kOnce = static_cast<size_t>(-1);  // Connection::request of a start_once request

struct Connection {
  Prepared once;  // the request of start_once
  enum class State { kClosed, kConnecting, kIdle, kSending, kReceiving };
  State state = State::kClosed;
  int fd = -1;
  bool reused = false;       // carried a response before this request
  bool retried = false;      // already re-sent once after a stale keep-alive connection
  bool wants_write = false;  // EPOLLOUT is registered
  size_t request = 0;
  size_t bytes_sent = 0;
  uint64_t tag = 0;
  ResponseSink* sink = nullptr;
  MonoTime sent{0};
  MonoTime deadline{0};
  HttpResponseParser parser;
};

class NativeTransport final : public Transport {
 public:
  NativeTransport(sockaddr_storage address, socklen_t address_length, const TransportOptions& options,
                  const Clock& clock)
      : address_(address),
        address_length_(address_length),
        clock_(clock),
        connections_(static_cast<size_t>(options.max_connections)) {
    for (size_t i = connections_.size(); i-- > 0;) closed_.push_back(i);
    idle_.reserve(connections_.size());
    events_.resize(std::min<size_t>(connections_.size(), 256));
  }

  ~NativeTransport() override {
    for (auto& c : connections_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  Status init() {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return internal_error(std::string("epoll_create1: ") + std::strerror(errno));
    return {};
  }

  Result<size_t> prepare(const RequestSpec& spec) override {
    Prepared p;
    build(spec, p);
    prepared_.push_back(std::move(p));
    return prepared_.size() - 1;
  }

  void start_once(const RequestSpec& spec, uint64_t tag, ResponseSink* sink) override {
    // The connection that takes the request is not known yet; build into scratch space whose
    // capacity survives between iterations, then hand it over by swap.
    build(spec, once_);
    const size_t index = take_connection();
    std::swap(connections_[index].once, once_);
    begin(index, kOnce, tag, sink);
  }

  void cancel(uint64_t tag) override {
    // By tag, not by a scan: with thousands of streams open, a scan per cancel is quadratic.
    if (tag >= by_tag_.size()) return;
    const size_t i = by_tag_[tag];
    Connection& c = connections_[i];
    if (c.tag != tag || c.state == Connection::State::kClosed || c.state == Connection::State::kIdle) return;
    close_connection(i);
    closed_.push_back(i);
    --in_flight_;
  }

  void build(const RequestSpec& spec, Prepared& p) {
    p.bytes.clear();
    p.bytes.append(spec.method).append(" ").append(spec.path).append(" HTTP/1.1\r\n");
    bool has_host = false;
    for (const auto& [name, value] : spec.headers) {
      if (strcasecmp(name.c_str(), "host") == 0) has_host = true;
      p.bytes.append(name).append(": ").append(value).append("\r\n");
    }
    if (!has_host) p.bytes += "Host: " + host_header_ + "\r\n";
    if (!spec.body.empty() || spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH") {
      p.bytes += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n";
    }
    p.bytes += "\r\n";
    p.bytes += spec.body;
    p.timeout = spec.timeout;
    p.expectation = spec.method == "HEAD" ? BodyExpectation::kNone : BodyExpectation::kPerHeaders;
  }

  void set_host_header(std::string host) { host_header_ = std::move(host); }

  [[nodiscard]] bool has_capacity() const override { return !idle_.empty() || !closed_.empty(); }

  void start(size_t request_id, uint64_t tag, ResponseSink* sink) override {
    begin(take_connection(), request_id, tag, sink);
  }

  size_t take_connection() {
    size_t index;
    // Reuse a warm keep-alive connection before opening a new one: no handshake, fewer syscalls.
    if (!idle_.empty()) {
      index = idle_.back();
      idle_.pop_back();
    } else {
      index = closed_.back();
      closed_.pop_back();
    }
    return index;
  }

  void begin(size_t index, size_t request_id, uint64_t tag, ResponseSink* sink) {
    const MonoTime now = clock_.now();
    Connection& c = connections_[index];
    c.request = request_id;
    c.tag = tag;
    if (tag >= by_tag_.size()) by_tag_.resize(tag + 1);
    by_tag_[tag] = index;
    c.sink = sink;
    c.sent = now;
    c.deadline = now + request_of(c).timeout;
    c.retried = false;
    c.bytes_sent = 0;
    c.parser.reset(request_of(c).expectation, sink);
    ++in_flight_;
    next_deadline_ = std::min(next_deadline_, c.deadline);
    if (c.state == Connection::State::kIdle) {
      c.reused = true;
      c.state = Connection::State::kSending;
      send_request(index);
    } else {
      open_connection(index);
    }
  }

  void poll(nanoseconds max_wait, std::vector<Completion>& out) override {
    out_ = &out;
    if (!early_.empty()) {
      out.insert(out.end(), early_.begin(), early_.end());
      early_.clear();
      max_wait = nanoseconds{0};
    }
    MonoTime now = clock_.now();
    if (in_flight_ > 0 && next_deadline_ - now < max_wait) max_wait = std::max(nanoseconds{0}, next_deadline_ - now);
    timespec ts{static_cast<time_t>(max_wait.count() / 1'000'000'000),
                static_cast<long>(max_wait.count() % 1'000'000'000)};
    // epoll_pwait2 takes nanoseconds: epoll_wait's millisecond timeout would make sends up to 1 ms
    // late, and that lateness is exactly what the open model is trying not to add to latencies.
    const MonoTime before = clock_.now();
    const int n = ::epoll_pwait2(epoll_fd_, events_.data(), static_cast<int>(events_.size()), &ts, nullptr);
    io_waited_ += clock_.now() - before;
    for (int i = 0; i < n; ++i)
      on_event(events_[static_cast<size_t>(i)].data.u32, events_[static_cast<size_t>(i)].events);
    now = clock_.now();
    if (in_flight_ > 0 && now >= next_deadline_) expire(now);
    out_ = nullptr;
  }

  [[nodiscard]] size_t in_flight() const override { return in_flight_; }
  [[nodiscard]] int64_t connections_opened() const override { return connections_opened_; }
  [[nodiscard]] nanoseconds io_waited() const override { return io_waited_; }

 private:
  const Prepared& request_of(const Connection& c) const { return c.request == kOnce ? c.once : prepared_[c.request]; }

  void open_connection(size_t index) {
    Connection& c = connections_[index];
    c.reused = false;
    c.fd = ::socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      finish(index, Outcome::kConnect);
      return;
    }
    ++connections_opened_;
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), address_length_);
    if (rc != 0 && errno != EINPROGRESS) {
      finish(index, Outcome::kConnect);
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = static_cast<uint32_t>(index);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev);
    c.wants_write = true;
    c.state = Connection::State::kConnecting;
  }

  void set_write_interest(size_t index, bool want) {
    Connection& c = connections_[index];
    if (c.wants_write == want) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
    ev.data.u32 = static_cast<uint32_t>(index);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.wants_write = want;
  }

  void send_request(size_t index) {
    Connection& c = connections_[index];
    const std::string& bytes = request_of(c).bytes;
    while (c.bytes_sent < bytes.size()) {
      const ssize_t n = ::send(c.fd, bytes.data() + c.bytes_sent, bytes.size() - c.bytes_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.bytes_sent += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        set_write_interest(index, true);
        return;
      }
      fail_io(index, Outcome::kWrite);
      return;
    }
    set_write_interest(index, false);
    c.state = Connection::State::kReceiving;
  }

  void on_event(uint32_t index, uint32_t events) {
    Connection& c = connections_[index];
    switch (c.state) {
      case Connection::State::kConnecting: {
        int error = 0;
        socklen_t len = sizeof error;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
        if (error != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
          finish(index, Outcome::kConnect);
          return;
        }
        if ((events & EPOLLOUT) == 0) return;
        c.state = Connection::State::kSending;
        send_request(index);
        return;
      }
      case Connection::State::kSending:
        if ((events & EPOLLOUT) != 0) send_request(index);
        if (c.state == Connection::State::kSending && (events & (EPOLLERR | EPOLLHUP)) != 0) {
          fail_io(index, Outcome::kWrite);
        }
        return;
      case Connection::State::kReceiving:
        receive(index);
        return;
      case Connection::State::kIdle:
        // The server closed (or wrote to) a connection we were not using: drop it now rather than
        // discovering it on the next request.
        close_connection(index);
        closed_.push_back(index);
        remove_idle(index);
        return;
      case Connection::State::kClosed:
        return;
    }
  }

  void receive(size_t index) {
    Connection& c = connections_[index];
    // One fixed buffer per transport: the parser is incremental and keeps its own line state, so
    // nothing of a response outlives the read that delivered it.
    const ssize_t n = ::recv(c.fd, buffer_.data(), buffer_.size(), 0);
    if (n > 0) {
      const size_t used = c.parser.feed(buffer_.data(), static_cast<size_t>(n));
      if (c.parser.state() == HttpResponseParser::State::kComplete) {
        // Bytes beyond the response were never asked for (no pipelining): the connection's framing
        // can no longer be trusted, so it is not reused.
        finish(index, Outcome::kOk, used < static_cast<size_t>(n) ? Reuse::kNever : Reuse::kIfKeepAlive);
      } else if (c.parser.state() == HttpResponseParser::State::kError) {
        finish(index, Outcome::kParse);
      }
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n == 0) {
      const auto state = c.parser.on_eof();
      if (state == HttpResponseParser::State::kComplete) {
        finish(index, Outcome::kOk);
        return;
      }
      if (c.parser.started()) {
        finish(index, Outcome::kRead);
        return;
      }
    }
    fail_io(index, Outcome::kRead);
  }

  // A keep-alive connection the server closed while idle fails the next request before any byte
  // of response arrives; that is the connection's age, not the server's answer, so send once more
  // on a fresh connection (the send time, and so the latency, keeps counting from the first try).
  void fail_io(size_t index, Outcome outcome) {
    Connection& c = connections_[index];
    if (c.reused && !c.retried && !c.parser.started()) {
      close_connection(index);
      c.bytes_sent = 0;
      c.parser.reset(request_of(c).expectation, c.sink);
      open_connection(index);
      c.retried = true;
      return;
    }
    finish(index, outcome);
  }

  enum class Reuse { kIfKeepAlive, kNever };

  void finish(size_t index, Outcome outcome, Reuse reuse = Reuse::kIfKeepAlive) {
    Connection& c = connections_[index];
    Completion done;
    done.tag = c.tag;
    done.outcome = outcome;
    done.status = c.parser.status();
    done.sent = c.sent;
    done.done = clock_.now();
    done.body_bytes = c.parser.body_bytes();
    if (outcome == Outcome::kOk && c.parser.keep_alive() && reuse == Reuse::kIfKeepAlive) {
      c.state = Connection::State::kIdle;
      idle_.push_back(index);
    } else {
      close_connection(index);
      closed_.push_back(index);
    }
    --in_flight_;
    if (out_ != nullptr)
      out_->push_back(done);
    else
      early_.push_back(done);
  }

  void close_connection(size_t index) {
    Connection& c = connections_[index];
    if (c.fd >= 0) ::close(c.fd);  // close() also removes it from the epoll set
    c.fd = -1;
    c.wants_write = false;
    c.state = Connection::State::kClosed;
  }

  void remove_idle(size_t index) {
    for (size_t i = 0; i < idle_.size(); ++i) {
      if (idle_[i] == index) {
        idle_[i] = idle_.back();
        idle_.pop_back();
        return;
      }
    }
  }

  // A linear scan is cheaper than a timer heap here: it runs only when the earliest deadline has
  // passed, and the pool is bounded.
  void expire(MonoTime now) {
    next_deadline_ = MonoTime::max();
    for (size_t i = 0; i < connections_.size(); ++i) {
      Connection& c = connections_[i];
      if (c.state == Connection::State::kClosed || c.state == Connection::State::kIdle) continue;
      if (c.deadline <= now) {
        finish(i, Outcome::kTimeout);
      } else {
        next_deadline_ = std::min(next_deadline_, c.deadline);
      }
    }
  }

 private:
  sockaddr_storage address_;
  socklen_t address_length_;
  const Clock& clock_;
  std::string host_header_;
  std::vector<Connection> connections_;
  std::vector<size_t> idle_;
  std::vector<size_t> closed_;
  std::vector<size_t> by_tag_;  // tag -> the connection that last took a request with it
  std::vector<Prepared> prepared_;
  Prepared once_;
  std::vector<epoll_event> events_;
  std::vector<Completion> early_;  // completions found inside start(), reported by the next poll
  std::vector<Completion>* out_ = nullptr;
  std::array<char, 65536> buffer_{};
  int epoll_fd_ = -1;
  size_t in_flight_ = 0;
  int64_t connections_opened_ = 0;
  nanoseconds io_waited_{0};
  MonoTime next_deadline_ = MonoTime::max();
};

}  // namespace

Result<std::unique_ptr<Transport>> make_native_transport(const TargetUrl& target, const TransportOptions& options,
                                                         const Clock& clock) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(target.port);
  const int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return unavailable("target host '" + target.host + "': cannot resolve: " + ::gai_strerror(rc));
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  const auto length = static_cast<socklen_t>(found->ai_addrlen);
  ::freeaddrinfo(found);
  auto transport = std::make_unique<NativeTransport>(address, length, options, clock);
  transport->set_host_header(target.host_header());
  if (auto st = transport->init(); !st) return st.error();
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace perfgate
