// Soak CPU verdict end to end: the built binary runs a few seconds of steady load against the report
// service with its soak knob (each request burns a known CPU time that grows with the request count)
// while profiling it; the result's CPU-per-request slope must match the planted drift and the gate
// must call it drift, and a service with a flat cost must not be flagged.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/run_result_io.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

class Soak : public testing::TempDirTest {
 protected:
  // Offers `kRps` for `kSeconds` to a service started with `knob`, profiled every 50 ms; returns
  // the result read back (nullopt after a test failure).
  std::optional<RunResult> soak(const std::string& name, std::vector<std::string> knob) {
    auto service = testing::start_testbed("soak", 0.01, std::move(knob));
    if (service == nullptr) return std::nullopt;
    {
      std::ofstream f(path(name + ".json"));
      f << R"({"name": "soak-knob", "target": {"base_url": ")" << service->base_url() << R"("},
        "load": {"model": "open", "start_rps": )"
        << kRps << R"(, "stages": [{"duration": ")" << kSeconds << R"(s", "target_rps": )" << kRps
        << R"(, "phase": "steady"}]},
        "endpoints": [{"name": "health", "request": {"path": "/health", "timeout": "5s"}}]})";
    }
    const auto ran = run_perfgate({"run", path(name + ".json"), "--watch-pid", std::to_string(service->pid()),
                                   "--sample-interval", "50ms", "--quiet", "--out", path(name + ".result.json")});
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_NE(ran.output.find("CPU/request drift"), std::string::npos) << ran.output;
    auto result = read_run_result(path(name + ".result.json"));
    EXPECT_TRUE(result.ok()) << result.error().message;
    if (!result.ok() || !result->profile) return std::nullopt;
    return std::move(result).value();
  }

  testing::Ran gate(const std::string& name) {
    {
      std::ofstream f(path("budgets.json"));
      f << R"({"schema_version": 1, "budgets": [{"rules": ["cpu_per_request_drift <= 25%"]}]})";
    }
    return run_perfgate({"gate", path(name + ".result.json"), "--budgets", path("budgets.json"), "--markdown",
                         path(name + ".md"), "--out", path(name + ".gate.json")});
  }

  std::string read(const std::string& file) {
    std::ifstream in(path(file));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static constexpr int kRps = 100;
  static constexpr int kSeconds = 7;
};

TEST_F(Soak, APlantedCpuDriftIsFlaggedWithItsRateAndAFlatCostIsNot) {
  // 1 ms of CPU for the first request, 4 us more for each one after: at 100 requests/s the cost
  // grows 400 us per second (1.44 s per request per hour), from 1 ms to ~3.8 ms over the run, at most
  // ~40% of one core. CPU time, not sleeps: a loaded machine delays it but does not change it.
  constexpr double kGrowthUs = 4;
  const double planted_us_per_hour = kGrowthUs * kRps * 3600.0;
  auto drifting = soak("drift", {"--cpu-per-request-us", "1000", "--cpu-growth-us", "4"});
  ASSERT_TRUE(drifting);
  const ProfileSummary& d = drifting->profile->summary;
  EXPECT_GE(d.cpu_per_request_intervals, 5);
  EXPECT_NEAR(d.cpu_per_request_slope_us_per_hour, planted_us_per_hour, 0.20 * planted_us_per_hour)
      << "interval +/- " << d.cpu_per_request_slope_ci_us_per_hour;
  EXPECT_GT(d.cpu_per_request_slope_us_per_hour - d.cpu_per_request_slope_ci_us_per_hour, 0);
  const auto flagged = gate("drift");
  EXPECT_EQ(flagged.exit_code, 1) << flagged.output;
  EXPECT_NE(flagged.output.find("drift: CPU per request grows"), std::string::npos) << flagged.output;
  EXPECT_NE(read("drift.md").find("cpu_per_request_drift"), std::string::npos);
  const auto html = run_perfgate(
      {"report", path("drift.result.json"), "--gate", path("drift.gate.json"), "--output", path("drift.html")});
  ASSERT_EQ(html.exit_code, 0) << html.output;
  EXPECT_NE(read("drift.html").find("drift: CPU per request grows"), std::string::npos);
  EXPECT_NE(read("drift.result.json").find("cpu_per_request_slope_us_per_hour"), std::string::npos);

  auto flat = soak("flat", {"--cpu-per-request-us", "2000"});
  ASSERT_TRUE(flat);
  const ProfileSummary& f = flat->profile->summary;
  EXPECT_GE(f.cpu_per_request_intervals, 5);

  EXPECT_LT(std::fabs(f.cpu_per_request_slope_us_per_hour), 0.20 * planted_us_per_hour);
  const auto passed = gate("flat");
  EXPECT_EQ(passed.exit_code, 0) << passed.output;
  EXPECT_NE(passed.output.find("cpu_per_request_drift"), std::string::npos) << passed.output;
  EXPECT_EQ(passed.output.find("drift: CPU per request grows"), std::string::npos) << passed.output;
}

}  // namespace
}  // namespace perfgate
