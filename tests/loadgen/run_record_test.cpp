// The coordinator's bookkeeping: saturation verdicts and measured time (white-box, loadgen/src).
#include "run_record.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

RunPlan plan_of(std::vector<Stage> stages, double start = 100) {
  Scenario s;
  s.base_url = "http://127.0.0.1:1";
  Endpoint e;
  e.name = "a";
  e.steps.emplace_back();
  s.endpoints.push_back(e);
  s.shape.start_target = start;
  s.shape.stages = std::move(stages);
  auto plan = make_run_plan(s, EngineOptions{});
  EXPECT_TRUE(plan.ok());
  return std::move(*plan);
}

RunRecord record_with(int64_t sent, int64_t behind, int64_t connection_waits) {
  RunRecord r;
  r.sent = sent;
  r.totals.behind = behind;
  r.totals.connection_waits = connection_waits;
  r.totals.lag_count = sent;
  r.totals.lag_sum_ns = static_cast<double>(sent) * 2000;
  r.totals.lag_max_ns = 15'000'000;
  return r;
}

TEST(GeneratorHealth, SaturationNamesTheResourceThatRanOut) {
  const RunPlan plan = plan_of({Stage{seconds(10), 100, ""}});
  const GeneratorHealth fine = health_of(record_with(1000, 10, 0), plan);
  EXPECT_FALSE(fine.saturated);
  EXPECT_DOUBLE_EQ(fine.mean_schedule_lag_us, 2);
  EXPECT_DOUBLE_EQ(fine.max_schedule_lag_us, 15000);

  const GeneratorHealth pool = health_of(record_with(1000, 100, 90), plan);
  EXPECT_TRUE(pool.saturated);
  EXPECT_NE(pool.note.find("connections exhausted"), std::string::npos);

  RunRecord busy_generator = record_with(1000, 100, 0);
  busy_generator.cpu_percent = 100.0 * plan.threads;
  const GeneratorHealth cpu = health_of(busy_generator, plan);
  EXPECT_TRUE(cpu.saturated);
  EXPECT_NE(cpu.note.find("could not keep up"), std::string::npos);

  RunRecord busy_machine = record_with(1000, 100, 0);
  busy_machine.cpu_percent = 5;
  const GeneratorHealth machine = health_of(busy_machine, plan);
  EXPECT_TRUE(machine.saturated);
  EXPECT_NE(machine.note.find("other processes held the CPUs"), std::string::npos);

  EXPECT_FALSE(health_of(record_with(10, 4, 0), plan).saturated);  // a few late requests are noise

  // An idle generator whose late requests partly waited for a connection: the bound, not the machine.
  RunRecord idle_bound = record_with(1000, 100, 20);
  idle_bound.cpu_percent = 5;
  const GeneratorHealth bound = health_of(idle_bound, plan);
  EXPECT_TRUE(bound.saturated);
  EXPECT_NE(bound.note.find("raise --connections"), std::string::npos) << bound.note;
}

TEST(GeneratorHealth, FullConnectionsOfAGeneratorThatNeverWaitedAreTheGenerators) {
  const RunPlan plan = plan_of({Stage{seconds(10), 100, ""}});
  // Every late request also found no free connection. Workers blocked on I/O 60% of the time were
  // waiting for the server: the connection bound.
  RunRecord waiting = record_with(1000, 100, 100);
  waiting.cpu_percent = 30;
  waiting.ran = seconds(10);
  waiting.totals.io_waited_ns = static_cast<int64_t>(6e9 * plan.threads);
  const GeneratorHealth server = health_of(waiting, plan);
  EXPECT_EQ(server.cause, "connections");
  EXPECT_NEAR(server.io_wait_percent, 60, 1e-9);
  EXPECT_FALSE(server.busy());
  // Blocked 3% of the time: responses were waiting for the workers, which held the connections.
  RunRecord busy = waiting;
  busy.totals.io_waited_ns = static_cast<int64_t>(0.3e9 * plan.threads);
  const GeneratorHealth generator = health_of(busy, plan);
  EXPECT_TRUE(generator.busy());
  EXPECT_EQ(generator.cause, "scheduler") << generator.note;
  busy.cpu_percent = 95.0 * plan.threads;
  EXPECT_EQ(health_of(busy, plan).cause, "cpu");
}

TEST(GeneratorHealth, MillisecondsOfJitterOnABusyMachineIsNotSaturation) {
  const RunPlan plan = plan_of({Stage{seconds(10), 100, ""}});
  RunRecord jittery = record_with(1000, 100, 0);
  jittery.totals.lag_max_ns = 3'000'000;
  EXPECT_FALSE(health_of(jittery, plan).saturated);
}

TEST(AssembleResult, MeasuredTimeExcludesWarmUpAndStopsAtAnInterruption) {
  Scenario scenario;
  const RunPlan plan = plan_of({Stage{seconds(2), 100, "warm-up"}, Stage{seconds(4), 300, "steady"}});
  RunRecord complete;
  complete.elapsed = milliseconds(6100);
  RunResult r = assemble_result(scenario, plan, {}, complete);
  EXPECT_DOUBLE_EQ(r.duration_s, 4);
  EXPECT_NEAR(*r.target_rps, 200, 1e-9);  // 100 -> 300 linearly: mean 200
  EXPECT_EQ(r.status, "failed");          // no worker, so no request completed

  RunRecord stopped;
  stopped.stopped = true;
  stopped.elapsed = seconds(4);
  r = assemble_result(scenario, plan, {}, stopped);
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.status, "failed");
  EXPECT_DOUBLE_EQ(r.duration_s, 2);
  EXPECT_NEAR(*r.target_rps, 150, 1e-9);  // 100 -> 200 over the 2 s that ran
  ASSERT_EQ(r.phases.size(), 2u);
  EXPECT_TRUE(r.phases[0].excluded);
  EXPECT_EQ(r.phases[1].start_ms, 2000);
}

TEST(RunStatus, FailedWhenNothingSucceededOrTheRunGaveUpElsePartialOrComplete) {
  RunRecord complete;
  EXPECT_EQ(run_status(complete, 100, 3), "complete");
  EXPECT_EQ(run_status(complete, 100, 100), "failed");
  EXPECT_EQ(run_status(complete, 0, 0), "failed");
  RunRecord stopped;
  stopped.stopped = true;
  EXPECT_EQ(run_status(stopped, 10, 0), "partial");
  EXPECT_EQ(run_status(stopped, 10, 10), "failed");
  RunRecord gave_up;
  gave_up.gave_up = true;
  gave_up.stopped = true;
  EXPECT_EQ(run_status(gave_up, 10, 10), "failed");
}

}  // namespace
}  // namespace perfgate
