#include "reports/hdr_log.h"

#include <gtest/gtest.h>

#include <sstream>

namespace perfgate {
namespace {

std::string encoded(std::initializer_list<int64_t> values) {
  Histogram h(HistogramConfig{1, 3'600'000'000, 2});
  for (int64_t v : values) h.record(v);
  return h.to_base64();
}

IntervalStats interval(int64_t t_ms, int64_t requests, double max_us, std::string histogram) {
  IntervalStats i;
  i.t_ms = t_ms;
  i.duration_ms = 1000;
  i.requests = requests;
  i.max_us = max_us;
  i.histogram = std::move(histogram);
  return i;
}

RunResult two_endpoints() {
  RunResult r;
  r.context.tool_version = "0.1.0";
  r.context.scenario_name = "two";
  r.start_unix_ms = 1'700'000'000'250;
  r.timeline = {interval(0, 3, 3000, encoded({1000, 2000, 3000})), interval(1000, 1, 500, encoded({500}))};
  EndpointStats a;
  a.name = "a, b";
  a.timeline = {interval(0, 2, 2000, encoded({1000, 2000})), interval(1000, 1, 500, encoded({500}))};
  EndpointStats step;
  step.name = "flow/step";
  step.kind = "step";
  EndpointStats c;
  c.name = "c";
  c.timeline = {interval(0, 1, 3000, encoded({3000})), interval(1000, 0, 0, encoded({}))};
  r.endpoints = {a, step, c};
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(HdrLog, WritesHeadersThenEveryTimelineIntervalByInterval) {
  auto log = render_hdr_log(two_endpoints(), {});
  ASSERT_TRUE(log.ok()) << log.error().message;
  const auto lines = lines_of(*log);
  ASSERT_EQ(lines.size(), 5u + 6u);
  EXPECT_EQ(lines[0], "#[Histogram log format version 1.3]");
  EXPECT_EQ(lines[2].rfind("#[StartTime: 1700000000.250 (seconds since epoch), 2023-11-14T22:13:20Z]", 0), 0u);
  EXPECT_EQ(lines[3], "#[BaseTime: 1700000000.250 (seconds since epoch)]");
  EXPECT_EQ(lines[4], "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"");
  const RunResult r = two_endpoints();
  EXPECT_EQ(lines[5], "0.000,1.000,3.000," + r.timeline[0].histogram);
  // Tags cannot hold the separators of the line: they become '_'.
  EXPECT_EQ(lines[6], "Tag=a__b,0.000,1.000,2.000," + r.endpoints[0].timeline[0].histogram);
  EXPECT_EQ(lines[7], "Tag=c,0.000,1.000,3.000," + r.endpoints[2].timeline[0].histogram);
  EXPECT_EQ(lines[8], "1.000,1.000,0.500," + r.timeline[1].histogram);
  EXPECT_EQ(lines[10].rfind("Tag=c,1.000,1.000,0.000,HIST", 0), 0u);
}

TEST(HdrLog, OneEndpointIsWrittenAloneAndAnUnknownOneNamesTheOthers) {
  auto log = render_hdr_log(two_endpoints(), HdrLogOptions{"c"});
  ASSERT_TRUE(log.ok());
  const auto lines = lines_of(*log);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[5].rfind("Tag=c,0.000,", 0), 0u);
  EXPECT_EQ(lines[6].rfind("Tag=c,1.000,", 0), 0u);
  auto missing = render_hdr_log(two_endpoints(), HdrLogOptions{"flow/step"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(missing.error().message.find("(endpoints: a, b, c)"), std::string::npos) << missing.error().message;
}

TEST(HdrLog, ResultsWithoutIntervalHistogramsOrWithACorruptOneAreInputErrors) {
  RunResult old = two_endpoints();
  old.timeline[1].histogram.clear();
  auto log = render_hdr_log(old, {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find("/timeline/1: the interval carries no histogram"), std::string::npos)
      << log.error().message;
  RunResult corrupt = two_endpoints();
  corrupt.endpoints[2].timeline[0].histogram = "HISTFAAAnotbase64!";
  log = render_hdr_log(corrupt, {});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.error().message.find("/endpoints/2/timeline/0/histogram: "), std::string::npos) << log.error().message;
}

}  // namespace
}  // namespace perfgate
