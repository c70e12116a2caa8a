#pragma once
// Per-endpoint probing: hit one URL at a time, serially, with pg_stat_statements snapshots around
// each, minus an idle baseline, so every statement is attributed to the endpoint that ran it.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/database.h"
#include "analyzers/query_analyzer.h"
#include "core/result.h"

namespace perfgate {

/// A blocking HTTP GET. Implementations need not be thread-safe.
class HttpGetter {
 public:
  virtual ~HttpGetter() = default;
  /// The response status. Errors: kUnavailable when no response arrived (refused, timeout).
  virtual Result<int> get(const std::string& url) = 0;
};

/// The GET of core/http_get.h with a whole-request timeout; the body is read and discarded.
std::unique_ptr<HttpGetter> make_curl_getter(std::chrono::milliseconds timeout);

struct ProbeOptions {
  std::vector<std::string> urls;
  /// Endpoint names parallel to `urls` (a scenario's endpoint names); a missing or empty name
  /// becomes probe_endpoint_name(url).
  std::vector<std::string> names;
  int requests = 20;                           ///< per URL (and per scale), > 0
  std::string scale_param;                     ///< e.g. "limit": probe again with it multiplied; "" off
  double scale_factor = 2;                     ///< > 1
  std::chrono::milliseconds idle_window{200};  ///< length of the idle baseline snapshot pair
  /// Idle windows are measured until two in a row see the same statements (work left over from an
  /// earlier load has drained), for at most this long; then the last one is the baseline.
  std::chrono::milliseconds settle_timeout{5000};
};

/// Checks the options. Errors: kInvalidInput naming the bad value.
Status validate_probe_options(const ProbeOptions& options);

/// `url` with query parameter `param` multiplied by `factor` (rounded). Errors: kInvalidInput when
/// the URL has no such parameter or its value is not a positive number.
Result<std::string> scale_url(const std::string& url, const std::string& param, double factor);

/// The name of an endpoint probed by URL: "GET /path?query", without scheme, host, port or
/// fragment, so that budgets and baselines can name it across runs on any port.
std::string probe_endpoint_name(const std::string& url);

/// Probes every URL; one Workload per URL, named by `names` or else probe_endpoint_name(url). Errors: kUnavailable when
/// a snapshot fails or when every request to a URL failed (the URL and the cause are named).
Result<std::vector<Workload>> probe_endpoints(StatsSource& stats, HttpGetter& http, const ProbeOptions& options);

}  // namespace perfgate
