#include <cmath>
#include <cstdio>

#include "checks.h"
#include "scenario_reader.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

Error flag_error(const std::string& flag, const std::string& problem) { return invalid_input(flag + ": " + problem); }

std::string trim(const std::string& s) {
  const size_t start = s.find_first_not_of(" \t");
  const size_t end = s.find_last_not_of(" \t");
  return start == std::string::npos ? "" : s.substr(start, end - start + 1);
}

void rehash(Scenario& scenario) { scenario_detail::stamp_hashes(scenario); }

}  // namespace

Result<Scenario> scenario_from_quick(const QuickOptions& options) {
  using namespace scenario_detail;
  if (const std::string why = check_absolute_url(options.url); !why.empty()) return flag_error("--url", why);
  if (options.rate && options.vus)
    return flag_error("--vus", "cannot be combined with --rate; choose the open (--rate) or closed (--vus) model");
  if (!options.rate && !options.vus)
    return flag_error("--rate", "one of --rate (requests/s, open model) or --vus (closed model) is required");
  if (options.rate && !(*options.rate > 0))
    return flag_error("--rate", "must be > 0 (got " + number(*options.rate) + ")");
  if (options.vus && *options.vus <= 0)
    return flag_error("--vus", "must be > 0 (got " + std::to_string(*options.vus) + ")");
  if (options.rate && *options.rate > kMaxTargetRps) {
    return flag_error("--rate", "must be at most 1000000 requests/s (got " + number(*options.rate) +
                                    "); split larger loads over several generators");
  }
  if (options.vus && *options.vus > kMaxVirtualUsers)
    return flag_error("--vus", "must be at most 100000 virtual users (got " + std::to_string(*options.vus) + ")");
  if (options.duration.count() <= 0)
    return flag_error("--duration", "must be > 0 (got " + std::to_string(options.duration.count()) + "us); e.g. 30s");
  if (options.duration > kMaxLoadDuration)
    return flag_error("--duration",
                      "must be at most 168h (got " + std::to_string(options.duration.count() / 3'600'000'000LL) + "h)");
  if (options.connections < 0)
    return flag_error("--connections",
                      "must be >= 0 (got " + std::to_string(options.connections) + "); 0 lets the engine choose");
  if (options.timeout.count() <= 0)
    return flag_error("--timeout", "must be > 0 (got " + std::to_string(options.timeout.count()) + "us); e.g. 10s");
  if (options.timeout > std::chrono::hours(1))
    return flag_error("--timeout",
                      "must be at most 1h (got " + std::to_string(options.timeout.count() / 1'000'000) + "s)");
  if (const std::string why = check_method(options.method); !why.empty()) return flag_error("--method", why);

  Scenario scenario;
  scenario.name = "quick";
  const size_t authority = options.url.find("://") + 3;
  const size_t path_start = options.url.find_first_of("/?#", authority);
  scenario.base_url = options.url.substr(0, path_start);
  RequestTemplate request;
  request.method = options.method;
  request.path = path_start == std::string::npos ? "/" : options.url.substr(path_start);
  if (request.path[0] != '/') request.path = "/" + request.path;
  request.timeout = options.timeout;
  request.body = options.body;
  for (const std::string& header : options.headers) {
    const size_t colon = header.find(':');
    if (colon == std::string::npos || trim(header.substr(0, colon)).empty()) {
      // Only the name is echoed: a mistyped "Authorization Bearer TOKEN" still carries the token.
      return flag_error("--header", "must be \"Name: value\" (got \"" + header.substr(0, header.find(' ')) +
                                        (header.find(' ') == std::string::npos ? "" : " ...") + "\")");
    }
    request.headers.emplace_back(trim(header.substr(0, colon)), trim(header.substr(colon + 1)));
  }
  const std::string bare_path = request.path.substr(0, request.path.find('?'));
  Endpoint endpoint;
  endpoint.name = request.method + " " + bare_path;
  const size_t segment_end = bare_path.find('/', 1);
  endpoint.category = bare_path.size() > 1
                          ? bare_path.substr(1, segment_end == std::string::npos ? std::string::npos : segment_end - 1)
                          : "root";
  request.name = endpoint.name;
  endpoint.steps.push_back(request);
  scenario.endpoints.push_back(endpoint);

  scenario.shape.model = options.rate ? LoadModel::kOpen : LoadModel::kClosed;
  const double target = options.rate ? *options.rate : static_cast<double>(*options.vus);
  scenario.shape.start_target = target;
  scenario.shape.stages.push_back(Stage{options.duration, target, "steady"});
  scenario.shape.max_connections = options.connections;
  scenario.description = "quick mode: " + request.method + " " + options.url;
  collect_header_secrets(scenario);
  rehash(scenario);
  return scenario;
}

Status apply_scaling(Scenario& scenario, double time_scale, double rate_scale) {
  if (!(time_scale > 0) || !std::isfinite(time_scale))
    return flag_error("--time-scale", "must be > 0 (got " + number(time_scale) + "); e.g. 0.0167 turns 1 h into 60 s");
  if (!(rate_scale > 0) || !std::isfinite(rate_scale))
    return flag_error("--rate-scale", "must be > 0 (got " + number(rate_scale) + "); e.g. 0.5 halves every rate");
  const bool closed = scenario.shape.model == LoadModel::kClosed;
  // Virtual users are whole; a stage that had users keeps at least one so its phase still runs.
  auto scale_target = [&](double target) {
    const double scaled = target * rate_scale;
    if (!closed) return scaled;
    return target > 0 ? std::max(1.0, std::round(scaled)) : 0.0;
  };
  const double bound = closed ? kMaxVirtualUsers : kMaxTargetRps;
  const char* unit = closed ? " virtual users" : " requests/s";
  scenario.shape.start_target = scale_target(scenario.shape.start_target);
  if (scenario.shape.start_target > bound) {
    return flag_error("--rate-scale", "scales the start to " + number(scenario.shape.start_target) + unit +
                                          ", above the bound of " + std::to_string(static_cast<long long>(bound)));
  }
  double total_us = 0;
  for (size_t i = 0; i < scenario.shape.stages.size(); ++i) {
    Stage& stage = scenario.shape.stages[i];
    const double us = std::round(static_cast<double>(stage.duration.count()) * time_scale);
    total_us += us;
    if (total_us > static_cast<double>(std::chrono::microseconds(kMaxLoadDuration).count())) {
      return flag_error("--time-scale", "makes the load last over 168h (x" + number(time_scale) + "); lower it");
    }
    stage.duration = std::chrono::microseconds(std::max<int64_t>(1000, static_cast<int64_t>(us)));
    stage.target = scale_target(stage.target);
    if (stage.target > bound) {
      return flag_error("--rate-scale", "scales stage " + std::to_string(i + 1) + " to " + number(stage.target) + unit +
                                            ", above the bound of " + std::to_string(static_cast<long long>(bound)) +
                                            "; lower it");
    }
  }
  rehash(scenario);
  return {};
}

Status override_target(Scenario& scenario, const std::string& base_url) {
  if (const std::string why = scenario_detail::check_base_url(base_url); !why.empty())
    return flag_error("--target", why);
  scenario.base_url = base_url;
  if (scenario.base_url.back() == '/') scenario.base_url.pop_back();
  rehash(scenario);
  return {};
}

}  // namespace perfgate
