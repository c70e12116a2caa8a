#pragma once
// Pushes a run's metrics to an OpenTelemetry collector (run --otlp-endpoint): OTLP/HTTP with the
// JSON encoding, POST BASE/v1/metrics, periodically from its own thread and once more at the end.
// A collector that is down or slow costs at most the push timeout per push and never stops the run.
// Private to the pipeline.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"

namespace perfgate::pipeline_detail {

/// Counts of pushes so far.
struct PushTally {
  int64_t pushes = 0;
  int64_t failed = 0;
  std::string last_error;
};

class OtlpPusher {
 public:
  /// Checks `endpoint` (http:// or https:// base URL; "/v1/metrics" is appended unless it already
  /// ends so) and starts pushing `payload()` every `interval` (> 0). `payload` runs on the pusher's
  /// thread and must be thread-safe. Errors: kInvalidInput for a URL that is not http(s).
  static Result<std::unique_ptr<OtlpPusher>> start(const std::string& endpoint, std::chrono::milliseconds interval,
                                                   std::function<std::string()> payload);
  /// Stops the periodic pushes (without a final one); waits for a push under way (<= its timeout).
  ~OtlpPusher();
  OtlpPusher(const OtlpPusher&) = delete;
  OtlpPusher& operator=(const OtlpPusher&) = delete;

  /// Pushes now from the caller's thread (the end of a run; periodic pushes go on for a next step)
  /// and returns the tally so far, this push included.
  PushTally push_now();
  /// The URL pushed to.
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  OtlpPusher() = default;
  void push();
  void loop();

  std::string url_;
  std::chrono::milliseconds interval_{0};
  std::function<std::string()> payload_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  PushTally tally_;
  std::thread thread_;
};

}  // namespace perfgate::pipeline_detail
