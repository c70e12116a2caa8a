// Micro-benchmarks of the histogram's hot paths: record (every request) and merge (every interval).
#include <benchmark/benchmark.h>

#include <random>

#include "core/histogram.h"

namespace {

std::vector<int64_t> latency_like_values(size_t n) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(7.0, 1.2);  // median ~1.1 ms, long tail
  std::vector<int64_t> values(n);
  for (auto& v : values) v = static_cast<int64_t>(dist(rng));
  return values;
}

void BM_HistogramRecord(benchmark::State& state) {
  perfgate::Histogram h;
  const auto values = latency_like_values(4096);
  size_t i = 0;
  for (auto _ : state) {
    h.record(values[i++ & 4095]);
  }
  benchmark::DoNotOptimize(h.total_count());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramMerge(benchmark::State& state) {
  perfgate::Histogram a;
  perfgate::Histogram b;
  for (const int64_t v : latency_like_values(100000)) b.record(v);
  for (auto _ : state) {
    a.merge(b);
  }
  benchmark::DoNotOptimize(a.total_count());
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramValueAtPercentile(benchmark::State& state) {
  perfgate::Histogram h;
  for (const int64_t v : latency_like_values(100000)) h.record(v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.value_at_percentile(99.0));
  }
}
BENCHMARK(BM_HistogramValueAtPercentile);

void BM_HistogramEncode(benchmark::State& state) {
  perfgate::Histogram h;
  for (const int64_t v : latency_like_values(100000)) h.record(v);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.to_base64());
  }
}
BENCHMARK(BM_HistogramEncode);

}  // namespace

BENCHMARK_MAIN();
