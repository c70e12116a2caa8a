#include "profiler/process_sampler.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/clock.h"

namespace perfgate {
namespace {

// A PID that existed a moment ago and has been reaped: the likeliest PID not to exist now.
int64_t reaped_pid() {
  const pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST(ProcessSampler, RejectsAPidThatDoesNotExistAsInvalidInput) {
  ProcessTargets targets;
  targets.pids = {reaped_pid()};
  auto sampler = ProcessSampler::create(targets, SteadyClock::instance().now());
  ASSERT_FALSE(sampler.ok());
  EXPECT_EQ(sampler.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(sampler.error().message.find("no such process"), std::string::npos) << sampler.error().message;
}

TEST(ProcessSampler, RejectsAnInvalidPattern) {
  ProcessTargets targets;
  targets.pattern = "worker[";
  auto sampler = ProcessSampler::create(targets, SteadyClock::instance().now());
  ASSERT_FALSE(sampler.ok());
  EXPECT_EQ(sampler.error().code, ErrorCode::kInvalidInput);
}

TEST(ProcessSampler, ReportsAnUnreadableProcAsUnavailable) {
  ProcessTargets targets;
  targets.pids = {getpid()};
  targets.proc_root = "/nonexistent-proc";
  auto sampler = ProcessSampler::create(targets, SteadyClock::instance().now());
  ASSERT_FALSE(sampler.ok());
  EXPECT_EQ(sampler.error().code, ErrorCode::kUnavailable);
}

TEST(ProcessSampler, SamplesItsOwnProcessWhenGivenItsPid) {
  ProcessTargets targets;
  targets.pids = {getpid()};
  targets.children = ChildProcesses::kExclude;
  const MonoTime t0 = SteadyClock::instance().now();
  auto sampler = ProcessSampler::create(targets, t0);
  ASSERT_TRUE(sampler.ok()) << sampler.error().message;
  (*sampler)->sample(t0 + std::chrono::milliseconds(100), 100);
  std::vector<std::string> notes;
  auto timelines = (*sampler)->take_timelines(notes);
  ASSERT_EQ(timelines.size(), 1u);
  ASSERT_EQ(timelines[0].samples.size(), 1u);
  const ProcessSample& s = timelines[0].samples[0];
  EXPECT_EQ(s.t_ms, 100);
  EXPECT_GT(s.rss_bytes, 1'000'000);
  EXPECT_GE(s.threads, 1);
  EXPECT_GE(s.open_fds, 3);
  EXPECT_FALSE(timelines[0].exited);
}

}  // namespace
}  // namespace perfgate
