#pragma once
// Golden-file comparison for the report formats. Set PERFGATE_UPDATE_GOLDEN=1 to rewrite the files
// under tests/reports/golden/ from the current output (then review the diff).

#include <string>

namespace perfgate::testing {

/// Compares `actual` with tests/reports/golden/NAME (a gtest failure on mismatch, naming the first
/// differing line) or rewrites the file when PERFGATE_UPDATE_GOLDEN=1.
void expect_matches_golden(const std::string& name, const std::string& actual);

/// The HTML report reduced to its structure: one tag per line, the stylesheet, SVG path data, hover
/// points and the renderer's version replaced by placeholders, so golden files show what changed.
std::string html_skeleton(const std::string& html);

}  // namespace perfgate::testing
