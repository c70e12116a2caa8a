#pragma once
// The response sink of a flow step: keeps what the step's rules read (headers, a capped body,
// body_contains matches) and, for streamed steps, parses and times the events as they arrive.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "flow_rules.h"
#include "loadgen/http_response_parser.h"
#include "sse_parser.h"

namespace perfgate {

/// Timings of one streamed response, on the engine's clock.
struct StreamTimes {
  std::optional<MonoTime> first_byte;
  std::optional<MonoTime> first_event;
  std::optional<MonoTime> last_event;
  std::chrono::nanoseconds max_gap{0};  ///< largest time between two consecutive events
  int64_t events = 0;
  std::optional<double> progress;  ///< last progress value read from an event
};

/// One step's capture; reused by every request of an iteration. Not thread-safe (one worker).
class StepCapture final : public ResponseSink, private SseListener {
 public:
  /// Prepares for a response of a step with `rules` and optional `stream` (both not owned; they
  /// live in the run plan). `clock` stamps stream events.
  void begin(const ResponseRules* rules, const StreamSpec* stream, const Clock* clock);

  void on_header(std::string_view name, std::string_view value) override;
  void on_body(std::string_view bytes) override;

  /// When the stream reaches its cancel_after_events count, `tag` is appended to `queue` (not owned)
  /// so the worker finds the stream to cancel without scanning every open one. Cleared by begin().
  void notify_cancel(std::vector<uint64_t>* queue, uint64_t tag) {
    cancel_queue_ = queue;
    cancel_tag_ = tag;
  }

  /// Whether the step's cancel_after_events count has been reached.
  [[nodiscard]] bool cancel_requested() const { return cancel_requested_; }
  [[nodiscard]] CapturedResponse& response() { return response_; }
  [[nodiscard]] const StreamTimes& stream_times() const { return times_; }

 private:
  void on_event(std::string_view type, std::string_view data, std::string_view id) override;
  void mark_first_byte();
  void match_needles(std::string_view bytes);

  const ResponseRules* rules_ = nullptr;
  const StreamSpec* stream_ = nullptr;
  const Clock* clock_ = nullptr;
  CapturedResponse response_;
  StreamTimes times_;
  SseParser sse_;
  std::string tail_;  // the last bytes of the body, so a needle split across reads is found
  std::string scratch_;
  size_t longest_needle_ = 0;
  bool cancel_requested_ = false;
  std::vector<uint64_t>* cancel_queue_ = nullptr;
  uint64_t cancel_tag_ = 0;
};

}  // namespace perfgate
