#pragma once
// The instrument flags `perfgate run` and `perfgate profile` share (one spelling, older ones kept
// as aliases) and the profile/findings lines printed after a run. Private to the CLI.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "core/findings.h"
#include "core/run_result.h"
#include "pipeline/run_session.h"

namespace perfgate::cli {

/// Adds --watch-pid (alias --pid), --watch-pattern (--pattern), --no-children, --spawn, --ready,
/// --ready-timeout, --sample-interval (--interval), --pg and --pg-interval to `cmd`, filling `options`.
void add_instrument_flags(CLI::App* cmd, InstrumentOptions& options);

/// Adds --metrics-listen, --metrics-file, --metrics-linger, --otlp-endpoint and --otlp-interval.
void add_telemetry_flags(CLI::App* cmd, InstrumentOptions& options);

/// Prints where the metrics went and how many OTLP pushes failed; nothing without telemetry.
void print_telemetry_summary(std::FILE* out, const RunResult& result);

/// Prints the profile summary (peak RSS, CPU, memory slope, PostgreSQL connections) and the
/// findings summary after the run summary; `findings` may be null.
void print_instrument_summary(std::FILE* out, const RunResult& result, const Findings* findings,
                              const std::string& findings_path);

}  // namespace perfgate::cli
