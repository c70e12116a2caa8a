#include "core/http_get.h"

#include <curl/curl.h>

namespace perfgate {
namespace {

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

struct HttpGetClient::State {
  std::chrono::milliseconds timeout{};
  CURL* curl = nullptr;
};

HttpGetClient::HttpGetClient(std::chrono::milliseconds timeout) : state_(std::make_unique<State>()) {
  state_->timeout = timeout;
  state_->curl = curl_easy_init();
}

HttpGetClient::~HttpGetClient() {
  if (state_->curl != nullptr) curl_easy_cleanup(state_->curl);
}

Result<int> HttpGetClient::get_status(const std::string& url) {
  CURL* curl = state_->curl;
  if (curl == nullptr) return internal_error("cannot initialise libcurl");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(state_->timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // An empty proxy disables http_proxy/HTTPS_PROXY from the environment.
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "perfgate");
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) return unavailable(url + ": " + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return static_cast<int>(status);
}

Result<int> http_get_status(const std::string& url, std::chrono::milliseconds timeout) {
  HttpGetClient client(timeout);
  return client.get_status(url);
}

}  // namespace perfgate
