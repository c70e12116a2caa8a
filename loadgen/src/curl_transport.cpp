// libcurl multi-interface transport for https:// (and http:// on request). CURL handles never leave
// this file.
#include <curl/curl.h>

#include <mutex>

#include "native_transport.h"

namespace perfgate {
namespace {

using std::chrono::nanoseconds;

// curl_global_init is not thread-safe; every user in this file goes through this once.
void ensure_curl_global_init() {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Prepared {
  std::string url;
  std::string method;
  std::string body;
  curl_slist* headers = nullptr;
  long timeout_ms = 10000;
  bool head = false;
};

struct Transfer {
  CURL* easy = nullptr;
  bool busy = false;
  uint64_t tag = 0;
  MonoTime sent{0};
  int64_t body_bytes = 0;
  ResponseSink* sink = nullptr;
  Prepared once;  // the request of start_once
};

size_t on_write(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->body_bytes += static_cast<int64_t>(n);
  if (t->sink != nullptr) t->sink->on_body(std::string_view(data, n));
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->sink == nullptr) return n;
  std::string_view line(data, n);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->sink->on_header(line.substr(0, colon), value);
  return n;
}

Outcome outcome_of(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return Outcome::kOk;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      return Outcome::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return Outcome::kTimeout;
    case CURLE_SEND_ERROR:
      return Outcome::kWrite;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
      return Outcome::kParse;
    default:
      return Outcome::kRead;
  }
}

class CurlTransport final : public Transport {
 public:
  CurlTransport(std::string origin, const TransportOptions& options, const Clock& clock)
      : origin_(std::move(origin)),
        clock_(clock),
        tls_(options.tls),
        transfers_(static_cast<size_t>(options.max_connections)) {}

  ~CurlTransport() override {
    for (auto& t : transfers_) {
      if (t.easy == nullptr) continue;
      if (t.busy) curl_multi_remove_handle(multi_, t.easy);
      curl_easy_cleanup(t.easy);
    }
    for (auto& p : prepared_) curl_slist_free_all(p.headers);
    for (auto& t : transfers_) curl_slist_free_all(t.once.headers);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }

  Status init(int max_connections) {
    ensure_curl_global_init();
    multi_ = curl_multi_init();
    if (multi_ == nullptr) return internal_error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(max_connections));
    for (auto& t : transfers_) {
      t.easy = curl_easy_init();
      if (t.easy == nullptr) return internal_error("curl_easy_init failed");
      curl_easy_setopt(t.easy, CURLOPT_PRIVATE, &t);
      curl_easy_setopt(t.easy, CURLOPT_WRITEFUNCTION, on_write);
      curl_easy_setopt(t.easy, CURLOPT_WRITEDATA, &t);
      curl_easy_setopt(t.easy, CURLOPT_HEADERFUNCTION, on_header);
      curl_easy_setopt(t.easy, CURLOPT_HEADERDATA, &t);
      curl_easy_setopt(t.easy, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(t.easy, CURLOPT_TCP_NODELAY, 1L);
      if (tls_ == TlsVerification::kSkip) {
        curl_easy_setopt(t.easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(t.easy, CURLOPT_SSL_VERIFYHOST, 0L);
      }
      free_.push_back(&t);
    }
    return {};
  }

  Result<size_t> prepare(const RequestSpec& spec) override {
    Prepared p;
    build(spec, p);
    prepared_.push_back(std::move(p));
    return prepared_.size() - 1;
  }

  void start_once(const RequestSpec& spec, uint64_t tag, ResponseSink* sink) override {
    Transfer* t = free_.back();
    curl_slist_free_all(t->once.headers);
    t->once.headers = nullptr;
    build(spec, t->once);
    begin(t->once, tag, sink);
  }

  void cancel(uint64_t tag) override {
    for (auto& t : transfers_) {
      if (!t.busy || t.tag != tag) continue;
      curl_multi_remove_handle(multi_, t.easy);
      t.busy = false;
      free_.push_back(&t);
      --in_flight_;
      return;
    }
  }

  void build(const RequestSpec& spec, Prepared& p) {
    p.url = origin_ + spec.path;
    p.method = spec.method;
    p.body = spec.body;
    p.head = spec.method == "HEAD";
    p.timeout_ms = std::max<long>(1, static_cast<long>(spec.timeout.count() / 1'000'000));
    for (const auto& [name, value] : spec.headers)
      p.headers = curl_slist_append(p.headers, std::string(name).append(": ").append(value).c_str());
    // libcurl would otherwise add "Expect: 100-continue" to larger bodies and wait a round trip.
    p.headers = curl_slist_append(p.headers, "Expect:");
  }

  [[nodiscard]] bool has_capacity() const override { return !free_.empty(); }

  void start(size_t request_id, uint64_t tag, ResponseSink* sink) override { begin(prepared_[request_id], tag, sink); }

  void begin(const Prepared& p, uint64_t tag, ResponseSink* sink) {
    Transfer* t = free_.back();
    free_.pop_back();
    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, p.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p.headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p.timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOBODY, p.head ? 1L : 0L);
    if (!p.body.empty()) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, p.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(p.body.size()));
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, p.head || p.method == "GET" ? nullptr : p.method.c_str());
    t->busy = true;
    t->tag = tag;
    t->sink = sink;
    t->body_bytes = 0;
    t->sent = clock_.now();
    curl_multi_add_handle(multi_, e);
    ++in_flight_;
  }

  void poll(nanoseconds max_wait, std::vector<Completion>& out) override {
    int running = 0;
    curl_multi_perform(multi_, &running);
    if (!collect(out)) {
      const int wait_ms = static_cast<int>(std::max<int64_t>(0, max_wait.count() / 1'000'000));
      const MonoTime before = clock_.now();
      curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
      io_waited_ += clock_.now() - before;
      curl_multi_perform(multi_, &running);
      collect(out);
    }
  }

  [[nodiscard]] size_t in_flight() const override { return in_flight_; }
  [[nodiscard]] int64_t connections_opened() const override { return connections_opened_; }
  [[nodiscard]] nanoseconds io_waited() const override { return io_waited_; }

 private:
  bool collect(std::vector<Completion>& out) {
    bool any = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      Completion c;
      c.tag = t->tag;
      c.outcome = outcome_of(msg->data.result);
      long status = 0;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      long connects = 0;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &connects);
      connections_opened_ += connects;
      c.status = static_cast<int>(status);
      c.sent = t->sent;
      c.done = clock_.now();
      c.body_bytes = t->body_bytes;
      curl_multi_remove_handle(multi_, msg->easy_handle);
      t->busy = false;
      free_.push_back(t);
      --in_flight_;
      out.push_back(c);
      any = true;
    }
    return any;
  }

  std::string origin_;
  const Clock& clock_;
  TlsVerification tls_;
  CURLM* multi_ = nullptr;
  std::vector<Transfer> transfers_;
  std::vector<Transfer*> free_;
  std::vector<Prepared> prepared_;
  size_t in_flight_ = 0;
  int64_t connections_opened_ = 0;
  nanoseconds io_waited_{0};
};

}  // namespace

Result<std::unique_ptr<Transport>> make_curl_transport(const TargetUrl& target, const TransportOptions& options,
                                                       const Clock& clock) {
  auto transport = std::make_unique<CurlTransport>(target.scheme + "://" + target.host_header(), options, clock);
  if (auto st = transport->init(options.max_connections); !st) return st.error();
  return std::unique_ptr<Transport>(std::move(transport));
}

std::string explain_connect_failure(const std::string& url, TlsVerification tls, std::chrono::milliseconds timeout) {
  ensure_curl_global_init();
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return "";
  char message[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECT_ONLY, 1L);  // TCP and, for https://, the TLS handshake
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (tls == TlsVerification::kSkip) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  const CURLcode code = curl_easy_perform(easy);
  curl_easy_cleanup(easy);
  std::string detail = message[0] != '\0' ? message : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OK:
      return "";
    case CURLE_SSL_CONNECT_ERROR: {
      const bool plain = detail.find("wrong version number") != std::string::npos ||
                         detail.find("packet length too long") != std::string::npos;
      return "the TCP connection opened but the TLS handshake failed: " + detail +
             (plain ? " (is this port plain HTTP? try http://)" : "");
    }
    case CURLE_PEER_FAILED_VERIFICATION:
      return "the TLS handshake failed: the server's certificate is not trusted: " + detail +
             " (a self-signed test server needs --insecure)";
    case CURLE_COULDNT_CONNECT:
      return "the TCP connection failed: " + detail;
    case CURLE_OPERATION_TIMEDOUT:
      return "connecting timed out: " + detail;
    default:
      return detail;
  }
}

}  // namespace perfgate
