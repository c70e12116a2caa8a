#pragma once
// An incremental Server-Sent Events parser (WHATWG HTML, "Parsing an event stream"): lines end in
// CRLF, LF or CR; `event`, `data` (repeated lines joined with "\n"), `id` fields; a line starting
// with ':' is a comment; a blank line dispatches the event (none when no data was given).

#include <cstddef>
#include <string>
#include <string_view>

namespace perfgate {

/// Receives each dispatched event; the views are valid only during the call.
class SseListener {
 public:
  virtual ~SseListener() = default;
  /// `type` is "message" when no `event:` field was given; `id` is the last event ID seen.
  virtual void on_event(std::string_view type, std::string_view data, std::string_view id) = 0;
};

/// Parses one event stream fed in pieces of any size. Not thread-safe.
class SseParser {
 public:
  /// Longest line kept, in bytes; the rest of a longer line is dropped (bounded memory).
  static constexpr size_t kMaxLine = 1 << 20;

  /// Starts a new stream; `listener` (not owned) must outlive the parser's use.
  void reset(SseListener* listener);
  /// Consumes the next bytes of the stream.
  void feed(std::string_view bytes);

 private:
  void on_line(std::string_view line);
  void dispatch();

  SseListener* listener_ = nullptr;
  std::string line_;
  std::string data_;
  std::string type_;
  std::string id_;
  bool after_cr_ = false;  // the previous byte was CR: a following LF belongs to the same line end
  bool at_start_ = true;   // a UTF-8 byte order mark may open the stream
  size_t bom_seen_ = 0;
};

}  // namespace perfgate
