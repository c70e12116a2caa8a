#include "loadgen/schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/clock.h"

namespace perfgate {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Stage stage(double secs, double target, std::string phase = "") {
  return Stage{microseconds(static_cast<int64_t>(secs * 1e6)), target, std::move(phase)};
}

TEST(ArrivalSchedule, ConstantRateDueTimesAreExactMultiplesOfTheInterval) {
  auto s = ArrivalSchedule::create(500, {stage(15, 500)});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total_requests(), 7500);
  for (int64_t i : {0, 1, 2, 499, 500, 3333, 7499}) {
    EXPECT_EQ(s->due_time(i)->count(), i * 2'000'000) << i;
  }
  EXPECT_FALSE(s->due_time(7500).has_value());
  EXPECT_FALSE(s->due_time(-1).has_value());
}

TEST(ArrivalSchedule, LinearRampFollowsTheIntegralOfTheRate) {
  // Rate 0 -> 100/s over 10 s: N(t) = 5 t^2, so request i is due at sqrt(i / 5) s.
  auto s = ArrivalSchedule::create(0, {stage(10, 100)});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total_requests(), 500);
  for (int64_t i : {0, 1, 5, 20, 125, 499}) {
    const double expected_ns = std::sqrt(static_cast<double>(i) / 5.0) * 1e9;
    EXPECT_NEAR(static_cast<double>(s->due_time(i)->count()), expected_ns, 1.0) << i;
  }
}

TEST(ArrivalSchedule, RampDownAndHoldAcrossStagesStayExact) {
  // 100/s for 2 s (200 requests), then 100 -> 0 over 2 s (100 more): N(t) = 200 + 100 u - 25 u^2.
  auto s = ArrivalSchedule::create(100, {stage(2, 100), stage(2, 0)});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->total_requests(), 300);
  EXPECT_EQ(s->due_time(199)->count(), 1'990'000'000);
  for (int64_t i : {200, 250, 299}) {
    const double need = static_cast<double>(i) - 200;
    const double u = (100 - std::sqrt(100.0 * 100.0 - 100.0 * need)) / 50.0;
    EXPECT_NEAR(static_cast<double>(s->due_time(i)->count()), (2 + u) * 1e9, 2.0) << i;
  }
}

TEST(ArrivalSchedule, DueTimesNeverDecrease) {
  auto s = ArrivalSchedule::create(3, {stage(1.5, 300), stage(2, 300), stage(0.7, 17), stage(1, 0), stage(1, 50)});
  ASSERT_TRUE(s.ok());
  nanoseconds previous{-1};
  for (int64_t i = 0; i < s->total_requests(); ++i) {
    const auto due = s->due_time(i);
    ASSERT_TRUE(due.has_value()) << i;
    EXPECT_GE(*due, previous) << i;
    previous = *due;
  }
}

TEST(ArrivalSchedule, ZeroRateStartDelaysTheFirstRequest) {
  auto s = ArrivalSchedule::create(0, {stage(2, 0), stage(1, 10)});
  ASSERT_TRUE(s.ok());
  EXPECT_GE(s->due_time(0)->count(), 2'000'000'000);
}

TEST(ArrivalSchedule, RejectsNegativeTargetsAndEmptyShapes) {
  EXPECT_FALSE(ArrivalSchedule::create(1, {}).ok());
  EXPECT_FALSE(ArrivalSchedule::create(1, {stage(1, -5)}).ok());
  EXPECT_FALSE(ArrivalSchedule::create(1, {stage(0, 5)}).ok());
}

TEST(ArrivalSchedule, DueRequestsAtAFakeClockInstantMatchTheIntegral) {
  FakeClock clock;
  auto s = ArrivalSchedule::create(0, {stage(10, 100)});
  ASSERT_TRUE(s.ok());
  clock.advance(seconds(4));
  int64_t due = 0;
  while (s->due_time(due) && *s->due_time(due) <= clock.now()) ++due;
  EXPECT_EQ(due, 81);  // N(4 s) = 80 requests before, plus request 80 exactly at 4 s
}

TEST(VuSchedule, RampAddsOneUserPerStep) {
  auto s = VuSchedule::create(0, {stage(10, 10), stage(5, 10)});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->active_at(nanoseconds(0)), 0);
  EXPECT_EQ(s->active_at(seconds(1)), 1);
  EXPECT_EQ(s->active_at(nanoseconds(2'500'000'000)), 2);
  EXPECT_EQ(s->active_at(seconds(12)), 10);
  EXPECT_EQ(s->active_at(seconds(15)), 0);
  EXPECT_EQ(s->peak(), 10);
}

TEST(EndpointPicker, WeightsDecideTheShareAndTheSeedTheSequence) {
  EndpointPicker a({1, 3, 0, 6}, 42);
  EndpointPicker b({1, 3, 0, 6}, 42);
  std::vector<int> counts(4);
  for (int i = 0; i < 100000; ++i) {
    const size_t x = a.next();
    ASSERT_EQ(x, b.next());
    ++counts[x];
  }
  EXPECT_NEAR(counts[0], 10000, 400);
  EXPECT_NEAR(counts[1], 30000, 600);
  EXPECT_EQ(counts[2], 0);
  EXPECT_NEAR(counts[3], 60000, 600);
  EndpointPicker c({1, 3, 0, 6}, 43);
  int same = 0;
  EndpointPicker d({1, 3, 0, 6}, 42);
  for (int i = 0; i < 100; ++i) same += c.next() == d.next() ? 1 : 0;
  EXPECT_LT(same, 100);
}

TEST(PlanPhases, MergesNamedStagesAndExcludesWarmUp) {
  LoadShape shape;
  shape.start_target = 0;
  shape.stages = {stage(5, 50, "warm-up"), stage(10, 100, "steady"), stage(5, 100, "steady"), stage(5, 0)};
  const auto phases = plan_phases(shape);
  ASSERT_EQ(phases.size(), 3u);
  EXPECT_EQ(phases[0].name, "warm-up");
  EXPECT_TRUE(phases[0].excluded);
  EXPECT_EQ(phases[1].name, "steady");
  EXPECT_EQ(phases[1].start, seconds(5));
  EXPECT_EQ(phases[1].end, seconds(20));
  EXPECT_DOUBLE_EQ(phases[1].target_start, 50);
  EXPECT_DOUBLE_EQ(phases[1].target_end, 100);
  EXPECT_FALSE(phases[1].excluded);
  EXPECT_EQ(phases[2].name, "main");
  EXPECT_EQ(phase_index_at(phases, seconds(4)), 0u);
  EXPECT_EQ(phase_index_at(phases, seconds(5)), 1u);
  EXPECT_EQ(phase_index_at(phases, seconds(99)), 2u);
}

}  // namespace
}  // namespace perfgate
