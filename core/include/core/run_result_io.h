#pragma once
// JSON reading and writing of RunResult (layout: docs/results.md).

#include <string>

#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// Serialises a result to pretty-printed JSON text.
std::string run_result_to_json(const RunResult& result);

/// Parses JSON text; `source_name` names the input in errors ("results/a.json: ...").
/// Errors (kInvalidInput): not JSON, wrong schema_version, missing or mistyped fields, corrupt histograms.
Result<RunResult> run_result_from_json(const std::string& text, const std::string& source_name);

/// Reads and parses a result file. Unreadable file or bad content: kInvalidInput naming the file.
Result<RunResult> read_run_result(const std::string& path);

/// Writes a result atomically (temp file in the same directory, fsync, rename): a reader never sees
/// a half-written file, and a failure leaves any previous file untouched. Errors are kIo.
Status write_run_result(const RunResult& result, const std::string& path);

}  // namespace perfgate
