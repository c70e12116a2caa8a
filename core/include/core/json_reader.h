#pragma once
// The one kit every JSON reader of perfgate is built on (results, findings, gate reports, budgets,
// statistics snapshots, history entries, scenarios): parsing with the position of a syntax error,
// typed field getters whose errors name the field, and the turning of a field problem into
// "FILE:LINE:COL: FIELD: MESSAGE". It exposes nlohmann::json, so only modules' src/ files include it.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/json_locate.h"
#include "core/result.h"

namespace perfgate::json_reader {

using Json = nlohmann::json;

/// A problem with the value at `pointer` (RFC 6901, "/stages/2/target_rps"): "must be > 0 (got -5)".
/// The getters throw it; a reader catches it once at its top (read_document does) and reports it
/// with field_error. It never leaves the reader's module.
struct FieldError {
  std::string pointer;
  std::string message;
};

/// `pointer` + "/" + `key`, with '~' and '/' escaped as RFC 6901 asks.
std::string child(const std::string& pointer, std::string_view key);
/// `pointer` + "/" + `index`.
std::string child(const std::string& pointer, size_t index);

/// The member `key` of the object `j` found at `at`. Throws FieldError when `j` is not an object
/// ("expected an object") or the member is absent ("missing field 'KEY'").
const Json& member(const Json& j, const std::string& at, const std::string& key);

/// Throws FieldError at `at` ("expected an array") unless `j` is an array.
void expect_array(const Json& j, const std::string& at);

/// Whether the JSON number `v` converts to the integer type T without leaving T's range (a fraction
/// within range truncates, as before).
template <typename T>
bool fits(const Json& v) {
  using Limits = std::numeric_limits<T>;
  if (v.is_number_float()) {
    const double d = v.get<double>();
    const double bound = std::ldexp(1.0, Limits::digits);  // 2^digits: just past T's largest value
    return std::isfinite(d) && d < bound && (Limits::is_signed ? d >= -bound : d > -1.0);
  }
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(Limits::max());
  const int64_t i = v.get<int64_t>();
  if constexpr (Limits::is_signed) {
    return i >= static_cast<int64_t>(Limits::min()) && i <= static_cast<int64_t>(Limits::max());
  } else {
    return i >= 0 && static_cast<uint64_t>(i) <= static_cast<uint64_t>(Limits::max());
  }
}

/// The member `key` converted to T. Throws FieldError when it is absent or of another type
/// ("has the wrong type (string)"), or for an integer T, a number outside T's range ("is out of range").
template <typename T>
T get(const Json& j, const std::string& at, const std::string& key) {
  const Json& v = member(j, at, key);
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // A number beyond T would convert with an undefined (float) or wrapped (integer) result.
    if (v.is_number() && !fits<T>(v)) throw FieldError{child(at, key), "is out of range"};
  }
  try {
    return v.get<T>();
  } catch (const Json::exception&) {
    throw FieldError{child(at, key), "has the wrong type (" + std::string(v.type_name()) + ")"};
  }
}

/// As get, but `fallback` when `j` is not an object or the member is absent or null.
template <typename T>
T get_or(const Json& j, const std::string& at, const std::string& key, T fallback) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
  return get<T>(j, at, key);
}

/// The member `key` read as one of `values`, each spelled `name(value)`; `fallback` when absent.
/// Throws FieldError "unknown value "X" (expected one of: a, b, c)" for any other text.
template <typename E, size_t N, typename Name>
E enum_field(const Json& j, const std::string& at, const std::string& key, const E (&values)[N], Name name,
             E fallback) {
  if (!j.is_object() || !j.contains(key)) return fallback;
  const auto text = get<std::string>(j, at, key);
  std::string allowed;
  for (E v : values) {
    if (text == name(v)) return v;
    allowed += std::string(allowed.empty() ? "" : ", ") + std::string(name(v));
  }
  throw FieldError{child(at, key), "unknown value \"" + text + "\" (expected one of: " + allowed + ")"};
}

/// Parses `text` (// and /* */ comments allowed). Errors: kInvalidInput
/// "SOURCE:LINE:COL: not valid JSON: WHAT[; FIX]" at the offending byte, or
/// "SOURCE: not valid JSON: ...; numbers must fit a double" for a number out of range.
Result<Json> parse(std::string_view text, std::string_view source_name, std::string_view fix = "");

/// `problem` as kInvalidInput "SOURCE:LINE:COL: FIELD: MESSAGE", the position found in `text`
/// (omitted when `text` is empty or the pointer cannot be found).
Error field_error(std::string_view source_name, std::string_view text, const FieldError& problem);

/// Returns `read(j)` for a parsed `j` (from `text`, "" when there is no text to locate in); a
/// FieldError it throws becomes field_error, any other nlohmann exception
/// "SOURCE: malformed WHAT: ..." (all kInvalidInput).
template <typename Read>
auto read_parsed(const Json& j, std::string_view text, std::string_view source_name, std::string_view what, Read&& read)
    -> Result<decltype(read(j))> {
  try {
    return read(j);
  } catch (const FieldError& e) {
    return field_error(source_name, text, e);
  } catch (const Json::exception& e) {
    return invalid_input(format_input_error(source_name, {}, "", "malformed " + std::string(what) + ": " + e.what()));
  }
}

/// Parses `text` (see parse) and returns read_parsed of it.
template <typename Read>
auto read_document(const std::string& text, const std::string& source_name, std::string_view what, Read&& read)
    -> Result<decltype(read(std::declval<const Json&>()))> {
  auto j = parse(text, source_name);
  if (!j) return j.error();
  return read_parsed(*j, text, source_name, what, std::forward<Read>(read));
}

}  // namespace perfgate::json_reader
