#pragma once
// Typed access to a parsed scenario document that records every problem with its JSON pointer,
// so that the validator reports all of them at once ("FILE:LINE:COL: FIELD: PROBLEM").

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_reader.h"
#include "core/result.h"

namespace perfgate::scenario_detail {

using Json = json_reader::Json;

/// One problem: where (an RFC 6901 pointer into the document) and what ("must be > 0 (got -5)").
using Problem = json_reader::FieldError;

/// Collects problems; turns them into one kInvalidInput error with a line per problem.
class Problems {
 public:
  /// Records a problem unless `pointer` was poisoned (its value is already known to be wrong).
  void add(std::string pointer, std::string message);
  /// Suppresses later problems at `pointer`: after a failed ${ENV} substitution, "must be a URL"
  /// about the unsubstituted text would only be noise.
  void poison(std::string pointer) { poisoned_.push_back(std::move(pointer)); }
  [[nodiscard]] bool empty() const { return problems_.empty(); }
  [[nodiscard]] size_t size() const { return problems_.size(); }
  /// Formats every problem as "SOURCE:LINE:COL: FIELD: MESSAGE", in text order, one per line.
  [[nodiscard]] Error to_error(std::string_view text, std::string_view source) const;

 private:
  std::vector<Problem> problems_;
  std::vector<std::string> poisoned_;
};

using json_reader::child;
/// A value as users would recognise it in "(got X)": compact JSON, shortened past 60 characters.
std::string got(const Json& value);
/// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
/// The closest candidate to `word` when it is close enough to be a plausible typo; "" otherwise.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

/// Reads fields of one JSON object located at `pointer`, reporting problems into `problems`.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string pointer, Problems& problems)
      : object_(object), pointer_(std::move(pointer)), problems_(problems) {}

  /// Reports every member not in `allowed` as an unknown field with a "did you mean" suggestion.
  void allow_only(std::initializer_list<std::string_view> allowed) const;

  [[nodiscard]] bool has(const char* key) const { return object_.contains(key); }
  [[nodiscard]] const Json& at(const char* key) const { return object_.at(key); }
  [[nodiscard]] std::string pointer_of(const char* key) const { return child(pointer_, key); }
  [[nodiscard]] const std::string& pointer() const { return pointer_; }
  [[nodiscard]] const Json& object() const { return object_; }
  Problems& problems() const { return problems_; }

  /// Reports `key` as missing, with `example` shown as the fix.
  void missing(const char* key, std::string_view example) const;
  /// Reports a problem at `key`.
  void problem(const char* key, std::string message) const { problems_.add(pointer_of(key), std::move(message)); }

  // Each getter returns nullopt when the field is absent, or when it has the wrong type (reported).
  std::optional<std::string> string(const char* key) const;
  std::optional<double> number(const char* key) const;
  std::optional<int64_t> integer(const char* key) const;
  std::optional<std::chrono::microseconds> duration(const char* key) const;
  /// An object member; reports a non-object value.
  const Json* object_field(const char* key) const;
  /// An array member; reports a non-array value.
  const Json* array_field(const char* key) const;
  /// A {"Name": "value"} object as ordered pairs; reports non-string values.
  std::vector<std::pair<std::string, std::string>> headers(const char* key) const;

 private:
  const Json& object_;
  std::string pointer_;
  Problems& problems_;
};

/// Reports `value` at `pointer` unless it is an object; returns whether it is.
bool expect_object(const Json& value, const std::string& pointer, Problems& problems);

}  // namespace perfgate::scenario_detail
