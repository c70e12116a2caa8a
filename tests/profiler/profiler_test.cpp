// Integration: the profiler watching real helper processes with a known resource pattern. Bounds
// are generous enough for a loaded 2-core machine; nothing asserts on wall-clock speed.
#include "profiler/profiler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>

#include "analyzers/budget.h"
#include "analyzers/budget_evaluator.h"
#include "helper_process.h"

namespace perfgate {
namespace {

using namespace std::chrono_literals;
using testing::HelperProcess;

ProfilerOptions watch(std::vector<int64_t> pids, std::chrono::milliseconds interval = 20ms) {
  ProfilerOptions o;
  o.processes.pids = std::move(pids);
  o.processes.children = ChildProcesses::kExclude;
  o.interval = interval;
  return o;
}

std::unique_ptr<Profiler> start_profiler(const ProfilerOptions& options) {
  const Clock& clock = SteadyClock::instance();
  auto p = Profiler::start(options, clock, clock.now());
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? std::move(*p) : nullptr;
}

int64_t vm_hwm_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

TEST(Profiler, ReportsPeakMemoryWithinFivePercentOfTheTruePeak) {
  HelperProcess helper({"grow", "20", "30", "200", "400"});
  ASSERT_EQ(helper.read_line(), "start");
  auto profiler = start_profiler(watch({helper.pid()}));
  ASSERT_TRUE(profiler);
  ASSERT_EQ(helper.read_line(), "peak");
  ASSERT_EQ(helper.read_line(), "freed");
  // Wait (bounded) for a pass after the free; live() is the thread-safe view of the latest pass.
  for (int i = 0; i < 500 && profiler->live().rss_bytes > 100 * 1024 * 1024; ++i) usleep(10'000);
  const Profile profile = profiler->finish({}, 0);
  const int64_t true_peak = vm_hwm_bytes(helper.pid());
  ASSERT_GT(true_peak, 200 * 1024 * 1024);
  EXPECT_NEAR(static_cast<double>(profile.summary.peak_rss_bytes), static_cast<double>(true_peak),
              0.05 * static_cast<double>(true_peak));
  ASSERT_EQ(profile.processes.size(), 1u);
  EXPECT_LT(profile.processes[0].samples.back().rss_bytes, 100 * 1024 * 1024) << "memory was freed";
}

TEST(Profiler, MeasuresTheSlopeOfASteadilyGrowingProcess) {
  HelperProcess helper({"ramp", "100", "150"});  // 100 MiB/s for 1.5 s
  ASSERT_EQ(helper.read_line(), "start");
  auto profiler = start_profiler(watch({helper.pid()}));
  ASSERT_TRUE(profiler);
  ASSERT_EQ(helper.read_line(), "capped");
  const Profile profile = profiler->finish({}, 0);
  const double true_mb_per_hour = 100.0 * 1.048576 * 3600.0;
  EXPECT_GT(profile.summary.rss_slope_mb_per_hour, 0.0);
  EXPECT_NEAR(profile.summary.rss_slope_mb_per_hour, true_mb_per_hour, 0.25 * true_mb_per_hour);
  EXPECT_GT(profile.summary.samples, 10);
}

// The soak verdict end to end: a planted leak of known rate is flagged with that rate, a flat process is not.
Verdict leak_verdict(const Profile& profile, CheckResult* check) {
  RunResult r;
  r.duration_s = 2;
  r.profile = profile;
  auto budgets =
      budgets_from_json(R"({"schema_version": 1, "budgets": [{"rules": ["rss_growth(1h) <= 1GB"]}]})", "b.json");
  EXPECT_TRUE(budgets.ok());
  const auto checks = evaluate_budgets(*budgets, r, nullptr);
  EXPECT_EQ(checks.size(), 1u);
  *check = checks.at(0);
  return check->verdict;
}

TEST(Profiler, APlantedLeakIsFlaggedWithItsRateAndAFlatProcessIsNot) {
  HelperProcess leaking({"ramp", "20", "50"});  // 20 MiB/s for 2.5 s: 75,497 MB/h
  ASSERT_EQ(leaking.read_line(), "start");
  auto profiler = start_profiler(watch({leaking.pid()}));
  ASSERT_TRUE(profiler);
  ASSERT_EQ(leaking.read_line(), "capped");
  const Profile leak = profiler->finish({}, 0);
  const double true_mb_per_hour = 20.0 * 1.048576 * 3600.0;
  EXPECT_NEAR(leak.summary.rss_slope_mb_per_hour, true_mb_per_hour, 0.20 * true_mb_per_hour);
  CheckResult check;
  EXPECT_EQ(leak_verdict(leak, &check), Verdict::kFail) << check.message;
  EXPECT_NEAR(check.measured, true_mb_per_hour * 1e6, 0.20 * true_mb_per_hour * 1e6) << check.message;

  HelperProcess flat({"idle"});
  ASSERT_EQ(flat.read_line(), "start");
  auto flat_profiler = start_profiler(watch({flat.pid()}));
  ASSERT_TRUE(flat_profiler);
  // Bounded by samples, not by time: enough for the slope's interval.
  for (int i = 0; i < 500 && flat_profiler->live().samples < 15; ++i) usleep(10'000);
  const Profile still = flat_profiler->finish({}, 0);
  EXPECT_EQ(leak_verdict(still, &check), Verdict::kPass) << check.message;
}

TEST(Profiler, ReportsCpuOfABusyProcessAndNoneOfAnIdleOne) {
  HelperProcess busy({"burn", "50"});
  HelperProcess idle({"idle"});
  ASSERT_EQ(busy.read_line(), "start");
  ASSERT_EQ(idle.read_line(), "start");
  auto profiler = start_profiler(watch({busy.pid(), idle.pid()}, 50ms));
  ASSERT_TRUE(profiler);
  usleep(800'000);  // the quantity measured is CPU over a span; the span's length is not asserted
  const Profile profile = profiler->finish({}, 100);
  ASSERT_EQ(profile.processes.size(), 2u);
  auto mean_cpu = [](const ProcessTimeline& t) {
    double sum = 0;
    for (const auto& s : t.samples) sum += s.cpu_percent;
    return t.samples.empty() ? -1.0 : sum / static_cast<double>(t.samples.size());
  };
  EXPECT_GT(mean_cpu(profile.processes[0]), 15.0);
  EXPECT_LT(mean_cpu(profile.processes[0]), 90.0);
  EXPECT_LT(mean_cpu(profile.processes[1]), 5.0);
  EXPECT_GT(profile.summary.cpu_us_per_request, 0.0);
}

TEST(Profiler, RecordsAProcessThatExitsMidRunWithoutFailing) {
  HelperProcess short_lived({"exit_after", "150"});
  HelperProcess steady({"idle"});
  ASSERT_EQ(short_lived.read_line(), "start");
  ASSERT_EQ(steady.read_line(), "start");
  auto profiler = start_profiler(watch({short_lived.pid(), steady.pid()}));
  ASSERT_TRUE(profiler);
  ASSERT_EQ(short_lived.read_line(), "");  // EOF: it exited (and is a zombie until reaped)
  usleep(200'000);
  const Profile profile = profiler->finish({}, 0);
  ASSERT_EQ(profile.processes.size(), 2u);
  EXPECT_TRUE(profile.processes[0].exited);
  EXPECT_GT(profile.processes[0].exited_at_ms, 0);
  EXPECT_FALSE(profile.processes[1].exited);
  EXPECT_FALSE(profile.processes[1].samples.empty());
  const bool noted = std::any_of(profile.notes.begin(), profile.notes.end(), [&](const std::string& n) {
    return n.find("pid " + std::to_string(short_lived.pid()) + " exited") != std::string::npos;
  });
  EXPECT_TRUE(noted);
}

TEST(Profiler, FollowsEveryProcessMatchingAPatternButNotItself) {
  const std::string token = "pgtoken-" + std::to_string(std::random_device{}());
  HelperProcess a({"idle", token}), b({"idle", token}), c({"idle", token}), other({"idle", "unrelated"});
  for (auto* h : {&a, &b, &c, &other}) ASSERT_EQ(h->read_line(), "start");
  ProfilerOptions o;
  o.processes.pattern = token + "|profiler_integration_tests";
  o.processes.children = ChildProcesses::kExclude;
  o.interval = 20ms;
  auto profiler = start_profiler(o);
  ASSERT_TRUE(profiler);
  usleep(100'000);
  const Profile profile = profiler->finish({}, 0);
  std::vector<int64_t> pids;
  for (const auto& t : profile.processes) pids.push_back(t.pid);
  auto watched = [&](int64_t pid) { return std::find(pids.begin(), pids.end(), pid) != pids.end(); };
  EXPECT_TRUE(watched(a.pid()));
  EXPECT_TRUE(watched(b.pid()));
  EXPECT_TRUE(watched(c.pid()));
  EXPECT_FALSE(watched(other.pid()));
  // The pattern also matches this test binary's own command line (and any copy of it that ctest runs
  // in parallel, which may legitimately be watched): perfgate's own process never is.
  EXPECT_FALSE(watched(getpid()));
}

TEST(Profiler, PicksUpAMatchingProcessThatStartsMidRun) {
  const std::string token = "pglate-" + std::to_string(std::random_device{}());
  ProfilerOptions o;
  o.processes.pattern = token;
  o.processes.discovery_interval = 0ms;
  o.interval = 20ms;
  auto profiler = start_profiler(o);
  ASSERT_TRUE(profiler);
  HelperProcess late({"idle", token});
  ASSERT_EQ(late.read_line(), "start");
  usleep(200'000);
  const Profile profile = profiler->finish({}, 0);
  ASSERT_EQ(profile.processes.size(), 1u);
  EXPECT_EQ(profile.processes[0].pid, late.pid());
  EXPECT_FALSE(profile.processes[0].samples.empty());
}

TEST(Profiler, IncludesChildProcessesOfAWatchedPid) {
  HelperProcess parent({"children", "2"});
  ASSERT_EQ(parent.read_line(), "ready");
  ProfilerOptions o = watch({parent.pid()});
  o.processes.children = ChildProcesses::kInclude;
  auto profiler = start_profiler(o);
  ASSERT_TRUE(profiler);
  usleep(100'000);
  const Profile profile = profiler->finish({}, 0);
  EXPECT_EQ(profile.processes.size(), 3u);
}

TEST(Profiler, RefusesToStartOnAPidThatDoesNotExist) {
  pid_t gone = 0;
  {
    HelperProcess h({"exit_after", "0"});
    gone = h.pid();
  }
  const Clock& clock = SteadyClock::instance();
  auto p = Profiler::start(watch({gone}), clock, clock.now());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidInput);
}

TEST(Profiler, RefusesToStartWithNothingToProfile) {
  const Clock& clock = SteadyClock::instance();
  auto p = Profiler::start(ProfilerOptions{}, clock, clock.now());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace perfgate
