#pragma once
// An incremental HTTP/1.x response parser for the native client: status line, headers,
// Content-Length, chunked and close-delimited bodies. Bodies are counted, not buffered; a
// ResponseSink sees headers and body bytes when a caller needs them (flows, extraction, streams).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace perfgate {

/// Receives the parts of one response as they arrive. The views are valid only during the call.
/// Implementations must not throw.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  /// One header; `value` is trimmed and truncated to HttpResponseParser::kMaxLine bytes.
  virtual void on_header(std::string_view name, std::string_view value) = 0;
  /// A piece of the (de-chunked) body, in order.
  virtual void on_body(std::string_view bytes) = 0;
};

/// Whether the request that this response answers can have a body (HEAD responses never do).
enum class BodyExpectation { kPerHeaders, kNone };

/// Parses one response at a time from bytes fed in pieces of any size. A line that arrives whole is
/// read in place; only a line split across feeds is copied, into a buffer that grows to that line's
/// length (at most kMaxLine) and keeps its capacity, so a parser costs ~100 bytes until a split line
/// comes. Not thread-safe: one parser per connection.
class HttpResponseParser {
 public:
  /// Longest status, header, chunk-size or trailer line accepted, in bytes; longer is a parse error.
  static constexpr size_t kMaxLine = 8192;

  enum class State { kInProgress, kComplete, kError };

  /// Prepares for the next response. `sink` (optional, not owned) must outlive the response.
  void reset(BodyExpectation expectation = BodyExpectation::kPerHeaders, ResponseSink* sink = nullptr);

  /// Consumes bytes of the response; returns how many were used. It stops at the end of the
  /// response (kComplete) or at the first malformed byte (kError); bytes after that are not used.
  size_t feed(const char* data, size_t length);

  /// The peer closed the connection: completes a close-delimited body, otherwise an error if a
  /// response was in progress. Returns the resulting state.
  State on_eof();

  [[nodiscard]] State state() const { return state_; }
  /// HTTP status (100..999) once the status line is parsed; 0 before.
  [[nodiscard]] int status() const { return status_; }
  /// Whether the connection may carry another request after this response.
  [[nodiscard]] bool keep_alive() const { return keep_alive_; }
  /// Body bytes received so far (after de-chunking).
  [[nodiscard]] int64_t body_bytes() const { return body_bytes_; }
  /// Whether any byte of the response has been seen.
  [[nodiscard]] bool started() const { return started_; }
  /// Short reason for kError ("bad status line", ...), for tests and diagnostics.
  [[nodiscard]] const char* error_reason() const { return error_reason_; }

 private:
  enum class Phase {
    kStatusLine,
    kHeaders,
    kBodyLength,
    kBodyUntilClose,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kDone
  };

  bool take_line(const char* data, size_t length, size_t& used, std::string_view& line);
  void on_status_line(std::string_view line);
  void on_header_line(std::string_view line);
  void on_headers_end();
  void on_chunk_size_line(std::string_view line);
  void fail(const char* reason);
  void deliver_body(const char* data, size_t length);

  Phase phase_ = Phase::kStatusLine;
  State state_ = State::kInProgress;
  BodyExpectation expectation_ = BodyExpectation::kPerHeaders;
  ResponseSink* sink_ = nullptr;
  int status_ = 0;
  int minor_version_ = 1;
  bool keep_alive_ = true;
  bool started_ = false;
  bool chunked_ = false;
  bool saw_length_ = false;
  bool saw_connection_close_ = false;
  bool saw_connection_keep_alive_ = false;
  int64_t content_length_ = 0;
  int64_t remaining_ = 0;
  int64_t body_bytes_ = 0;
  const char* error_reason_ = "";
  // Thousands of open connections each hold a parser (10,000 SSE streams): a fixed 8 KiB line
  // array per connection was most of the generator's memory per stream.
  std::string partial_;         // the start of a line split across feeds
  bool partial_taken_ = false;  // the last line returned was partial_: clear it before the next
};

}  // namespace perfgate
