// Query analysis of a distributed run stays central: one pg_stat_statements snapshot before the
// shards start (`analyze --snapshot-out`), one after the merge (`analyze --since --result`), the
// delta divided by the merged request count, on the bundled report service and a real PostgreSQL.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/files.h"
#include "core/findings.h"
#include "core/segment.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

class DistributedFindings : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    service_ = testing::start_testbed("queries", 0.25);
    ASSERT_NE(service_, nullptr);
  }
  std::string dsn() const { return testing::shared_cluster()->dsn("queries"); }
  std::unique_ptr<TestbedProcess> service_;
};

TEST_F(DistributedFindings, TheRunDeltaOfTwoShardsIsDividedByTheMergedRequests) {
  auto ran = run_perfgate({"analyze", "--pg", dsn(), "--snapshot-out", path("before.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string start = format_rfc3339_ms(now_ms + 1000);
  const std::string url = service_->base_url() + "/reports/sales?limit=20";
  // The two shards one after the other would do too; started together they are a distributed run.
  std::vector<std::thread> shards;
  std::vector<testing::Ran> results(2);
  for (int k = 1; k <= 2; ++k) {
    shards.emplace_back([&, k] {
      results[k - 1] = run_perfgate({"run", "--url", url, "--rate", "10", "--duration", "2s", "--quiet", "--segment",
                                     std::to_string(k) + "/2", "--start-at", start, "--out",
                                     path("shard-" + std::to_string(k) + ".json")});
    });
  }
  for (auto& t : shards) t.join();
  for (const auto& r : results) ASSERT_EQ(r.exit_code, 0) << r.output;
  ran = run_perfgate({"merge", path("shard-1.json"), path("shard-2.json"), "-o", path("merged.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;

  // A shard's result would divide every shard's queries by its own requests: refused.
  ran = run_perfgate({"analyze", "--pg", dsn(), "--since", path("before.json"), "--result", path("shard-1.json")});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find("segment 1/2"), std::string::npos) << ran.output;

  ran = run_perfgate({"analyze", "--pg", dsn(), "--since", path("before.json"), "--result", path("merged.json"),
                      "--out", path("findings.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto findings = read_findings(path("findings.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  EXPECT_EQ(findings->source, "run-delta");
  // One N+1 finding per lookup statement (docs/analyzer.md): 20 rows per page, a user and a product
  // lookup per row, so 20 + 20 = 40 per request of the whole run (one shard's 10 requests would
  // make it 80).
  double lookups_per_request = 0;
  int n_plus_one = 0;
  for (const auto& f : findings->findings) {
    if (f.kind != FindingKind::kNPlusOne) continue;
    ++n_plus_one;
    lookups_per_request += f.calls_per_request;
  }
  ASSERT_GT(n_plus_one, 0) << findings_to_json(*findings);
  EXPECT_NEAR(lookups_per_request, 40, 1) << findings_to_json(*findings);
}

TEST_F(DistributedFindings, ASnapshotFileOfAnotherKindIsRefusedNamingTheField) {
  ASSERT_TRUE(write_file_atomically(path("not-a-snapshot.json"), R"({"kind": "something-else"})").ok());
  ASSERT_TRUE(write_file_atomically(path("r.json"), "{}").ok());
  const auto ran =
      run_perfgate({"analyze", "--pg", dsn(), "--since", path("not-a-snapshot.json"), "--result", path("r.json")});
  EXPECT_EQ(ran.exit_code, 2) << ran.output;
  EXPECT_NE(ran.output.find("not-a-snapshot.json"), std::string::npos) << ran.output;
  EXPECT_NE(ran.output.find("kind"), std::string::npos) << ran.output;
}

}  // namespace
}  // namespace perfgate
