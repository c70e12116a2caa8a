// Spike verdicts end to end: the built binary runs a spike scenario against the report service with
// its spike knob (sheds load above a rate, then stays degraded for a known time after the spike), and
// the result's per-phase verdict must find that recovery time and the shed share.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "core/run_result_io.h"
#include "integration/testbed_run.h"

namespace perfgate {
namespace {

using testing::run_perfgate;

class Spike : public testing::TempDirTest {};

TEST_F(Spike, RecoveryAfterTheSpikeIsMeasuredWithinASecondOfTheServicesTrueRecovery) {
  // Above 40 requests/s the service answers 503 at once; until 2.5 s after the last shed request
  // every answer takes 300 ms more. The spike offers 80/s for 2 s: about half is shed, and the p95
  // stays over 150 ms for ~2.5 s after the spike ends. The timeline's 1 s intervals bound how close
  // the measurement can come; the proof asks for 1 s.
  constexpr double kTrueRecoveryS = 2.5;
  auto service = testing::start_testbed(
      "spike", 0.01, {"--overload-rps", "40", "--recover-after-ms", "2500", "--degraded-delay-ms", "300"});
  ASSERT_NE(service, nullptr);
  {
    std::FILE* f = std::fopen(path("spike.json").c_str(), "w");
    std::fprintf(f, R"({"name": "spike-knob", "target": {"base_url": "%s"},
      "load": {"model": "open", "start_rps": 10, "stages": [
        {"duration": "2s", "target_rps": 10, "phase": "steady"},
        {"duration": "100ms", "target_rps": 80, "phase": "spike"},
        {"duration": "2s", "target_rps": 80, "phase": "spike"},
        {"duration": "100ms", "target_rps": 10, "phase": "recovery"},
        {"duration": "6s", "target_rps": 10, "phase": "recovery"}]},
      "endpoints": [{"name": "health", "request": {"path": "/health", "timeout": "5s"}}]})",
                 service->base_url().c_str());
    std::fclose(f);
  }
  const auto ran =
      run_perfgate({"run", path("spike.json"), "--spike-p95", "150ms", "--quiet", "--out", path("r.json")});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  auto result = read_run_result(path("r.json"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->spikes.size(), 1u) << ran.output;
  const SpikeVerdict& s = result->spikes[0];
  EXPECT_EQ(s.phase, "spike");
  EXPECT_EQ(s.limit_source, "--spike-p95");
  EXPECT_DOUBLE_EQ(s.p95_limit_us, 150'000);
  ASSERT_EQ(s.verdict, "recovered") << ran.output;
  ASSERT_TRUE(s.recovery_s);
  EXPECT_LE(std::fabs(*s.recovery_s - kTrueRecoveryS), 1.0) << "measured " << *s.recovery_s << " s" << ran.output;
  // 40 of 80 requests/s taken: about half of the spike's requests were shed as 503.
  EXPECT_GT(s.error_share, 0.25) << ran.output;
  EXPECT_LT(s.error_share, 0.75) << ran.output;
  EXPECT_NE(ran.output.find("spike spike: errors"), std::string::npos) << ran.output;
  // The console, Markdown and HTML reports show it per phase.
  const auto md = run_perfgate({"report", path("r.json"), "--format", "markdown", "--output", path("r.md")});
  ASSERT_EQ(md.exit_code, 0) << md.output;
  const auto html = run_perfgate({"report", path("r.json"), "--format", "html", "--output", path("r.html")});
  ASSERT_EQ(html.exit_code, 0) << html.output;
  for (const char* file : {"r.md", "r.html"}) {
    std::FILE* f = std::fopen(path(file).c_str(), "r");
    ASSERT_NE(f, nullptr) << file;
    std::string text;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    EXPECT_NE(text.find("Spikes"), std::string::npos) << file;
    EXPECT_NE(text.find("recovered"), std::string::npos) << file;
  }
}

}  // namespace
}  // namespace perfgate
