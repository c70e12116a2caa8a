#pragma once
// The one place that removes credentials from what perfgate prints or records: PostgreSQL DSNs and
// URLs. Error messages, results, findings and command lines all go through it.

#include <string>
#include <vector>

namespace perfgate {

/// The DSN without its password, in every libpq form: "password=..." in keyword/value DSNs (quoted
/// values included), "user:pass@" in postgres:// URIs and "?password=..." URI parameters; each
/// password becomes "***". Text that is no DSN comes back unchanged; pure, thread-safe.
std::string redact_dsn(const std::string& dsn);

/// The URL without its credentials: "scheme://user:pass@host/p" becomes "scheme://host/p". Only the
/// authority is looked at, so an '@' in the path or query stays; text without "://" comes back
/// unchanged. Pure, thread-safe.
std::string redact_url(const std::string& url);

/// Joins argv for RunContext::command_line with secrets removed: values of Authorization, Cookie,
/// Proxy-Authorization and X-Api-Key headers (-H, --header), URL credentials (redact_url), and every
/// non-empty string in `secret_values`; arguments with spaces or quotes are single-quoted. Pure.
std::string redact_command_line(const std::vector<std::string>& args, const std::vector<std::string>& secret_values);

}  // namespace perfgate
