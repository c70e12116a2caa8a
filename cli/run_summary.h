#pragma once
// What `perfgate run` prints about itself: the end-of-run table (redaction lives in core/redact.h).

#include <cstdio>
#include <string>
#include <vector>

#include "core/run_result.h"

namespace perfgate::cli {

/// Prints the short human summary of a finished run (per endpoint: requests, errors, corrected and
/// service-time percentiles; error categories; generator health) to `out`.
void print_run_summary(std::FILE* out, const RunResult& result, const std::string& result_path);

}  // namespace perfgate::cli
