#include "analyzers/query_probe.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

#include "core/http_get.h"

namespace perfgate {
namespace {

class CurlGetter final : public HttpGetter {
 public:
  explicit CurlGetter(std::chrono::milliseconds timeout) : client_(timeout) {}
  Result<int> get(const std::string& url) override { return client_.get_status(url); }

 private:
  HttpGetClient client_;
};

struct Window {
  StatsDelta delta;
  double requests = 0;
};

// N serial requests between two snapshots; failed requests are counted, not fatal, unless all fail.
Result<Window> measure(StatsSource& stats, HttpGetter& http, const std::string& url, int requests,
                       std::vector<std::string>& notes) {
  auto before = stats.snapshot();
  if (!before) return before.error();
  int ok = 0, failed = 0;
  std::string last_failure;
  for (int i = 0; i < requests; ++i) {
    auto status = http.get(url);
    if (status && *status >= 200 && *status < 400) {
      ++ok;
    } else {
      ++failed;
      last_failure = status ? "HTTP " + std::to_string(*status) : status.error().message;
    }
  }
  auto after = stats.snapshot();
  if (!after) return after.error();
  if (ok == 0) return unavailable("every request to " + url + " failed (last: " + last_failure + ")");
  if (failed > 0) {
    notes.push_back(std::to_string(failed) + " of " + std::to_string(requests) +
                    " requests failed (last: " + last_failure + "); per-request figures count all requests");
  }
  // Failed requests may still have run queries, so divide by every request made.
  return Window{diff_snapshots(*before, *after), static_cast<double>(requests)};
}

bool same_calls(const StatsDelta& a, const StatsDelta& b) {
  std::map<std::string, int64_t> calls;
  for (const auto& s : a.statements) calls[s.query_id] += s.calls;
  for (const auto& s : b.statements) calls[s.query_id] -= s.calls;
  return std::all_of(calls.begin(), calls.end(), [](const auto& c) { return c.second == 0; });
}

// Background activity (other clients, the sampler's own statements) measured with no requests, to
// be subtracted from each probe window. Work still draining from an earlier load is not background:
// requests a server still serves after their clients gave up, an async queue's backlog. Taken as
// background it was subtracted from the probe's own counts (98.9 queries per request instead of 101
// right after the demo's loaded "before" run), so windows are measured until two in a row saw the
// same statements, or `settle_timeout` passed (then the last one is used).
Result<StatsDelta> settled_idle_window(StatsSource& stats, const ProbeOptions& options) {
  auto previous = stats.snapshot();
  if (!previous) return previous.error();
  std::optional<StatsDelta> last;
  const auto deadline = std::chrono::steady_clock::now() + options.settle_timeout;
  while (true) {
    if (options.idle_window.count() > 0) std::this_thread::sleep_for(options.idle_window);
    auto next = stats.snapshot();
    if (!next) return next.error();
    StatsDelta window = diff_snapshots(*previous, *next);
    if ((last && same_calls(*last, window)) || std::chrono::steady_clock::now() >= deadline) return window;
    last = std::move(window);
    previous = std::move(next);
  }
}

}  // namespace

std::unique_ptr<HttpGetter> make_curl_getter(std::chrono::milliseconds timeout) {
  return std::make_unique<CurlGetter>(timeout);
}

Status validate_probe_options(const ProbeOptions& options) {
  if (options.urls.empty()) return invalid_input("--probe-url: at least one URL is needed (or use --aggregate)");
  if (options.requests <= 0)
    return invalid_input("--requests: must be > 0 (got " + std::to_string(options.requests) + ")");
  if (!(options.scale_factor > 1)) return invalid_input("scale factor: must be > 1");
  bool any_scalable = false;
  for (const auto& url : options.urls) {
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return invalid_input("--probe-url " + url + ": must start with http:// or https://");
    }
    if (!options.scale_param.empty())
      any_scalable = any_scalable || scale_url(url, options.scale_param, options.scale_factor).ok();
  }
  // URLs without the parameter are probed at one scale only; a parameter no URL has is a typo.
  if (!options.scale_param.empty() && !any_scalable) {
    return invalid_input("--scale-param " + options.scale_param + ": no --probe-url has a '" + options.scale_param +
                         "=' query parameter to scale");
  }
  return {};
}

Result<std::string> scale_url(const std::string& url, const std::string& param, double factor) {
  const size_t q = url.find('?');
  size_t pos = q == std::string::npos ? std::string::npos : q;
  while (pos != std::string::npos) {
    const size_t start = pos + 1;
    if (url.compare(start, param.size() + 1, param + "=") == 0) {
      const size_t value_start = start + param.size() + 1;
      const size_t value_end = url.find_first_of("&#", value_start);
      const std::string value =
          url.substr(value_start, value_end == std::string::npos ? std::string::npos : value_end - value_start);
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(v > 0)) {
        std::string message = "--scale-param " + param;
        message.append(": ").append(url).append(" has ").append(param).append("=").append(value);
        return invalid_input(message + ", not a positive number");
      }
      const long scaled = std::lround(v * factor);
      return url.substr(0, value_start) + std::to_string(scaled) +
             (value_end == std::string::npos ? "" : url.substr(value_end));
    }
    pos = url.find('&', start);
  }
  return invalid_input("--scale-param " + param + ": " + url + " has no '" + param + "=' query parameter to scale");
}

std::string probe_endpoint_name(const std::string& url) {
  size_t start = 0;
  const size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    const size_t path = url.find_first_of("/?#", scheme + 3);
    start = path == std::string::npos ? url.size() : path;
  }
  std::string rest =
      url.substr(start, url.find('#', start) == std::string::npos ? std::string::npos : url.find('#', start) - start);
  if (rest.empty() || rest.front() != '/') rest = "/" + rest;
  return "GET " + rest;
}

Result<std::vector<Workload>> probe_endpoints(StatsSource& stats, HttpGetter& http, const ProbeOptions& options) {
  if (auto valid = validate_probe_options(options); !valid) return valid.error();
  if (options.names.size() > options.urls.size()) return invalid_input("probe: more endpoint names than URLs");
  auto settled = settled_idle_window(stats, options);
  if (!settled) return settled.error();
  const StatsDelta idle = std::move(settled).value();

  std::vector<Workload> out;
  for (size_t i = 0; i < options.urls.size(); ++i) {
    const std::string& url = options.urls[i];
    std::vector<std::string> notes;
    auto base = measure(stats, http, url, options.requests, notes);
    if (!base) return base.error();
    Workload w;
    w.endpoint = i < options.names.size() && !options.names[i].empty() ? options.names[i] : probe_endpoint_name(url);
    w.requests = base->requests;
    w.delta = subtract_baseline(base->delta, idle);
    w.scale_factor = options.scale_factor;
    auto scaled_url = options.scale_param.empty() ? Result<std::string>(invalid_input("no scaling"))
                                                  : scale_url(url, options.scale_param, options.scale_factor);
    if (scaled_url) {
      auto scaled = measure(stats, http, *scaled_url, options.requests, notes);
      if (!scaled) return scaled.error();
      w.scaled_delta = subtract_baseline(scaled->delta, idle);
      w.scaled_requests = scaled->requests;
    } else if (!options.scale_param.empty()) {
      notes.push_back("not probed at a second scale: no '" + options.scale_param + "=' parameter");
    }
    // Every note names its endpoint: they are printed together after all endpoints were probed.
    for (const auto& n : notes) {
      w.delta.note += (w.delta.note.empty() ? w.endpoint + ": " : "; ") + n;
    }
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace perfgate
