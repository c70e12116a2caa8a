#include "distributed/merge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/run_result_io.h"

namespace perfgate {
namespace {

constexpr int64_t kStart = 1'796'385'600'000;

// A shard result whose latencies come from a distribution that differs per shard (so the union's
// percentiles differ from every shard's), with the samples also appended to `all`.
RunResult shard(int index, int count, int samples, std::vector<int64_t>* all = nullptr) {
  RunResult r;
  r.context.scenario_name = "peak";
  r.context.scenario_hash = "abc123";
  r.context.host = "node-" + std::to_string(index);
  r.context.cpu_count = 2;
  r.model = LoadModel::kOpen;
  r.segment = Segment{index, count};
  r.start_unix_ms = kStart + index;  // a few ms apart, as NTP-synced hosts are
  r.duration_s = 10;
  r.target_rps = 100.0 / count;
  r.phases.push_back(PhaseInfo{"steady", 0, 10000, 100.0 / count, 100.0 / count, 0, 0, false});
  std::mt19937_64 rng(static_cast<uint64_t>(index) * 7919);
  // Shard k is log-normal around (k * 2) ms, so tails come from the later shards.
  std::lognormal_distribution<double> latency(std::log(2000.0 * index), 0.6 + 0.1 * index);
  EndpointStats e;
  e.name = "reports.sales";
  for (int i = 0; i < samples; ++i) {
    const auto v = static_cast<int64_t>(latency(rng));
    e.latency.record(v);
    e.service_time.record(v / 2);
    if (all != nullptr) all->push_back(v);
  }
  e.requests = samples;
  e.errors.add(Outcome::kTimeout, index);
  e.errors.add(Outcome::kStatus5xx, 1);
  e.status_codes["200"] = samples - index - 1;
  e.status_codes["503"] = 1;
  e.tallies["x-cache"] = {{"hit", 10 * index}, {"miss", index}};
  e.metrics["polls"] = NamedMetric{"count", Histogram{}};
  e.metrics["polls"].histogram.record(index);
  for (int t = 0; t < 10; ++t) {
    e.timeline.push_back(IntervalStats{static_cast<int64_t>(t) * 1000, 1000, samples / 10, 0, 1000.0 * index,
                                       2000.0 * index, 0, 0, 0, samples / 10, 10.0 * index, ""});
  }
  r.endpoints.push_back(e);
  r.phase_stats.push_back(PhaseStats{"steady", {e}});
  r.phase_stats.back().endpoints.back().timeline.clear();
  r.timeline = e.timeline;
  r.achieved_rps = static_cast<double>(samples) / r.duration_s;
  r.generator.cpu_percent = 10;
  r.generator.mean_schedule_lag_us = 100.0 * index;
  r.generator.max_schedule_lag_us = 1000.0 * index;
  r.generator.requests_behind = index;
  return r;
}

std::vector<ShardResult> shards_of(int count, int samples, std::vector<int64_t>* all = nullptr) {
  std::vector<ShardResult> out;
  for (int k = count; k >= 1; --k)
    out.push_back({"shard-" + std::to_string(k) + ".json", shard(k, count, samples, all)});
  return out;
}

TEST(MergeShards, MergedPercentilesEqualThoseOfOneHistogramHoldingAllSamples) {
  std::vector<int64_t> all;
  auto shards = shards_of(4, 20'000, &all);
  Histogram in_memory;
  for (int64_t v : all) in_memory.record(v);
  {
    auto direct = merge_shards(shards);
    ASSERT_TRUE(direct.ok()) << direct.error().message;
    const Histogram& h = direct->endpoints.at(0).latency;
    EXPECT_EQ(h.max(), in_memory.max());
    for (int tenth = 0; tenth <= 1000; ++tenth) {
      const double p = tenth / 10.0;
      EXPECT_EQ(h.value_at_percentile(p), in_memory.value_at_percentile(p)) << p;
    }
  }
  // Through the result files' JSON, as `perfgate merge` reads them. The stored encoding keeps bucket
  // counts, not the exact max, so the reference is the union's histogram stored the same way.
  for (auto& s : shards) {
    auto back = run_result_from_json(run_result_to_json(s.result), s.path);
    ASSERT_TRUE(back.ok()) << back.error().message;
    s.result = std::move(*back);
  }
  auto merged = merge_shards(shards);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  auto stored = Histogram::from_base64(in_memory.to_base64());
  ASSERT_TRUE(stored.ok());
  const Histogram& one = *stored;
  const Histogram& h = merged->endpoints.at(0).latency;
  ASSERT_EQ(h.total_count(), one.total_count());
  EXPECT_EQ(h.min(), one.min());
  EXPECT_EQ(h.max(), one.max());
  std::sort(all.begin(), all.end());
  for (int tenth = 0; tenth <= 1000; ++tenth) {
    const double p = tenth / 10.0;
    EXPECT_EQ(h.value_at_percentile(p), one.value_at_percentile(p)) << "p" << p;
  }
  for (double p : {99.9, 99.99, 99.999, 100.0}) EXPECT_EQ(h.value_at_percentile(p), one.value_at_percentile(p)) << p;
  // And both are the sorted union's percentile within the histogram's stated precision (0.1%).
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(all.size()))) - 1;
    const auto exact = static_cast<double>(all[rank]);
    EXPECT_NEAR(static_cast<double>(h.value_at_percentile(p)), exact, exact * 0.001 + 1) << "p" << p;
  }
  const LatencySummary s = LatencySummary::of(h);
  EXPECT_EQ(s.p99, LatencySummary::of(one).p99);
}

TEST(MergeShards, CountsErrorsStatusCodesTalliesAndMetricsAdd) {
  auto merged = merge_shards(shards_of(3, 1000));
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const EndpointStats& e = merged->endpoints.at(0);
  EXPECT_EQ(e.requests, 3000);
  EXPECT_EQ(merged->total_requests(), 3000);
  EXPECT_EQ(e.errors.by_category.at("timeout"), 1 + 2 + 3);
  EXPECT_EQ(e.errors.by_category.at("status_5xx"), 3);
  EXPECT_EQ(e.errors.total, 9);
  EXPECT_EQ(e.status_codes.at("503"), 3);
  EXPECT_EQ(e.status_codes.at("200"), 3000 - 9);
  EXPECT_EQ(e.tallies.at("x-cache").at("hit"), 60);
  EXPECT_EQ(e.metrics.at("polls").histogram.total_count(), 3);
  EXPECT_EQ(e.metrics.at("polls").histogram.max(), 3);
  EXPECT_EQ(e.service_time.total_count(), 3000);
  ASSERT_EQ(merged->phase_stats.size(), 1u);
  EXPECT_EQ(merged->phase_stats[0].endpoints.at(0).requests, 3000);
  EXPECT_DOUBLE_EQ(*merged->target_rps, 100.0);
  EXPECT_DOUBLE_EQ(merged->phases.at(0).target_rps_start, 100.0);
  EXPECT_DOUBLE_EQ(merged->achieved_rps, 300.0);
  EXPECT_EQ(merged->status, RunStatus::kComplete);
  EXPECT_FALSE(merged->partial);
  EXPECT_EQ(merged->context.host, "node-1,node-2,node-3");
  EXPECT_EQ(merged->start_unix_ms, kStart + 1);
  EXPECT_FALSE(merged->segment.has_value());
}

TEST(MergeShards, KeepsEachShardsGeneratorHealthAndCombinesThem) {
  auto shards = shards_of(2, 100);
  shards[0].result.generator.saturated = true;  // segment 2/2
  shards[0].result.generator.note = "connections exhausted";
  auto merged = merge_shards(shards);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_TRUE(merged->merge.has_value());
  ASSERT_EQ(merged->merge->shards.size(), 2u);
  EXPECT_EQ(merged->merge->shards[0].segment, (Segment{1, 2}));
  EXPECT_EQ(merged->merge->shards[1].file, "shard-2.json");
  EXPECT_TRUE(merged->merge->shards[1].generator.saturated);
  EXPECT_FALSE(merged->merge->shards[0].generator.saturated);
  EXPECT_TRUE(merged->generator.saturated);
  EXPECT_NE(merged->generator.note.find("segment 2/2: connections exhausted"), std::string::npos);
  EXPECT_DOUBLE_EQ(merged->generator.max_schedule_lag_us, 2000);
  EXPECT_EQ(merged->generator.requests_behind, 3);
  EXPECT_DOUBLE_EQ(merged->generator.cpu_percent, 20);
  EXPECT_EQ(merged->merge->start_skew_ms, 1);
  // The merge record survives the result file.
  auto back = run_result_from_json(run_result_to_json(*merged), "merged.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->merge.has_value());
  EXPECT_EQ(back->merge->shards[1].segment, (Segment{2, 2}));
  EXPECT_TRUE(back->merge->shards[1].generator.saturated);
}

TEST(MergeShards, MergesTheGeneratorsIoWaitAndNamesWhatRanOut) {
  auto shards = shards_of(3, 100);  // segments 3, 2, 1
  shards[0].result.generator.io_wait_percent = 80;
  shards[1].result.generator.io_wait_percent = 60;
  shards[2].result.generator.io_wait_percent = 40;
  shards[2].result.duration_s = 20;  // weighted by measured duration
  auto calm = merge_shards(shards);
  ASSERT_TRUE(calm.ok()) << calm.error().message;
  EXPECT_NEAR(calm->generator.io_wait_percent, (80 * 10 + 60 * 10 + 40 * 20) / 40.0, 1e-9);
  EXPECT_FALSE(calm->generator.busy());

  // One shard's generator ran out of CPU: the merged health is that shard's, so busy() still says so.
  shards[0].result.generator.saturated = true;
  shards[0].result.generator.io_wait_percent = 4;
  shards[0].result.generator.cause = "cpu";
  shards[0].result.generator.requests_behind = 500;
  shards[1].result.generator.saturated = true;
  shards[1].result.generator.cause = "connections";
  shards[1].result.generator.requests_behind = 20;
  shards[1].result.generator.io_wait_percent = 6;
  auto busy = merge_shards(shards);
  ASSERT_TRUE(busy.ok()) << busy.error().message;
  EXPECT_NEAR(busy->generator.io_wait_percent, 5, 1e-9);
  EXPECT_EQ(busy->generator.cause, "cpu");
  EXPECT_TRUE(busy->generator.busy());
  auto back = run_result_from_json(run_result_to_json(*busy), "merged.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_NEAR(back->generator.io_wait_percent, 5, 1e-9);
  EXPECT_EQ(back->generator.cause, "cpu");

  // Unknown everywhere (older shards): unknown in the merge, not 0.
  for (auto& s : shards) s.result.generator = GeneratorHealth{};
  auto unknown = merge_shards(shards);
  ASSERT_TRUE(unknown.ok());
  EXPECT_DOUBLE_EQ(unknown->generator.io_wait_percent, -1);
}

// Every field of a shard's result either survives the merge (summed, merged or carried) or is
// dropped on purpose; a field added to RunResult later shows up here as a failure to decide.
TEST(MergeShards, EveryFieldOfTheShardsIsMergedOrDeliberatelyDropped) {
  auto shards = shards_of(2, 100);
  for (auto& s : shards) {
    RunResult& r = s.result;
    r.context.tool_version = "9.9.9";
    r.context.build_type = "Release";
    r.context.workload_hash = "def456";
    r.context.target = "http://127.0.0.1:8080";
    r.context.load_average_1m = r.segment->index;
    r.context.start_time = "2026-12-04T18:00:0" + std::to_string(r.segment->index) + "Z";
    r.labels["git_sha"] = "cafe";
    r.labels["node"] = "n" + std::to_string(r.segment->index);
    r.phases.insert(r.phases.begin(), PhaseInfo{"warm-up", -2000, 0, 10, 10, 0, 0, true});
    r.generator.io_wait_percent = 50;
    r.spikes.push_back(SpikeVerdict{"steady", 1000, "--spike-p95", 10, 1, 0.1, 1.0, 5.0, "recovered"});
    r.telemetry = TelemetryInfo{"run-1", "", "", "", "http://127.0.0.1:4318", 3, 0, ""};
  }
  auto merged = merge_shards(shards);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const RunResult& m = *merged;
  EXPECT_EQ(m.context.tool_version, "9.9.9");
  EXPECT_EQ(m.context.build_type, "Release");
  EXPECT_EQ(m.context.workload_hash, "def456");
  EXPECT_EQ(m.context.target, "http://127.0.0.1:8080");
  EXPECT_DOUBLE_EQ(m.context.load_average_1m, 2);
  EXPECT_EQ(m.context.start_time, "2026-12-04T18:00:01Z");
  EXPECT_EQ(m.context.cpu_count, 4);
  EXPECT_EQ(m.labels.at("git_sha"), "cafe");
  EXPECT_EQ(m.labels.count("node"), 1u);
  ASSERT_EQ(m.phases.size(), 2u);
  EXPECT_TRUE(m.phases[0].excluded);
  EXPECT_DOUBLE_EQ(m.phases[0].target_rps_start, 20);
  EXPECT_DOUBLE_EQ(m.phases[1].target_rps_end, 100);
  EXPECT_DOUBLE_EQ(m.generator.io_wait_percent, 50);
  EXPECT_EQ(m.total_requests(), 200);
  EXPECT_EQ(m.timeline.size(), 10u);
  EXPECT_EQ(m.timeline[0].requests, 20);
  EXPECT_EQ(m.endpoints[0].tallies.at("x-cache").at("hit"), 30);
  EXPECT_EQ(m.endpoints[0].status_codes.at("503"), 2);
  // Dropped on purpose: the merged result is the whole load, pushed nothing itself, and its spikes
  // are judged again on the merged timeline by the merge command.
  EXPECT_FALSE(m.segment.has_value());
  EXPECT_FALSE(m.telemetry.has_value());
  EXPECT_FALSE(m.limit_search.has_value());
  EXPECT_TRUE(m.spikes.empty());
}

TEST(MergeShards, AlignsTimelinesByWallClock) {
  auto shards = shards_of(2, 1000);
  // Shard 2 started two seconds after shard 1: its first second is the merged run's third.
  shards[0].result.start_unix_ms = kStart + 2000;
  shards[1].result.start_unix_ms = kStart;
  auto merged = merge_shards(shards, MergeOptions{std::chrono::milliseconds(5000)});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const auto& t = merged->timeline;
  ASSERT_EQ(t.size(), 12u);
  EXPECT_EQ(t[0].t_ms, 0);
  EXPECT_EQ(t[0].requests, 100);
  EXPECT_EQ(t[2].t_ms, 2000);
  EXPECT_EQ(t[2].requests, 200);
  EXPECT_DOUBLE_EQ(t[2].p90_us, 4000);  // the worse shard's, an upper bound of the union's
  EXPECT_EQ(t[11].t_ms, 11000);
  EXPECT_EQ(t[11].requests, 100);
  EXPECT_EQ(merged->endpoints.at(0).timeline.size(), 12u);
  EXPECT_EQ(merged->merge->start_skew_ms, 2000);
}

TEST(MergeShards, AMissingSegmentMakesThePartialResultNameIt) {
  auto shards = shards_of(4, 100);
  shards.erase(shards.begin() + 1);  // segment 3/4 was SIGKILLed and wrote nothing
  auto merged = merge_shards(shards);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->status, RunStatus::kPartial);
  EXPECT_TRUE(merged->partial);
  EXPECT_EQ(merged->merge->missing_segments, std::vector<int>{3});
  EXPECT_TRUE(merged->merge->partial_segments.empty());
  EXPECT_EQ(merged->total_requests(), 300);
}

TEST(MergeShards, AnInterruptedShardMakesThePartialResultNameIt) {
  auto shards = shards_of(2, 100);
  shards[1].result.status = RunStatus::kPartial;  // segment 1/2 stopped by SIGTERM
  shards[1].result.partial = true;
  auto merged = merge_shards(shards);
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->status, RunStatus::kPartial);
  EXPECT_EQ(merged->merge->partial_segments, std::vector<int>{1});
  EXPECT_TRUE(merged->merge->missing_segments.empty());
  EXPECT_EQ(merged->merge->shards[0].status, RunStatus::kPartial);
}

void expect_refused(const std::vector<ShardResult>& shards, const std::string& file, const std::string& field,
                    const MergeOptions& options = {}) {
  auto merged = merge_shards(shards, options);
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(merged.error().message.rfind(file + ": " + field + ":", 0), 0u) << merged.error().message;
}

TEST(MergeShards, RefusesShardsOfAnotherScenario) {
  auto shards = shards_of(2, 10);
  shards[1].result.context.scenario_hash = "other";
  expect_refused(shards, "shard-1.json", "context.scenario_hash");
}

TEST(MergeShards, RefusesOverlappingSegments) {
  auto shards = shards_of(2, 10);
  shards.push_back({"copy.json", shards[0].result});
  expect_refused(shards, "copy.json", "segment");
}

TEST(MergeShards, RefusesShardsThatSplitTheLoadDifferently) {
  auto shards = shards_of(2, 10);
  shards.push_back({"other-n.json", shard(3, 3, 10)});
  expect_refused(shards, "other-n.json", "segment");
}

TEST(MergeShards, RefusesAResultThatIsNotAShards) {
  auto shards = shards_of(2, 10);
  shards[1].result.segment.reset();
  expect_refused(shards, "shard-1.json", "segment");
  EXPECT_FALSE(merge_shards({}).ok());
}

TEST(MergeShards, RefusesShardsStartedFurtherApartThanTheAllowedSkew) {
  auto shards = shards_of(2, 10);
  shards[0].result.start_unix_ms = kStart + 1500;
  shards[1].result.start_unix_ms = kStart;
  expect_refused(shards, "shard-2.json", "start_unix_ms", MergeOptions{std::chrono::milliseconds(1000)});
  EXPECT_TRUE(merge_shards(shards, MergeOptions{std::chrono::milliseconds(2000)}).ok());
}

}  // namespace
}  // namespace perfgate

namespace perfgate {
namespace {

TEST(AttachProfile, PlacesTheCentralProfileOnTheMergedTimelineAndDividesByTheMergedRequests) {
  auto merged = merge_shards(shards_of(2, 1000));  // 2000 requests in phase "steady" (0..10 s)
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  RunResult profile_run;
  // The profile started 500 ms before the shards' t = 0 (merged start is kStart + 1).
  profile_run.context.start_time = format_rfc3339_ms(kStart + 1 - 500);
  Profile p;
  p.interval_ms = 1000;
  ProcessTimeline server;
  server.pid = 7;
  server.command = "report-service";
  for (int t = 0; t <= 11; ++t) {
    ProcessSample s;
    s.t_ms = static_cast<int64_t>(t) * 1000;
    s.rss_bytes = 100 << 20;
    s.cpu_percent = 50;  // half a core: 0.5 s of CPU per second
    server.samples.push_back(s);
  }
  p.processes.push_back(server);
  profile_run.profile = p;
  ASSERT_TRUE(attach_profile(*merged, profile_run, "profile.json").ok());
  ASSERT_TRUE(merged->profile.has_value());
  EXPECT_EQ(merged->profile->processes.at(0).samples.at(1).t_ms, 500);
  // 200 requests/s in total against 0.5 s of CPU per second: 2,500 us of CPU per request.
  ASSERT_TRUE(merged->profile->phases.count("steady"));
  EXPECT_NEAR(merged->profile->phases.at("steady").cpu_us_per_request, 2500, 300);

  RunResult no_profile;
  const Status refused = attach_profile(*merged, no_profile, "plain.json");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message.rfind("plain.json: profile:", 0), 0u) << refused.error().message;
}

}  // namespace
}  // namespace perfgate
