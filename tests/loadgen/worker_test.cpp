// Merging of per-worker figures (white-box: the cells are private to loadgen/src).
#include "worker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace perfgate {
namespace {

TEST(EndpointCell, MergingWorkersGivesTheSamePercentilesAsOneHistogramOfEverySample) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(7.0, 1.2);
  std::vector<int64_t> all;
  Histogram single;
  std::vector<EndpointCell> workers(4);
  for (int i = 0; i < 40000; ++i) {
    const int64_t v = static_cast<int64_t>(dist(rng)) + 1;
    all.push_back(v);
    single.record(v);
    EndpointCell& w = workers[static_cast<size_t>(i % 4)];
    w.latency.record(v);
    ++w.requests;
    ++w.outcomes[static_cast<size_t>(i % 10 == 0 ? Outcome::kTimeout : Outcome::kOk)];
    ++w.statuses[200];
  }
  EndpointCell merged;
  for (const auto& w : workers) merged.merge(w);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(merged.requests, 40000);
  EXPECT_EQ(merged.latency.total_count(), 40000);
  EXPECT_EQ(merged.outcomes[static_cast<size_t>(Outcome::kTimeout)], 4000);
  EXPECT_EQ(merged.statuses[200], 40000);
  EXPECT_EQ(merged.latency.max(), all.back());
  for (double q : {50.0, 90.0, 99.0, 99.9}) {
    // Merging is exact: the same answer as one histogram of every sample...
    EXPECT_EQ(merged.latency.value_at_percentile(q), single.value_at_percentile(q)) << q;
    // ...which is the sorted sample at that rank (give or take one rank) within 0.1%.
    const auto rank = static_cast<size_t>(std::ceil(q / 100 * static_cast<double>(all.size())));
    const double low = static_cast<double>(all[rank - 2]) * 0.999;
    const double high = static_cast<double>(all[rank]) * 1.001 + 1;
    const auto got = static_cast<double>(merged.latency.value_at_percentile(q));
    EXPECT_GE(got, low) << q;
    EXPECT_LE(got, high) << q;
  }
}

TEST(IntervalAccum, MergeAddsCountsAndKeepsTheWorstLag) {
  IntervalAccum a, b;
  a.endpoints.resize(2);
  b.endpoints.resize(2);
  a.endpoints[1].requests = 3;
  a.endpoints[1].max_lag_ns = 5;
  b.endpoints[1].requests = 4;
  b.endpoints[1].max_lag_ns = 9;
  b.endpoints[1].latency.record(1000);
  a.behind = 1;
  b.behind = 2;
  b.lag_max_ns = 77;
  a.merge(b);
  EXPECT_EQ(a.endpoints[1].requests, 7);
  EXPECT_EQ(a.endpoints[1].max_lag_ns, 9);
  EXPECT_EQ(a.endpoints[1].latency.total_count(), 1);
  EXPECT_EQ(a.behind, 3);
  EXPECT_EQ(a.lag_max_ns, 77);
  a.reset();
  EXPECT_EQ(a.endpoints[1].requests, 0);
  EXPECT_TRUE(a.endpoints[1].latency.empty());
}

}  // namespace
}  // namespace perfgate
