#include "otlp_pusher.h"

#include <curl/curl.h>

namespace perfgate::pipeline_detail {
namespace {

// A push is telemetry about the run, not the run: a collector that does not answer within this
// long is counted as failed rather than waited for.
constexpr long kPushTimeoutMs = 2000;
constexpr long kConnectTimeoutMs = 1000;

size_t discard(char* /*data*/, size_t size, size_t count, void* /*user*/) { return size * count; }

}  // namespace

Result<std::unique_ptr<OtlpPusher>> OtlpPusher::start(const std::string& endpoint, std::chrono::milliseconds interval,
                                                      std::function<std::string()> payload) {
  if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
    return invalid_input(
        "--otlp-endpoint: '" + endpoint +
        "' is not an http(s) URL (expected the collector's OTLP/HTTP base, e.g. http://127.0.0.1:4318)");
  }
  if (interval.count() <= 0) return invalid_input("--otlp-interval: must be > 0");
  std::unique_ptr<OtlpPusher> out(new OtlpPusher());
  std::string base = endpoint;
  const std::string path = "/v1/metrics";
  if (base.size() < path.size() || base.compare(base.size() - path.size(), path.size(), path) != 0) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    base += path;
  }
  out->url_ = base;
  out->interval_ = interval;
  out->payload_ = std::move(payload);
  out->thread_ = std::thread([p = out.get()] { p->loop(); });
  return out;
}

OtlpPusher::~OtlpPusher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OtlpPusher::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) break;
    lock.unlock();
    push();
    lock.lock();
  }
}

PushTally OtlpPusher::push_now() {
  push();
  std::lock_guard lock(mutex_);
  return tally_;
}

void OtlpPusher::push() {
  const std::string body = payload_();
  std::string error;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    error = "libcurl could not start a request";
  } else {
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    char reason[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kPushTimeoutMs);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, reason);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
      error = reason[0] != '\0' ? reason : curl_easy_strerror(rc);
    } else if (status < 200 || status >= 300) {
      error = "HTTP " + std::to_string(status) + " from " + url_;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
  }
  std::lock_guard lock(mutex_);
  ++tally_.pushes;
  if (!error.empty()) {
    ++tally_.failed;
    tally_.last_error = error;
  }
}

}  // namespace perfgate::pipeline_detail
