#pragma once
// Escaping and redaction shared by the renderers: every string that came from the server or the
// user passes through one of these before it reaches a report.

#include <string>
#include <string_view>

namespace perfgate::reports_detail {

/// Escapes & < > " ' for HTML text and attribute values (also valid XML for inline SVG).
std::string escape_html(std::string_view text);

/// Escapes & < > " ' for XML text and attribute values (&apos;), dropping the control characters
/// XML 1.0 forbids even when escaped (all below 0x20 but tab, newline and carriage return).
std::string escape_xml(std::string_view text);

/// Escapes a string for a Markdown table cell or line: HTML-significant characters, pipes,
/// backticks, emphasis markers and newlines (which become spaces).
std::string escape_markdown(std::string_view text);

/// A fenced code block whose fence is longer than any backtick run inside `code`, so the code
/// cannot close it early.
std::string markdown_code_block(std::string_view code, std::string_view language);

/// Replaces secrets with "[redacted]": values of Authorization/Cookie/API-key headers, of
/// password=/token=/secret= style parameters, and passwords in URL user-info (user:pass@host).
/// Applied defensively to command lines, targets and labels even though results are already redacted.
std::string redact_secrets(std::string_view text);

}  // namespace perfgate::reports_detail
