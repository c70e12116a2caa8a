// Cost of the profiler's sampling pass (the budget: < 1% of one core at 10 Hz, i.e. < 1 ms per pass)
// and of its periodic /proc rescan and slope fit. The CPU column is the sampling thread's CPU time.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <vector>

#include "core/clock.h"
#include "profiler/process_sampler.h"
#include "profiler/slope.h"

namespace {

using perfgate::ProcessSampler;
using perfgate::ProcessTargets;

// Idle child processes to watch, killed when the benchmark ends.
class Children {
 public:
  explicit Children(int n) {
    for (int i = 0; i < n; ++i) {
      const pid_t pid = fork();
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) pause();
      }
      pids_.push_back(pid);
    }
  }
  ~Children() {
    for (const pid_t p : pids_) kill(p, SIGKILL);
    for (const pid_t p : pids_) waitpid(p, nullptr, 0);
  }
  [[nodiscard]] std::vector<int64_t> pids() const { return {pids_.begin(), pids_.end()}; }

 private:
  std::vector<pid_t> pids_;
};

void run_passes(benchmark::State& state, const ProcessTargets& targets) {
  const perfgate::Clock& clock = perfgate::SteadyClock::instance();
  auto sampler = ProcessSampler::create(targets, clock.now());
  if (!sampler.ok()) {
    state.SkipWithError(sampler.error().message.c_str());
    return;
  }
  int64_t t_ms = 0;
  for (auto _ : state) {
    (*sampler)->sample(clock.now(), t_ms += 100);
  }
  state.counters["processes"] = static_cast<double>((*sampler)->process_count());
  std::vector<std::string> notes;
  benchmark::DoNotOptimize((*sampler)->take_timelines(notes));
}

void BM_SamplingPass(benchmark::State& state) {
  Children children(static_cast<int>(state.range(0)));
  ProcessTargets targets;
  targets.pids = children.pids();
  targets.children = perfgate::ChildProcesses::kExclude;
  run_passes(state, targets);
}
BENCHMARK(BM_SamplingPass)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond);

// A pass that also rescans all of /proc for a pattern and children (done once per discovery
// interval, 1 s by default, so its cost is divided by 10 at 10 Hz).
void BM_SamplingPassWithRescan(benchmark::State& state) {
  Children children(8);
  ProcessTargets targets;
  targets.pids = children.pids();
  targets.pattern = "no-process-matches-this-[0-9]{12}";
  targets.discovery_interval = std::chrono::milliseconds(0);
  run_passes(state, targets);
}
BENCHMARK(BM_SamplingPassWithRescan)->Unit(benchmark::kMicrosecond);

void BM_TheilSen(benchmark::State& state) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> x, y;
  for (int i = 0; i < 36000; ++i) {  // one hour at 10 Hz
    x.push_back(i / 36000.0);
    y.push_back(500 + 20.0 * x.back() + noise(rng));
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(perfgate::theil_sen(x, y, static_cast<size_t>(state.range(0))));
  }
}
BENCHMARK(BM_TheilSen)->Arg(400)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
