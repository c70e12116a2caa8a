#include "loadgen/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace perfgate {
namespace {

std::string contents(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[512];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return out;
}

LiveStatus status_at(int second) {
  LiveStatus s;
  s.elapsed = std::chrono::seconds(second);
  s.total = std::chrono::seconds(30);
  s.phase = "steady";
  s.target = 500;
  s.interval.duration_ms = 1000;
  s.interval.requests = 498;
  s.interval.errors = 2;
  s.interval.p50_us = 1200;
  s.interval.p95_us = 5000;
  s.interval.p99_us = 250000;
  s.interval.schedule_lag_us = 40;
  return s;
}

TEST(ConsoleProgress, AfterTheScheduleEndsTheLineSaysItIsDrainingNotAZeroTarget) {
  std::FILE* f = std::tmpfile();
  ConsoleProgress progress(f, ProgressStyle::kPeriodicLines);
  LiveStatus late = status_at(32);
  late.target = 0;
  progress.on_interval(late);
  const std::string out = contents(f);
  EXPECT_NE(out.find("[ 32.0s/30s] draining the last responses"), std::string::npos) << out;
  EXPECT_NE(out.find("(schedule done)"), std::string::npos) << out;
  EXPECT_EQ(out.find("0/s target"), std::string::npos) << out;
  EXPECT_EQ(out.find("steady"), std::string::npos) << out;
  std::fclose(f);
}

TEST(ConsoleProgress, TerminalLineShowsRateLatencyErrorsAndLagInPlace) {
  std::FILE* f = std::tmpfile();
  ConsoleProgress progress(f, ProgressStyle::kUpdatingLine);
  progress.on_interval(status_at(1));
  LiveStatus saturated = status_at(2);
  saturated.health.saturated = true;
  progress.on_interval(saturated);
  const std::string out = contents(f);
  EXPECT_NE(out.find("\r\033[K[  1.0s/30s] steady"), std::string::npos) << out;
  EXPECT_NE(out.find("498 req/s (500/s target)"), std::string::npos) << out;
  EXPECT_NE(out.find("p50 1.20ms"), std::string::npos) << out;
  EXPECT_NE(out.find("errors 4"), std::string::npos) << out;
  EXPECT_NE(out.find("GENERATOR SATURATED"), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  std::fclose(f);
}

TEST(ConsoleProgress, LogOutputPrintsOnePlainLineEveryPeriod) {
  std::FILE* f = std::tmpfile();
  ConsoleProgress progress(f, ProgressStyle::kPeriodicLines, std::chrono::seconds(10));
  for (int second = 1; second <= 25; ++second) progress.on_interval(status_at(second));
  const std::string out = contents(f);
  size_t lines = 0;
  for (char c : out) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, 3u);  // at 1 s, 11 s and 21 s
  EXPECT_EQ(out.find('\r'), std::string::npos);
  std::fclose(f);
}

TEST(ConsoleProgress, ExtraTextFromTheProviderIsAppendedToEveryLine) {
  std::FILE* f = std::tmpfile();
  ConsoleProgress progress(f, ProgressStyle::kPeriodicLines, std::chrono::seconds(1));
  int calls = 0;
  progress.set_extra_text([&calls] { return "server rss " + std::to_string(++calls) + " MB"; });
  progress.on_interval(status_at(1));
  progress.on_interval(status_at(2));
  const std::string out = contents(f);
  EXPECT_NE(out.find("in flight 0  server rss 1 MB\n"), std::string::npos) << out;
  EXPECT_NE(out.find("in flight 0  server rss 2 MB\n"), std::string::npos) << out;
  std::fclose(f);
}

}  // namespace
}  // namespace perfgate
