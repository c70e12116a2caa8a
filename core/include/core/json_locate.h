#pragma once
// Source positions for JSON input errors: `peak.json:14:9: stages[2].target_rps: must be > 0`.
// JSON libraries forget where a value came from; this re-scans the text for a path instead.

#include <string>
#include <string_view>

namespace perfgate {

/// A 1-based line and column in a text.
struct TextPosition {
  int line = 0;  ///< 0 when unknown
  int column = 0;
};

/// Finds where the value at `json_pointer` (RFC 6901, e.g. "/stages/2/target_rps") starts in `text`.
/// Accepts // and /* */ comments and trailing commas (as the scenario and budgets readers do).
/// Returns the deepest existing ancestor's position when the path does not exist (so a missing
/// field points at the object that should hold it), and {0,0} when the text is not scannable.
TextPosition locate_json_pointer(std::string_view text, std::string_view json_pointer);

/// Turns a JSON pointer into the dotted form users read: "/stages/2/target_rps" -> "stages[2].target_rps".
std::string pointer_to_field_path(std::string_view json_pointer);

/// Formats "FILE:LINE:COL: FIELD: MESSAGE" (":LINE:COL" omitted when unknown, "FIELD: " when empty).
std::string format_input_error(std::string_view file, TextPosition position, std::string_view field,
                               std::string_view message);

/// The line and column of byte `offset` in `text`.
TextPosition position_of_offset(std::string_view text, size_t offset);

}  // namespace perfgate
