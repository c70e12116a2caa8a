#pragma once
// What `perfgate run` prints and records about itself: the end-of-run table and redacted inputs.

#include <cstdio>
#include <string>
#include <vector>

#include "core/run_result.h"

namespace perfgate::cli {

/// Prints the short human summary of a finished run (per endpoint: requests, errors, corrected and
/// service-time percentiles; error categories; generator health) to `out`.
void print_run_summary(std::FILE* out, const RunResult& result, const std::string& result_path);

/// Joins argv for RunContext::command_line with secrets removed: values of Authorization, Cookie
/// and Proxy-Authorization headers, URL credentials, and every string in `secret_values`.
std::string redact_command_line(const std::vector<std::string>& args, const std::vector<std::string>& secret_values);

}  // namespace perfgate::cli
