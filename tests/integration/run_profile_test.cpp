// `perfgate run` with the profiler against the bundled report service: what the timelines show
// about the in-memory and the streamed export, and about an exhausted connection pool.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/run_result_io.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

// The largest RSS summed over the watched processes at one instant, minus the first instant's.
int64_t rss_growth(const Profile& profile) {
  std::map<int64_t, int64_t> by_instant;
  for (const auto& t : profile.processes) {
    for (const auto& s : t.samples) by_instant[s.t_ms] += s.rss_bytes;
  }
  if (by_instant.empty()) return 0;
  int64_t peak = 0;
  for (const auto& [t_ms, rss] : by_instant) peak = std::max(peak, rss);
  return peak - by_instant.begin()->second;
}

class RunProfile : public testing::TempDirTest {};

// Each export runs against a fresh service so both start from the same resident memory.
Profile profile_of_export(const std::string& path, const std::string& out) {
  auto service = testing::start_testbed("exports", 0.5);  // 100k transactions
  if (service == nullptr) return {};
  const auto ran = run_perfgate({"run", "--url", service->base_url() + path, "--rate", "1", "--duration", "4s",
                                 "--timeout", "15s", "--quiet", "--out", out, "--watch-pid",
                                 std::to_string(service->pid()), "--sample-interval", "50ms"});
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  auto result = read_run_result(out);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok() || !result->profile) return {};
  EXPECT_EQ(result->total_errors(), 0) << path;
  EXPECT_GE(result->total_requests(), 4) << path;
  return *result->profile;
}

TEST_F(RunProfile, TheInMemoryExportsRssGrowthAndTheStreamedExportsFlatMemoryShowInTheTimeline) {
  const Profile streamed = profile_of_export("/reports/export/stream?rows=100000", path("stream.json"));
  const Profile in_memory = profile_of_export("/reports/export?rows=100000", path("memory.json"));
  ASSERT_FALSE(streamed.processes.empty());
  ASSERT_FALSE(in_memory.processes.empty());
  const int64_t streamed_growth = rss_growth(streamed);
  const int64_t in_memory_growth = rss_growth(in_memory);
  // The in-memory export holds the result set, the JSON document and its text at once (tens of MB
  // for 100k rows); the stream holds one 1,000-row chunk.
  EXPECT_LT(streamed_growth, 16'000'000) << "streamed export RSS growth (bytes)";
  EXPECT_GT(in_memory_growth, 4 * std::max<int64_t>(streamed_growth, 2'000'000))
      << "in-memory " << in_memory_growth << " B vs streamed " << streamed_growth << " B";
  EXPECT_GT(in_memory.summary.peak_rss_bytes, streamed.summary.peak_rss_bytes);
}

TEST_F(RunProfile, AStressRunExhaustsThePoolAndThePostgresTimelineShowsItsBoundWhile503sCountAs5xx) {
  PgCluster* cluster = testing::shared_cluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_NE(testing::start_testbed("pool", 0.05), nullptr);  // seeds the database, then stops
  const int port = testing::free_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  // Each streamed export holds its pooled connection for 5 chunks x 100 ms; two connections serve
  // 4 exports a second, so at 10 a second most wait 50 ms for a connection and get 503.
  const std::string command =
      testing::testbed_command("pool", port, "--pool-size 2 --pool-timeout-ms 50 --stream-chunk-delay-ms 100");
  const auto ran = run_perfgate({"run", "--url", base + "/reports/export/stream?rows=5000", "--rate", "10",
                                 "--duration", "4s", "--quiet", "--out", path("r.json"), "--spawn", command, "--ready",
                                 base + "/health", "--pg", cluster->dsn("pool")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto result = read_run_result(path("r.json"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->endpoints.size(), 1u);
  const EndpointStats& e = result->endpoints[0];
  const auto n503 = e.status_codes.find("503");
  ASSERT_NE(n503, e.status_codes.end()) << ran.output;
  EXPECT_GT(n503->second, e.requests / 4);
  EXPECT_EQ(e.errors.by_category.at("status_5xx"), n503->second);
  EXPECT_GT(e.status_codes.at("200"), 0);

  ASSERT_TRUE(result->profile.has_value());
  const auto& pg = result->profile->postgres;
  ASSERT_GE(pg.size(), 3u);
  int64_t busy_at_bound = 0;
  for (const auto& s : pg) {
    EXPECT_LE(s.total, 2) << "at " << s.t_ms << " ms";
    if (s.active + s.idle_in_transaction == 2) ++busy_at_bound;
  }
  EXPECT_EQ(result->profile->summary.peak_pg_connections, 2);
  EXPECT_GE(busy_at_bound, 2) << "samples with both pooled connections inside an export";
}

}  // namespace
}  // namespace perfgate
