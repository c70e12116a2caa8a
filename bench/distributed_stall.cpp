// The coordinated-omission proof of tests/loadgen/engine_test.cpp, distributed: N shard processes
// of the built perfgate (`run --segment K/N --start-at T`) against one loopback server that stalls
// every response for 1 s once every 5 s, at 500 req/s in total for 15 s, merged by `perfgate merge`.
// The merged corrected p90/p99 must be within 5% of the analytic truth, as for one process.
// Usage: perfgate_bench_distributed_stall PERFGATE_BINARY [N...]   (default N = 1 2 4)
// Prints one line per N; exits 1 when any N misses the bar. Figures: bench/README.md.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/child_process.h"
#include "core/run_result_io.h"
#include "core/segment.h"
#include "loadgen/support/test_server.h"

namespace {

namespace fs = std::filesystem;
using namespace perfgate;

using testing::wait_exit;

pid_t spawn(const std::string& binary, std::vector<std::string> args) {
  return testing::spawn_quiet(binary, std::move(args), testing::ChildStderr::kKeep);
}

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One distributed run with n shards; returns true when p90 and p99 are within 5% of the truth.
bool run_with(const std::string& binary, const std::string& url, int n, const fs::path& dir) {
  const std::string start = format_rfc3339_ms(now_unix_ms() + 1500);
  std::vector<pid_t> shards;
  std::vector<std::string> files;
  for (int k = 1; k <= n; ++k) {
    files.push_back((dir / ("shard-" + std::to_string(k) + "-of-" + std::to_string(n) + ".json")).string());
    shards.push_back(spawn(
        binary, {"run", "--url", url, "--rate", "500", "--duration", "15s", "--threads", "1", "--quiet", "--segment",
                 std::to_string(k) + "/" + std::to_string(n), "--start-at", start, "--out", files.back()}));
  }
  for (pid_t pid : shards) {
    if (pid < 0 || wait_exit(pid) != 0) {
      std::fprintf(stderr, "N=%d: a shard failed\n", n);
      return false;
    }
  }
  const std::string merged = (dir / ("merged-" + std::to_string(n) + ".json")).string();
  std::vector<std::string> merge_args{"merge"};
  merge_args.insert(merge_args.end(), files.begin(), files.end());
  merge_args.insert(merge_args.end(), {"-o", merged});
  if (wait_exit(spawn(binary, merge_args)) != 0) {
    std::fprintf(stderr, "N=%d: merge failed\n", n);
    return false;
  }
  auto r = read_run_result(merged);
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return false;
  }
  const EndpointStats& e = r->endpoints.at(0);
  // The truth, as in Engine.CorrectedLatencyMatchesTheAnalyticGroundTruthUnderPeriodicStalls:
  // L = S + R with R = 0 w.p. 1 - f and R ~ U(0, D) w.p. f = D/P = 0.2, so
  // p90 = S + 500 ms and p99 = S + 950 ms, S estimated from the requests not sent into a stall.
  const double f = 0.2, d_us = 1e6;
  int64_t long_service = 0;
  e.service_time.for_each_bucket([&](const HistogramBucket& b) {
    if (b.lowest > 100'000) long_service += b.count;
  });
  const double g = static_cast<double>(long_service) / static_cast<double>(e.service_time.total_count());
  const double s = static_cast<double>(e.service_time.value_at_percentile(100 * 0.5 * (1 - g)));
  const double truth_p90 = s + d_us * (0.90 - (1 - f)) / f;
  const double truth_p99 = s + d_us * (0.99 - (1 - f)) / f;
  const LatencySummary c = LatencySummary::of(e.latency);
  const double err90 = std::abs(c.p90 - truth_p90) / truth_p90;
  const double err99 = std::abs(c.p99 - truth_p99) / truth_p99;
  const bool ok = err90 <= 0.05 && err99 <= 0.05;
  std::printf(
      "N=%d requests=%lld achieved=%.1f/s target=%.1f/s skew=%lld ms  p90 %.1f ms (truth %.1f, %+.2f%%)  "
      "p99 %.1f ms (truth %.1f, %+.2f%%)  %s\n",
      n, static_cast<long long>(r->total_requests()), r->achieved_rps, r->target_rps.value_or(0),
      static_cast<long long>(r->merge->start_skew_ms), c.p90 / 1000, truth_p90 / 1000,
      100 * (c.p90 - truth_p90) / truth_p90, c.p99 / 1000, truth_p99 / 1000, 100 * (c.p99 - truth_p99) / truth_p99,
      ok ? "ok" : "MISSED");
  return ok && r->total_requests() == 7500;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PERFGATE_BINARY [N...]\n", argv[0]);
    return 2;
  }
  const std::string binary = argv[1];
  std::vector<int> ns;
  for (int i = 2; i < argc; ++i) ns.push_back(std::atoi(argv[i]));
  if (ns.empty()) ns = {1, 2, 4};
  testing::TestServerOptions so;
  so.delay = std::chrono::milliseconds(1);
  so.stall_duration = std::chrono::seconds(1);
  so.stall_period = std::chrono::seconds(5);
  auto server = testing::TestServer::start(so);
  if (!server) return 3;
  const fs::path dir = fs::temp_directory_path() / ("perfgate-distributed-stall-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  bool all = true;
  for (int n : ns) all = run_with(binary, (*server)->url() + "/reports/sales", n, dir) && all;
  fs::remove_all(dir);
  return all ? 0 : 1;
}
