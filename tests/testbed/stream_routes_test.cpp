#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "service_fixture.h"

namespace perfgate {
namespace {

using nlohmann::json;
using testing::client_for;
using testing::start_service;
using testing::stats_of;
using testing::wait_for_stats;

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos; pos = haystack.find(needle, pos + 1)) ++count;
  return count;
}

// The data line following the last occurrence of `event: NAME`.
json last_event_data(const std::string& stream, const std::string& name) {
  const auto at = stream.rfind("event: " + name + "\ndata: ");
  if (at == std::string::npos) return json();
  const auto begin = at + name.size() + 14;
  return json::parse(stream.substr(begin, stream.find('\n', begin) - begin));
}

TEST(StreamRoutes, StreamedExportSendsThousandRowChunksWithProgressAndADoneEvent) {
  auto service = start_service();
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  std::string body;
  auto res = client.Get("/reports/export/stream?rows=5500", [&](const char* data, size_t length) {
    body.append(data, length);
    return true;
  });
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/event-stream");
  EXPECT_EQ(count_of(body, "event: rows\n"), 6u);
  EXPECT_EQ(count_of(body, "event: progress\n"), 6u);
  EXPECT_EQ(count_of(body, "event: done\n"), 1u);
  EXPECT_EQ(last_event_data(body, "progress")["rows"], 5500);
  EXPECT_DOUBLE_EQ(last_event_data(body, "progress")["progress"].get<double>(), 100.0);
  EXPECT_EQ(last_event_data(body, "done")["rows"], 5500);
  auto stats = wait_for_stats(*service, [](const json& s) { return s["streams_completed"] == 1; });
  EXPECT_EQ(stats["streams_completed"], 1);
  EXPECT_EQ(stats["streams_cancelled"], 0);
}

TEST(StreamRoutes, ClientDisconnectStopsTheGenerationAndIsCounted) {
  auto service = start_service({"--stream-chunk-delay-ms", "50"});
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  std::string body;
  auto res = client.Get("/reports/export/stream?rows=10000", [&](const char* data, size_t length) {
    body.append(data, length);
    return body.find("event: progress") == std::string::npos;
  });
  EXPECT_FALSE(res);  // the receiver cancelled the transfer
  auto stats = wait_for_stats(*service, [](const json& s) { return s["streams_cancelled"] == 1; });
  EXPECT_EQ(stats["streams_cancelled"], 1);
  EXPECT_EQ(stats["streams_completed"], 0);
  EXPECT_LT(stats["stream_rows_generated"].get<long>(), 10000);
}

TEST(StreamRoutes, ExhaustedPoolAnswers503AndIsCounted) {
  auto service = start_service({"--pool-size", "1", "--pool-timeout-ms", "100", "--stream-chunk-delay-ms", "100"});
  ASSERT_NE(service, nullptr);
  std::atomic<bool> streaming{false};
  std::atomic<bool> release{false};
  std::thread holder([&] {
    auto client = client_for(*service);
    client.Get("/reports/export/stream?rows=10000", [&](const char*, size_t) {
      streaming = true;
      return !release.load();
    });
  });
  while (!streaming) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto client = client_for(*service);
  auto res = client.Get("/reports/sales-fixed?limit=5");
  release = true;
  holder.join();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_GE(stats_of(*service)["pool_exhausted"].get<long>(), 1);
}

}  // namespace
}  // namespace perfgate
