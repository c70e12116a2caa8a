#pragma once
// CSV feeders: the variables a scenario draws from a file, one row per iteration.

#include <string>

#include "core/result.h"
#include "scenarios/scenario.h"

namespace perfgate {

/// Parses CSV text (RFC 4180: comma separated, "quoted" fields with "" escapes, LF or CRLF lines)
/// into `feeder.columns` (the header row, required, names unique and non-empty) and `feeder.rows`
/// (at least one). Blank lines are skipped. `source_name` names the file in errors, which are
/// kInvalidInput "FILE:LINE: PROBLEM", e.g. a row with a different number of fields than the header.
Result<CsvFeeder> parse_csv_feeder(const std::string& text, const std::string& source_name);

}  // namespace perfgate
