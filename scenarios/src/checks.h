#pragma once
// Single-value checks shared by the file parser and quick mode. Each returns "" when the value is
// fine, else the problem in the "must be ... (got X); FIX" form without the field name.

#include <string>
#include <vector>

namespace perfgate::scenario_detail {

/// http(s)://host[:port] with an optional trailing slash and nothing else.
std::string check_base_url(const std::string& url);
/// An absolute http(s) URL with a host (quick mode's --url, absolute step paths).
std::string check_absolute_url(const std::string& url);
/// GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS.
std::string check_method(const std::string& method);
/// "/..." or an absolute http(s) URL.
std::string check_path(const std::string& path);
/// [A-Za-z_][A-Za-z0-9_.-]* (the names usable in {{...}}).
std::string check_variable_name(const std::string& name);
/// "" or a pointer starting with "/" with valid ~ escapes.
std::string check_json_pointer(const std::string& pointer);
/// An ECMAScript regex with exactly `groups` capture groups (-1: any number).
std::string check_regex(const std::string& pattern, int groups);

/// The {{name}} placeholders used in `text`, in order; an unterminated "{{" is returned as "{{".
std::vector<std::string> template_variables(const std::string& text);

}  // namespace perfgate::scenario_detail
