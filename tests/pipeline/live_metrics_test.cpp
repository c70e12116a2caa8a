#include "pipeline/live_metrics.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace perfgate {
namespace {

LiveStatus interval_with(const std::string& name, std::initializer_list<int64_t> latencies_us, int64_t timeouts) {
  LiveStatus s;
  s.interval.duration_ms = 1000;
  s.target = 50;
  LiveEndpoint e;
  e.name = name;
  for (int64_t v : latencies_us) {
    e.latency.record(v);
    e.latency_sum_us += static_cast<double>(v);
    ++e.requests;
  }
  e.outcomes[static_cast<size_t>(Outcome::kTimeout)] = timeouts;
  e.outcomes[static_cast<size_t>(Outcome::kOk)] = e.requests - timeouts;
  s.interval.requests = e.requests;
  s.endpoints.push_back(e);
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(LiveMetrics, CountersAddUpAcrossIntervalsAndBucketsAreCumulativeInSeconds) {
  LiveMetrics m(RunIdentity{"s", "run-1", "0.1.0"});
  m.add_interval(interval_with("a\"b", {500, 2000, 40'000}, 1));
  m.add_interval(interval_with("a\"b", {700'000}, 0));
  const std::string text = m.prometheus_text();
  EXPECT_TRUE(has_line(text, "perfgate_http_requests_total{endpoint=\"a\\\"b\"} 4")) << text;
  EXPECT_TRUE(has_line(text, "perfgate_http_request_errors_total{endpoint=\"a\\\"b\",category=\"timeout\"} 1"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_errors_total{endpoint=\"a\\\"b\",category=\"connect\"} 0"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_bucket{endpoint=\"a\\\"b\",le=\"0.001\"} 1"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_bucket{endpoint=\"a\\\"b\",le=\"0.0025\"} 2"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_bucket{endpoint=\"a\\\"b\",le=\"0.05\"} 3"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_bucket{endpoint=\"a\\\"b\",le=\"0.5\"} 3"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_bucket{endpoint=\"a\\\"b\",le=\"1\"} 4"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_bucket{endpoint=\"a\\\"b\",le=\"+Inf\"} 4"));
  EXPECT_TRUE(has_line(text, "perfgate_http_request_duration_seconds_sum{endpoint=\"a\\\"b\"} 0.7425"));
  EXPECT_TRUE(has_line(text, "perfgate_target_rate_requests_per_second 50"));
  EXPECT_TRUE(has_line(text, "# TYPE perfgate_http_request_latency_seconds summary"));
  // No profiler: no server gauges rather than zeros that would read as "the server used nothing".
  EXPECT_EQ(text.find("perfgate_server_resident_memory_bytes"), std::string::npos);
  m.set_profile(LiveSnapshot{1 << 20, 150, 2, 7, 3});
  const std::string profiled = m.prometheus_text();
  EXPECT_TRUE(has_line(profiled, "perfgate_server_resident_memory_bytes 1048576"));
  EXPECT_TRUE(has_line(profiled, "perfgate_server_cpu_usage_ratio 1.5"));
  EXPECT_TRUE(has_line(profiled, "perfgate_postgres_connections 7"));
}

TEST(LiveMetrics, OtlpCarriesTheSameFiguresWithPerBucketCounts) {
  LiveMetrics m(RunIdentity{"", "run-1", "0.1.0"});
  m.set_scenario("peak");
  m.add_interval(interval_with("e", {500, 2000, 40'000}, 1));
  const auto j = nlohmann::json::parse(m.otlp_json(1'000, 2'000));
  const auto& rm = j["resourceMetrics"][0];
  EXPECT_EQ(rm["resource"]["attributes"][0]["key"], "service.name");
  EXPECT_EQ(rm["resource"]["attributes"][2]["value"]["stringValue"], "peak");
  bool saw_requests = false, saw_histogram = false;
  for (const auto& metric : rm["scopeMetrics"][0]["metrics"]) {
    if (metric["name"] == "perfgate.http.requests") {
      saw_requests = true;
      EXPECT_EQ(metric["sum"]["dataPoints"][0]["asInt"], "3");
      EXPECT_EQ(metric["sum"]["dataPoints"][0]["startTimeUnixNano"], "1000");
    }
    if (metric["name"] == "perfgate.http.request.duration") {
      saw_histogram = true;
      const auto& p = metric["histogram"]["dataPoints"][0];
      EXPECT_EQ(p["bucketCounts"].size(), latency_bucket_bounds_s().size() + 1);
      EXPECT_EQ(p["bucketCounts"][0], "1");  // <= 1 ms
      EXPECT_EQ(p["bucketCounts"][1], "1");  // (1 ms, 2.5 ms]
      EXPECT_EQ(p["count"], "3");
    }
  }
  EXPECT_TRUE(saw_requests);
  EXPECT_TRUE(saw_histogram);
}

}  // namespace
}  // namespace perfgate
