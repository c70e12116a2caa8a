#include "service_context.h"

#include <charconv>
#include <thread>

namespace perfgate::testbed_service {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void with_connection(ServiceContext& ctx, httplib::Response& res, const std::function<void(pqxx::connection&)>& work) {
  Lease lease = ctx.pool.acquire();
  if (!lease) {
    send_json(res, 503, {{"error", "database connection pool exhausted"}});
    return;
  }
  try {
    work(*lease);
    // The capacity knob: with every lease held H ms longer, the pool serves at most pool_size / H
    // requests per second (plus the work), a known limit for run --find-limit (bench/find_limit.sh).
    if (ctx.options.pool_hold_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ctx.options.pool_hold_ms));
  } catch (const std::exception& e) {
    ctx.stats.db_errors++;
    send_json(res, 500, {{"error", std::string("database error: ") + e.what()}});
  }
}

void db_round_trip(const ServiceOptions& options) {
  // Sub-millisecond on purpose: a database in the same data centre answers in 0.2-1 ms, and that is
  // what makes 101 statements per request cost ~100 round trips in production while loopback
  // hides it. nanosleep overshoots by tens of microseconds, small next to the values used.
  if (options.db_latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(options.db_latency_ms));
  }
}

std::optional<long> int_param(const httplib::Request& req, httplib::Response& res, const std::string& name,
                              long fallback, long min_value, long max_value) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string text = req.get_param_value(name.c_str());
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min_value || value > max_value) {
    send_json(res, 400,
              {{"error", name + ": expected an integer in [" + std::to_string(min_value) + ", " +
                             std::to_string(max_value) + "] (got '" + text + "')"}});
    return std::nullopt;
  }
  return value;
}

ReportDelay::ReportDelay(const ServiceOptions& options)
    : options_(options), started_(std::chrono::steady_clock::now()) {}

ReportDelay::~ReportDelay() {
  auto extra = std::chrono::milliseconds(options_.delay_ms);
  if (options_.delay_factor > 1.0) {
    const auto worked = std::chrono::steady_clock::now() - started_;
    extra += std::chrono::duration_cast<std::chrono::milliseconds>(worked * (options_.delay_factor - 1.0));
  }
  if (extra.count() > 0) std::this_thread::sleep_for(extra);
}

}  // namespace perfgate::testbed_service
