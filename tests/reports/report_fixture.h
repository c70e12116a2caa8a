#pragma once
// A realistic, fully deterministic run (two endpoints, a streamed flow, phases, a profile, a
// baseline, findings and a gate report) for the report tests and the browser check.

#include <string>

#include "reports/report_inputs.h"

namespace perfgate::testing {

/// Owns everything a ReportInputs points at.
struct ReportFixture {
  RunResult result;
  RunResult baseline;
  Findings findings;
  GateReport gate;
  /// All four inputs.
  [[nodiscard]] ReportInputs inputs() const { return ReportInputs{&result, &baseline, &findings, &gate}; }
};

/// Builds the fixture; `hostile` puts markup, script and secrets into every user-supplied string.
enum class Hostility { kNone, kHostile };
ReportFixture make_report_fixture(Hostility hostility = Hostility::kNone);

/// A small run with one endpoint whose latencies are centred on `median_us`, for trend tests.
RunResult make_trend_run(int index, double median_us, double error_rate, int64_t peak_rss_bytes);

}  // namespace perfgate::testing
