// The query analyzer on the bundled report service: from the pg_stat_statements delta of a
// `perfgate run --pg` and from `perfgate analyze --probe-url`. The N+1 sales report and the
// unindexed region filter are found; their fixed and indexed twins are not.
#include <gtest/gtest.h>

#include "core/files.h"
#include "core/findings.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

class RunFindings : public testing::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    // 50k transactions, 50 regions: large enough that the region index more than halves the plan cost.
    service_ = testing::start_testbed("queries", 0.25);
    ASSERT_NE(service_, nullptr);
  }
  std::string dsn() const { return testing::shared_cluster()->dsn("queries"); }
  std::string url(const std::string& path) const { return service_->base_url() + path; }
  std::unique_ptr<TestbedProcess> service_;
};

std::vector<const Finding*> of_kind(const Findings& f, FindingKind kind) {
  std::vector<const Finding*> out;
  for (const auto& x : f.findings) {
    if (x.kind == kind) out.push_back(&x);
  }
  return out;
}

TEST_F(RunFindings, TheRunDeltaFlagsTheNPlusOneSalesReportWithItsLookupsPerRequest) {
  const auto ran =
      run_perfgate({"run", "--url", url("/reports/sales?limit=20"), "--rate", "10", "--duration", "2s", "--quiet",
                    "--out", path("sales.json"), "--watch-pid", std::to_string(service_->pid()), "--pg", dsn()});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto findings = read_findings(path("sales.findings.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  EXPECT_EQ(findings->source, "run-delta");
  EXPECT_FALSE(findings->inconclusive);
  const auto n1 = of_kind(*findings, FindingKind::kNPlusOne);
  // 20 rows per page, one user and one product lookup per row: one finding per lookup, 20 each.
  ASSERT_EQ(n1.size(), 2u) << findings_to_json(*findings);
  EXPECT_NE(n1[0]->table, n1[1]->table);
  for (const auto* f : n1) {
    EXPECT_NEAR(f->calls_per_request, 20, 1) << findings_to_json(*findings);
    EXPECT_NEAR(f->evidence.at("parent_rows_per_request"), 20, 1);
  }
  EXPECT_NE(ran.output.find("n_plus_one"), std::string::npos) << ran.output;
}

TEST_F(RunFindings, TheRunDeltaProvesAnIndexForTheRegionFilterAndNothingForTheIndexedUserFilter) {
  ASSERT_TRUE(write_file_atomically(path("filters.json"), R"({
    "name": "filters",
    "target": {"base_url": ")" + service_->base_url() + R"("},
    "load": {"model": "open", "start_rps": 10, "stages": [{"duration": "2s", "target_rps": 10, "phase": "steady"}]},
    "endpoints": [
      {"name": "by_region", "request": {"path": "/reports/by-region?region=region-07", "expect_status": [200]}},
      {"name": "by_user", "request": {"path": "/reports/by-user?user_id=7", "expect_status": [200]}}
    ]
  })")
                  .ok());
  const auto ran = run_perfgate({"run", path("filters.json"), "--quiet", "--out", path("filters-run.json"), "--pg",
                                 dsn(), "--findings-out", path("filters-findings.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto findings = read_findings(path("filters-findings.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  const auto indexes = of_kind(*findings, FindingKind::kMissingIndex);
  ASSERT_EQ(indexes.size(), 1u) << findings_to_json(*findings);
  EXPECT_EQ(indexes[0]->table, "transactions");
  EXPECT_EQ(indexes[0]->columns, std::vector<std::string>{"region"});
  EXPECT_EQ(indexes[0]->confidence, Confidence::kConfirmed);
  ASSERT_TRUE(indexes[0]->evidence.count("cost_before") && indexes[0]->evidence.count("cost_after"));
  EXPECT_LT(indexes[0]->evidence.at("cost_after"), indexes[0]->evidence.at("cost_before") / 2);
  EXPECT_NE(indexes[0]->query.find("where region = $1"), std::string::npos) << indexes[0]->query;
  for (const auto& f : findings->findings) EXPECT_EQ(f.query.find("user_id = $1"), std::string::npos) << f.summary;
}

TEST_F(RunFindings, ProbingFlagsTheSalesReportButNotItsFixedTwinAndProvesOnlyTheRegionIndex) {
  const std::string sales = url("/reports/sales?limit=20");
  const std::string fixed = url("/reports/sales-fixed?limit=20");
  auto ran = run_perfgate({"analyze", "--pg", dsn(), "--probe-url", sales, "--probe-url", fixed, "--requests", "5",
                           "--scale-param", "limit", "--out", path("sales.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto findings = read_findings(path("sales.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  const auto n1 = of_kind(*findings, FindingKind::kNPlusOne);
  // One user and one product lookup per row: two findings of 20 each, named without host:port.
  ASSERT_EQ(n1.size(), 2u) << findings_to_json(*findings);
  EXPECT_NE(n1[0]->table, n1[1]->table);
  for (const auto* f : n1) {
    EXPECT_EQ(f->endpoint, "GET /reports/sales?limit=20");
    EXPECT_NEAR(f->calls_per_request, 20, 1);
    EXPECT_EQ(f->confidence, Confidence::kConfirmed);
  }
  for (const auto& f : findings->findings) EXPECT_EQ(f.endpoint.find("sales-fixed"), std::string::npos) << f.summary;

  ran =
      run_perfgate({"analyze", "--pg", dsn(), "--probe-url", url("/reports/by-region?region=region-07"), "--probe-url",
                    url("/reports/by-user?user_id=7"), "--requests", "5", "--out", path("filters.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  findings = read_findings(path("filters.json"));
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  const auto indexes = of_kind(*findings, FindingKind::kMissingIndex);
  ASSERT_EQ(indexes.size(), 1u) << findings_to_json(*findings);
  // Index findings name the statement (shared by endpoints), not an endpoint.
  EXPECT_NE(indexes[0]->query.find("where region = $1"), std::string::npos) << findings_to_json(*findings);
  EXPECT_EQ(findings->queries_per_request.size(), 2u);
  EXPECT_EQ(indexes[0]->columns, std::vector<std::string>{"region"});
  EXPECT_LT(indexes[0]->evidence.at("cost_after"), indexes[0]->evidence.at("cost_before") / 2);
  for (const auto& f : findings->findings) {
    EXPECT_EQ(f.endpoint.find("by-user"), std::string::npos) << f.summary;
    EXPECT_EQ(f.query.find("user_id = $1"), std::string::npos) << f.summary;
  }
}

}  // namespace
}  // namespace perfgate
