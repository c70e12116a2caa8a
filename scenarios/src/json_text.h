#pragma once
// JSON as people write it: comments and trailing commas. nlohmann_json 3.11 (Debian 12) ignores
// comments but rejects trailing commas, so both are blanked out before parsing.

#include <string>
#include <string_view>

namespace perfgate::scenario_detail {

/// Replaces // and /* */ comments and trailing commas (before } or ]) with spaces, keeping every
/// other byte and every newline where it was so that parser offsets still map to the original text.
/// Text inside strings is never touched.
std::string blank_comments_and_trailing_commas(std::string_view text);

}  // namespace perfgate::scenario_detail
