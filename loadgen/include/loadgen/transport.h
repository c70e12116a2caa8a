#pragma once
// The transport seam: how a worker sends requests and learns how they ended. One Transport per
// worker thread, driven by that thread alone. Plain http:// uses a native epoll HTTP/1.1 client;
// https:// uses libcurl's multi interface behind the same interface.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "core/run_result.h"
#include "loadgen/http_response_parser.h"

namespace perfgate {

/// Scheme, host and port of a target plus an optional path prefix, parsed from "http(s)://host[:port][/prefix]".
struct TargetUrl {
  std::string scheme;  ///< "http" or "https"
  std::string host;
  int port = 0;
  std::string path_prefix;  ///< "" or "/api" (no trailing slash)

  /// Parses a base URL; errors (kInvalidInput) name the URL and what is wrong.
  static Result<TargetUrl> parse(const std::string& url);
  /// "host" or "host:port" as sent in the Host header (port omitted when it is the scheme's default).
  [[nodiscard]] std::string host_header() const;
  /// "scheme://host:port" without credentials or path.
  [[nodiscard]] std::string origin() const;
};

/// One request a transport can send many times; compiled once at setup with Transport::prepare.
struct RequestSpec {
  std::string method = "GET";
  std::string path = "/";  ///< path and query, already joined with the target's prefix
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};  ///< from send to complete response
};

/// How one request ended, as the transport saw it. `outcome` is kOk for any complete response;
/// the caller judges the status code.
struct Completion {
  uint64_t tag = 0;  ///< the caller's tag from Transport::start
  Outcome outcome = Outcome::kOk;
  int status = 0;    ///< HTTP status, 0 when no response
  MonoTime sent{0};  ///< when the request started (connection wait already over)
  MonoTime done{0};  ///< when the response completed or the failure was detected
  int64_t body_bytes = 0;
};

/// Whether an https:// transport checks the server's certificate chain and host name.
enum class TlsVerification {
  kVerify,  ///< the default: a certificate the system does not trust fails the request (counted as connect)
  kSkip,    ///< accept any certificate (`perfgate run --insecure`: self-signed test servers)
};

/// Limits of a transport.
struct TransportOptions {
  int max_connections = 64;                        ///< keep-alive pool bound for this transport (>= 1)
  TlsVerification tls = TlsVerification::kVerify;  ///< https:// only; the native client ignores it
};

/// Sends requests without blocking and reports completions. Not thread-safe: owned and driven by
/// one worker thread. Destroying it closes every connection and abandons requests in flight.
class Transport {
 public:
  virtual ~Transport() = default;

  /// Compiles a request for repeated sending; returns its id for `start`. Call before any `start`.
  virtual Result<size_t> prepare(const RequestSpec& spec) = 0;

  /// Whether `start` can send now: a connection is idle or another may be opened within the bound.
  [[nodiscard]] virtual bool has_capacity() const = 0;

  /// Starts request `request_id` (from prepare) tagged `tag`; requires has_capacity(). `sink`
  /// (optional, not owned) receives the response's headers and body and must live until completion.
  /// Failures are reported as completions, never returned.
  virtual void start(size_t request_id, uint64_t tag, ResponseSink* sink = nullptr) = 0;

  /// Sends `spec` once (a request rendered per flow iteration), otherwise as `start`; requires
  /// has_capacity(). The spec is copied before the call returns.
  virtual void start_once(const RequestSpec& spec, uint64_t tag, ResponseSink* sink = nullptr) = 0;

  /// Abandons the request tagged `tag` (a stream cancelled mid-way): closes its connection, which
  /// the server sees, and reports no completion for it. An unknown tag is ignored.
  virtual void cancel(uint64_t tag) = 0;

  /// Waits up to `max_wait` for I/O, then appends every finished request to `out` (timeouts
  /// included). Returns early when something completed.
  virtual void poll(std::chrono::nanoseconds max_wait, std::vector<Completion>& out) = 0;

  /// Requests started and not yet completed.
  [[nodiscard]] virtual size_t in_flight() const = 0;

  /// TCP connections opened so far (reconnects included).
  [[nodiscard]] virtual int64_t connections_opened() const = 0;

  /// Time spent blocked in the OS waiting for I/O inside `poll` so far (cumulative, >= 0): the
  /// rest of a worker's time it was busy or waiting for a CPU.
  [[nodiscard]] virtual std::chrono::nanoseconds io_waited() const = 0;
};

/// Which implementation to use.
enum class TransportKind {
  kAuto,    ///< native client for http://, libcurl for https://
  kNative,  ///< native epoll client (http:// only)
  kCurl,    ///< libcurl multi interface (http:// and https://)
};

/// Creates a transport to `target`. `clock` (not owned) stamps send and done times and must outlive
/// it. Errors: kUnavailable when the host cannot be resolved (names under `.invalid` fail without a
/// query, RFC 6761); kInvalidInput when the kind does not fit the scheme; kInternal when epoll or
/// libcurl cannot be initialised.
Result<std::unique_ptr<Transport>> make_transport(const TargetUrl& target, TransportKind kind,
                                                  const TransportOptions& options, const Clock& clock);

/// After every request failed to connect: opens one connection to `url` (an https:// handshake
/// included) to say at which stage it fails, e.g. "the TLS handshake failed: ... wrong version
/// number (is this port plain HTTP? try http://)". Returns "" when it connects now. Blocks up to
/// `timeout`; one connection, no request sent.
std::string explain_connect_failure(const std::string& url, TlsVerification tls, std::chrono::milliseconds timeout);

}  // namespace perfgate
