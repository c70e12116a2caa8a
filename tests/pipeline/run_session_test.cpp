#include "pipeline/run_session.h"

#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace perfgate {
namespace {

TEST(DefaultFindingsPath, SitsNextToTheResultWithTheJsonExtensionReplaced) {
  EXPECT_EQ(default_findings_path("out/run.json"), "out/run.findings.json");
  EXPECT_EQ(default_findings_path("run"), "run.findings.json");
  EXPECT_EQ(default_findings_path(".json"), ".json.findings.json");
}

TEST(DsnPassword, IsFoundInKeywordAndUriForms) {
  EXPECT_EQ(dsn_password("host=db user=app password=s3cret dbname=shop"), "s3cret");
  EXPECT_EQ(dsn_password("host=db password = 'with space' dbname=shop"), "with space");
  EXPECT_EQ(dsn_password("postgresql://app:s3cret@db:5432/shop"), "s3cret");
  EXPECT_EQ(dsn_password("postgres://app@db/shop"), "");
  EXPECT_EQ(dsn_password("host=db user=app dbname=shop"), "");
  EXPECT_EQ(dsn_password("host=db oldpassword=x"), "");
}

TEST(RequestsInAllPhases, CountsWarmUpAndSkipsFlowSteps) {
  RunResult r;
  EndpointStats request;
  request.requests = 10;
  EndpointStats step;
  step.kind = EndpointKind::kStep;
  step.requests = 30;
  r.phase_stats = {PhaseStats{"warm-up", {request}}, PhaseStats{"steady", {request, step}}};
  EXPECT_EQ(requests_in_all_phases(r), 20);
}

TEST(ObserverChain, ForwardsEveryHookToEachObserverInOrder) {
  struct Recorder : RunObserver {
    std::string* log;
    char id;
    Recorder(std::string* l, char i) : log(l), id(i) {}
    void on_start(const std::vector<PhaseInfo>&) override { *log += std::string("s") + id; }
    void on_interval(const LiveStatus&) override { *log += std::string("i") + id; }
    void on_phase_change(const PhaseInfo&) override { *log += std::string("p") + id; }
    void on_finish(RunResult&) override { *log += std::string("f") + id; }
  };
  std::string log;
  Recorder a(&log, 'a');
  Recorder b(&log, 'b');
  ObserverChain chain;
  chain.add(&a);
  chain.add(nullptr);
  chain.add(&b);
  RunResult r;
  chain.on_start({});
  chain.on_phase_change({});
  chain.on_interval({});
  chain.on_finish(r);
  EXPECT_EQ(log, "sasbpapbiaibfafb");
}

// A clock the test moves by hand and the profiler's threads read (FakeClock is single-threaded).
class SharedFakeClock final : public Clock {
 public:
  [[nodiscard]] MonoTime now() const override { return MonoTime{now_ns_.load()}; }
  void advance(std::chrono::nanoseconds by) { now_ns_ += by.count(); }

 private:
  std::atomic<int64_t> now_ns_{0};
};

// Waits (bounded, 5 s) until the profiler has taken at least `n` samples, moving the clock on by
// 1 ms per try: the sampler schedules its next pass from whatever the clock said when it looked.
bool wait_for_samples(const RunSession& session, SharedFakeClock& clock, int64_t n) {
  for (int i = 0; i < 500 && session.live().samples < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (session.live().samples < n) clock.advance(std::chrono::milliseconds(1));
  }
  return session.live().samples >= n;
}

// Spends `cpu` of this process's CPU time (measured in CPU time, so a busy machine only makes it
// take longer).
void burn_cpu(std::chrono::milliseconds cpu) {
  auto used = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  };
  const auto until = used() + cpu;
  volatile uint64_t sink = 0;
  while (used() < until) {
    for (int i = 0; i < 10000; ++i) sink = sink + static_cast<uint64_t>(i);
  }
}

TEST(RunSession, WithoutInstrumentsStartsNothingAndLeavesTheResultAlone) {
  SharedFakeClock clock;
  auto session = RunSession::prepare(InstrumentOptions{}, QueryCapture::kRunDelta, clock);
  ASSERT_TRUE(session.ok()) << session.error().message;
  EXPECT_FALSE((*session)->profiling());
  EXPECT_FALSE((*session)->has_query_capture());
  RunResult r;
  (*session)->on_finish(r);
  EXPECT_FALSE(r.profile.has_value());
}

TEST(RunSession, RejectsReadyWithoutSpawnAndABadIntervalNamingTheFlag) {
  SharedFakeClock clock;
  InstrumentOptions ready;
  ready.ready_url = "http://127.0.0.1:1/health";
  auto a = RunSession::prepare(ready, QueryCapture::kNone, clock);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(a.error().message.find("--ready"), std::string::npos) << a.error().message;
  InstrumentOptions interval;
  interval.watch_pids = {::getpid()};
  interval.sample_interval = "0ms";
  auto b = RunSession::prepare(interval, QueryCapture::kNone, clock);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("--sample-interval"), std::string::npos) << b.error().message;
}

// Regression (perfgate demo): the profiler starts before the load, so its samples must be moved onto
// the run's timeline (t = 0 when the first request was due) before the profile is summarised, and
// each phase must be summarised with its own requests.
TEST(RunSession, MovesTheProfileOntoTheRunTimelineAndSummarisesEachPhaseWithItsRequests) {
  SharedFakeClock clock;
  InstrumentOptions o;
  o.watch_pids = {::getpid()};
  o.sample_interval = "10ms";
  auto prepared = RunSession::prepare(o, QueryCapture::kNone, clock);
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  RunSession& session = **prepared;
  ASSERT_TRUE(session.profiling());

  // Five idle seconds between starting the profiler and the first request (a server's start, the
  // query snapshot): the sampler takes its first sample at 5 s on its own clock.
  clock.advance(std::chrono::seconds(5));
  session.on_start({});
  ASSERT_TRUE(wait_for_samples(session, clock, 1)) << "no sample taken";
  LiveStatus first;
  first.elapsed = std::chrono::milliseconds(0);
  session.on_interval(first);
  // The run: 50 ms of this process's CPU time, then the next sample 800 ms later on the run's clock.
  burn_cpu(std::chrono::milliseconds(50));
  const int64_t before = session.live().samples;
  clock.advance(std::chrono::milliseconds(800));
  ASSERT_TRUE(wait_for_samples(session, clock, before + 1)) << "no sample after the run's CPU";

  RunResult r;
  PhaseInfo steady;
  steady.name = "steady";
  steady.end_ms = 1500;  // the run went on a little while the test waited for the sample
  r.phases = {steady};
  EndpointStats endpoint;
  endpoint.requests = 400;
  r.phase_stats = {PhaseStats{"steady", {endpoint}}};
  r.endpoints = {endpoint};
  session.on_finish(r);

  ASSERT_TRUE(r.profile.has_value());
  ASSERT_EQ(r.profile->processes.size(), 1u);
  const auto& samples = r.profile->processes[0].samples;
  ASSERT_FALSE(samples.empty());
  for (const auto& s : samples) {
    EXPECT_GE(s.t_ms, 0);
    EXPECT_LE(s.t_ms, 1500) << "sample still on the profiler's clock (started 5 s before the run)";
  }
  ASSERT_EQ(r.profile->phases.count("steady"), 1u);
  EXPECT_EQ(r.profile->phases.at("steady").samples, r.profile->summary.samples);
  EXPECT_GT(r.profile->phases.at("steady").cpu_us_per_request, 0);
  EXPECT_GT(r.profile->summary.cpu_us_per_request, 0);
}

}  // namespace
}  // namespace perfgate
