#pragma once
// One blocking HTTP GET (libcurl underneath): readiness probes of spawned servers and per-endpoint
// query probes share it. Only the status code is kept; the body is read and discarded.

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"

namespace perfgate {

/// A blocking GET client that keeps its connection between calls (keep-alive). Use from one
/// thread at a time. Proxy settings in the environment are ignored: perfgate only talks to the
/// target it was given.
class HttpGetClient {
 public:
  /// `timeout` bounds each whole request (connect, send, read), > 0.
  explicit HttpGetClient(std::chrono::milliseconds timeout);
  ~HttpGetClient();
  HttpGetClient(const HttpGetClient&) = delete;
  HttpGetClient& operator=(const HttpGetClient&) = delete;

  /// GETs `url` (http:// or https://) and returns the response status. Errors: kUnavailable naming
  /// the URL and the cause when no response arrived (refused, timeout, reset); kInternal when
  /// libcurl cannot be initialised.
  Result<int> get_status(const std::string& url);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// One GET on a fresh connection; as HttpGetClient::get_status.
Result<int> http_get_status(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace perfgate
