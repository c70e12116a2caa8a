// Every bundled scenario, flows included, time-scaled to a few seconds, against the bundled report service
// with the profiler and the query analyzer on: each writes a valid result with its phases.
#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <sstream>

#include "core/files.h"
#include "core/run_result_io.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

struct BundledRun {
  std::string name;
  double time_scale;  ///< brings the scenario to about 5 s
  double rate_scale;  ///< keeps the peak rate near 20 req/s on 2 shared cores
  std::vector<std::string> phases;
};

// GoogleTest looks the printer up by this name.
void PrintTo(const BundledRun& run, std::ostream* os) { *os << run.name; }  // NOLINT(readability-identifier-naming)

const std::vector<BundledRun>& bundled_runs() {
  static const std::vector<BundledRun> kRuns = {
      {"demo", 5.0 / 40, 0.25, {"warm-up", "steady", "peak"}},
      {"normal", 5.0 / 3600, 1, {"ramp-up", "steady"}},
      {"peak", 5.0 / 1800, 0.5, {"ramp-up", "steady"}},
      {"soak", 5.0 / 28800, 1, {"ramp-up", "steady"}},
      {"spike", 5.0 / 600, 0.3, {"warm-up", "steady", "spike", "recovery"}},
      {"stress", 5.0 / 900, 0.25, {"ramp-up", "steady"}},
      {"async-report", 5.0 / 60, 1, {"warm-up", "steady"}},
      {"dashboard", 5.0 / 60, 0.5, {"warm-up", "steady"}},
      {"seed001-leak", 5.0 / 1200, 1, {"steady"}},
      {"seed001-load", 5.0 / 130, 0.2, {"warm-up", "steady"}},
      {"stream-export", 5.0 / 60, 1, {"warm-up", "steady"}},
  };
  return kRuns;
}

TEST(BundledScenarios, EveryBundledScenarioIsRunHere) {
  const auto ran = run_perfgate({"scenario", "list"});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  std::set<std::string> listed;
  std::istringstream lines(ran.output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) listed.insert(line.substr(0, line.find(' ')));
  }
  std::set<std::string> covered;
  for (const auto& r : bundled_runs()) covered.insert(r.name);
  EXPECT_EQ(listed, covered);
}

class BundledScenario : public testing::TempDirTest, public ::testing::WithParamInterface<BundledRun> {
 protected:
  static void SetUpTestSuite() { service = testing::start_testbed("scenarios", 0.05).release(); }
  static void TearDownTestSuite() {
    delete service;
    service = nullptr;
  }
  static TestbedProcess* service;
};

TestbedProcess* BundledScenario::service = nullptr;

TEST_P(BundledScenario, RunsTimeScaledWithTheProfilerAndWritesAValidResultWithItsPhases) {
  ASSERT_NE(service, nullptr);
  const BundledRun& b = GetParam();
  auto run = [&](const std::string& scenario) {
    return run_perfgate({"run", scenario, "--target", service->base_url(), "--time-scale", std::to_string(b.time_scale),
                         "--rate-scale", std::to_string(b.rate_scale), "--quiet", "--out", path("r.json"),
                         "--watch-pid", std::to_string(service->pid()), "--pg",
                         testing::shared_cluster()->dsn("scenarios")});
  };
  const auto ran = run(b.name);
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto result = read_run_result(path("r.json"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->context.scenario_name, b.name);
  EXPECT_EQ(result->status, "complete");
  std::vector<std::string> phases;
  for (const auto& p : result->phases) phases.push_back(p.name);
  EXPECT_EQ(phases, b.phases);
  ASSERT_FALSE(result->phases.empty());
  EXPECT_NEAR(static_cast<double>(result->phases.back().end_ms), 5000, 200);
  EXPECT_GT(result->total_requests(), 0);
  // The bundled scenarios speak the bundled service's API: no request is refused as malformed or
  // unauthorised (a small test database can still answer 404 for ids beyond its size).
  for (const auto& e : result->endpoints) {
    for (const auto& [status, count] : e.status_codes) {
      const bool refused = status != "404" && status.rfind('4', 0) == 0;
      EXPECT_FALSE(refused) << e.name << " answered " << status << " x" << count;
    }
  }
  ASSERT_TRUE(result->profile.has_value());
  EXPECT_FALSE(result->profile->processes.empty());
  EXPECT_FALSE(result->profile->postgres.empty());
  for (const auto& name : b.phases) EXPECT_TRUE(result->profile->phases.count(name)) << name;
  EXPECT_TRUE(std::filesystem::exists(path("r.findings.json")));
}

INSTANTIATE_TEST_SUITE_P(TimeScaled, BundledScenario, ::testing::ValuesIn(bundled_runs()),
                         [](const ::testing::TestParamInfo<BundledRun>& param) {
                           std::string name = param.param.name;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace perfgate
