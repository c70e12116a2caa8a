#include "core/run_result_io.h"

#include <gtest/gtest.h>

#include "core/files.h"

namespace perfgate {
namespace {

RunResult sample_result() {
  RunResult r;
  r.context.tool_version = "0.1.0";
  r.context.host = "ci";
  r.context.scenario_name = "peak";
  r.model = LoadModel::kOpen;
  r.target_rps = 500;
  r.achieved_rps = 499.5;
  r.duration_s = 15;
  EndpointStats e;
  e.name = "reports.sales";
  e.requests = 7500;
  e.errors.add(Outcome::kTimeout, 3);
  e.errors.add(Outcome::kStatus5xx, 2);
  for (int64_t i = 1; i <= 1000; ++i) {
    e.latency.record(i * 100);
    e.service_time.record(i * 90);
  }
  e.metrics["time_to_first_event_us"] = NamedMetric{"us", Histogram{}};
  e.metrics["time_to_first_event_us"].histogram.record(1500);
  e.tallies["x-cache"] = {{"hit", 80}, {"miss", 20}};
  e.timeline.push_back(IntervalStats{0, 1000, 500, 1, 1000, 2000, 3000, 4000, 5000, 500, 12, ""});
  e.status_codes["200"] = 7495;
  r.endpoints.push_back(e);
  r.phases.push_back(PhaseInfo{"steady", 0, 15000, 500, 500, 0, 0, false});
  r.phase_stats.push_back(PhaseStats{"steady", {e}});
  Profile p;
  p.interval_ms = 100;
  p.processes.push_back(
      ProcessTimeline{42, "testbed", false, -1, {ProcessSample{100, 1 << 20, -1, 12.5, 10, 2.5, 4, 9, 3}}});
  p.postgres.push_back(PgSample{100, 3, 2, 1, 0, 6, 100, 10, 0, 1, 2, 0, 0});
  p.summary.peak_rss_bytes = 1 << 20;
  r.profile = p;
  return r;
}

TEST(RunResultIo, RoundTripsEveryField) {
  const RunResult r = sample_result();
  const std::string text = run_result_to_json(r);
  auto back = run_result_from_json(text, "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  // The histogram encoding keeps counts, not the exact max (it is restored to its bucket's upper
  // edge, within precision), so the second serialisation is the stable one.
  const std::string once = run_result_to_json(*back);
  auto twice = run_result_from_json(once, "mem.json");
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(run_result_to_json(*twice), once);
  EXPECT_NEAR(back->endpoints[0].latency.max(), 100000, 100);
  const EndpointStats* e = back->find_endpoint("reports.sales");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->errors.total, 5);
  EXPECT_EQ(e->errors.by_category.at("timeout"), 3);
  EXPECT_EQ(e->latency.total_count(), 1000);
  EXPECT_EQ(back->total_requests(), 7500);
}

TEST(RunResultIo, WritesTheDocumentedFields) {
  const std::string text = run_result_to_json(sample_result());
  for (const char* field :
       {"\"schema_version\": 1", "\"achieved_rps\"", "\"target_rps\": 500", "\"model\": \"open\"", "\"latency_us\"",
        "\"service_time_us\"", "\"p999\"", "\"histograms\"", "\"scenario_hash\""}) {
    EXPECT_NE(text.find(field), std::string::npos) << field;
  }
}

TEST(RunResultIo, ClosedModelHasNullTargetRate) {
  RunResult r = sample_result();
  r.model = LoadModel::kClosed;
  r.target_rps.reset();
  const std::string text = run_result_to_json(r);
  EXPECT_NE(text.find("\"target_rps\": null"), std::string::npos);
  auto back = run_result_from_json(text, "x");
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->target_rps.has_value());
}

TEST(RunResultIo, WrongSchemaVersionNamesFileLineAndFix) {
  std::string text = run_result_to_json(sample_result());
  text.replace(text.find("\"schema_version\": 1"), 19, "\"schema_version\": 9");
  auto r = run_result_from_json(text, "old.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(r.error().message.rfind("old.json:2:21: schema_version: unsupported schema_version 9", 0), 0u)
      << r.error().message;
}

// Found by the result_reader fuzz target: a float beyond int converted with undefined behaviour.
TEST(RunResultIo, AnIntegerFieldOutOfRangeIsAnInputErrorNotAWrappedValue) {
  const std::string text = run_result_to_json(sample_result());
  for (const char* value : {"1e300", "-1e300", "4294967297", "2147483648.0"}) {
    std::string bad = text;
    bad.replace(bad.find("\"schema_version\": 1"), 19, std::string("\"schema_version\": ") + value);
    auto r = run_result_from_json(bad, "big.json");
    ASSERT_FALSE(r.ok()) << value;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput) << value;
    EXPECT_NE(r.error().message.find("schema_version: is out of range"), std::string::npos) << r.error().message;
  }
  std::string fraction = text;
  fraction.replace(fraction.find("\"schema_version\": 1"), 19, "\"schema_version\": 1.0");
  EXPECT_TRUE(run_result_from_json(fraction, "one.json").ok()) << "a whole float within range still reads";
}

TEST(RunResultIo, CorruptJsonAndCorruptHistogramAreInputErrors) {
  auto a = run_result_from_json("{\"schema_version\": 1,", "cut.json");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("cut.json:1:"), std::string::npos);

  std::string text = run_result_to_json(sample_result());
  const size_t at = text.find("\"latency\": \"HISTFAAA") + 12;
  text.replace(at, 12, "HISTFAAA!!!!");
  auto b = run_result_from_json(text, "bad.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("endpoints[0].histograms.latency"), std::string::npos) << b.error().message;
}

TEST(RunResultIo, MissingFieldIsNamed) {
  auto r =
      run_result_from_json(R"({"schema_version": 1, "context": {}, "model": "open", "achieved_rps": 1})", "m.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("missing field 'endpoints'"), std::string::npos) << r.error().message;
}

TEST(RunResultIo, UnreadableFileIsAnInputError) {
  auto r = read_run_result("/nonexistent/result.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("/nonexistent/result.json"), std::string::npos);
}

TEST(RunResultIo, KeepsIntervalHistogramsAndReadsResultsWithout) {
  RunResult r = sample_result();
  Histogram h(HistogramConfig{1, 3'600'000'000, 2});
  for (int64_t i = 1; i <= 300; ++i) h.record(i * 10);
  r.timeline.push_back(IntervalStats{0, 1000, 300, 0, 0, 0, 0, 0, 0, 300, 0, h.to_base64()});
  auto back = run_result_from_json(run_result_to_json(r), "mem.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->timeline.size(), 1u);
  auto decoded = Histogram::from_base64(back->timeline[0].histogram);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->total_count(), 300);
  // The endpoint's interval in sample_result() has no histogram: older results read unchanged.
  EXPECT_TRUE(back->endpoints[0].timeline[0].histogram.empty());
  EXPECT_EQ(run_result_to_json(*back).find("\"histogram\":\"\""), std::string::npos);
}

}  // namespace
}  // namespace perfgate
