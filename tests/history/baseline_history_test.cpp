#include "history/baseline_history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/run_result_io.h"
#include "history/history_entry.h"
#include "history/store.h"

namespace perfgate {
namespace {

TEST(ParseBaselineHistory, ReadsABranchAndAnOptionalCount) {
  auto plain = parse_baseline_history("main");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->branch, "main");
  EXPECT_EQ(plain->runs, 5u);
  auto counted = parse_baseline_history("release/2.1:12");
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->branch, "release/2.1");
  EXPECT_EQ(counted->runs, 12u);
}

TEST(ParseBaselineHistory, RefusesABadCountOrNoBranch) {
  for (const char* bad : {"main:0", "main:x", "main:", ":5", "main:100000"}) {
    auto r = parse_baseline_history(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().message.find("--baseline-history"), std::string::npos);
  }
}

// The main branch's runs against the staging host pool as the baseline of a preview deployment on
// another host:port: the identity is the workload hash, which leaves the target out. A run of
// another workload on the same branch is skipped, and results without a workload hash (older
// versions) are known by their scenario hash.
TEST(LoadHistoryBaseline, PoolsRunsOfTheSameWorkloadAgainstAnotherTargetAndSkipsOtherWorkloads) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("perfgate-history-identity-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto store = open_directory_store(dir.string());
  auto entry = [](uint64_t seed, const std::string& target, const std::string& workload) {
    testing::SyntheticRun spec;
    spec.seed = seed;
    spec.seconds = 10;
    RunResult r = testing::make_run(spec);
    r.context.target = target;
    r.context.scenario_hash = "scenario-" + target + "-" + workload;  // covers the target
    r.context.workload_hash = workload;
    HistoryEntry e;
    e.summary = summarize_run(r, nullptr);
    e.summary.branch = "main";
    e.result_json = run_result_to_json(r);
    return e;
  };
  ASSERT_TRUE(store->append(entry(1, "http://staging:8080", "w1")).ok());
  ASSERT_TRUE(store->append(entry(2, "http://staging:8080", "w2")).ok());
  ASSERT_TRUE(store->append(entry(3, "http://staging:8080", "w1")).ok());

  RunContext preview;
  preview.target = "http://127.0.0.1:49152";
  preview.scenario_hash = "scenario-preview-w1";
  preview.workload_hash = "w1";
  std::string description;
  auto pooled = load_history_baseline(*store, *parse_baseline_history("main:5"), preview.identity_hash(), description);
  ASSERT_TRUE(pooled.ok()) << pooled.error().message;
  EXPECT_NE(description.find("runs 1, 3"), std::string::npos) << description;

  RunContext older;  // a result of a version that wrote no workload hash
  older.scenario_hash = "scenario-old";
  EXPECT_EQ(older.identity_hash(), "scenario-old");
  auto none = load_history_baseline(*store, *parse_baseline_history("main"), older.identity_hash(), description);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("3 of other scenarios"), std::string::npos) << none.error().message;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace perfgate
