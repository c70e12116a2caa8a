#include "reader.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "core/units.h"

namespace perfgate::scenario_detail {

void Problems::add(std::string pointer, std::string message) {
  if (std::find(poisoned_.begin(), poisoned_.end(), pointer) != poisoned_.end()) return;
  problems_.push_back({std::move(pointer), std::move(message)});
}

Error Problems::to_error(std::string_view text, std::string_view source) const {
  struct Located {
    TextPosition position;
    size_t order;
    std::string line;
  };
  std::vector<Located> lines;
  for (size_t i = 0; i < problems_.size(); ++i) {
    const Problem& p = problems_[i];
    const TextPosition position = locate_json_pointer(text, p.pointer);
    lines.push_back({position, i, format_input_error(source, position, pointer_to_field_path(p.pointer), p.message)});
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Located& a, const Located& b) {
    return std::tie(a.position.line, a.position.column, a.order) <
           std::tie(b.position.line, b.position.column, b.order);
  });
  std::string message;
  for (const Located& l : lines) {
    if (!message.empty()) message += "\n";
    message += l.line;
  }
  return invalid_input(message);
}

std::string got(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

void ObjectReader::allow_only(std::initializer_list<std::string_view> allowed) const {
  const std::vector<std::string> names(allowed.begin(), allowed.end());
  for (const auto& [key, value] : object_.items()) {
    if (std::find(names.begin(), names.end(), key) != names.end()) continue;
    std::string message = "unknown field";
    const std::string suggestion = closest(key, names);
    if (!suggestion.empty()) message += "; did you mean \"" + suggestion + "\"?";
    problems_.add(child(pointer_, key), message);
  }
}

void ObjectReader::missing(const char* key, std::string_view example) const {
  problems_.add(pointer_of(key), "required field is missing; add " + std::string(example));
}

std::optional<std::string> ObjectReader::string(const char* key) const {
  if (!has(key)) return std::nullopt;
  const Json& v = at(key);
  if (!v.is_string()) {
    problem(key, "must be a string (got " + got(v) + ")");
    return std::nullopt;
  }
  return v.get<std::string>();
}

std::optional<double> ObjectReader::number(const char* key) const {
  if (!has(key)) return std::nullopt;
  const Json& v = at(key);
  if (!v.is_number()) {
    problem(key, "must be a number (got " + got(v) + ")");
    return std::nullopt;
  }
  return v.get<double>();
}

std::optional<int64_t> ObjectReader::integer(const char* key) const {
  if (!has(key)) return std::nullopt;
  const Json& v = at(key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() && std::abs(v.get<double>()) < 9e15) {
    return static_cast<int64_t>(v.get<double>());
  }
  problem(key, "must be an integer (got " + got(v) + ")");
  return std::nullopt;
}

std::optional<std::chrono::microseconds> ObjectReader::duration(const char* key) const {
  if (!has(key)) return std::nullopt;
  const Json& v = at(key);
  if (!v.is_string()) {
    problem(key, "must be a duration string with a unit (got " + got(v) + "); e.g. \"15s\", \"500ms\", \"1h30m\"");
    return std::nullopt;
  }
  auto parsed = parse_duration(v.get<std::string>());
  if (!parsed) {
    problem(key, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

const Json* ObjectReader::object_field(const char* key) const {
  if (!has(key)) return nullptr;
  return expect_object(at(key), pointer_of(key), problems_) ? &at(key) : nullptr;
}

const Json* ObjectReader::array_field(const char* key) const {
  if (!has(key)) return nullptr;
  if (!at(key).is_array()) {
    problem(key, "must be an array (got " + got(at(key)) + ")");
    return nullptr;
  }
  return &at(key);
}

std::vector<std::pair<std::string, std::string>> ObjectReader::headers(const char* key) const {
  std::vector<std::pair<std::string, std::string>> out;
  const Json* object = object_field(key);
  if (object == nullptr) return out;
  for (const auto& [name, value] : object->items()) {
    if (!value.is_string()) {
      problems_.add(child(pointer_of(key), name), "header value must be a string (got " + got(value) + ")");
      continue;
    }
    if (name.empty() || name.find_first_of(" :\t\r\n") != std::string::npos) {
      problems_.add(child(pointer_of(key), name), "invalid header name (got \"" + name + "\")");
      continue;
    }
    out.emplace_back(name, value.get<std::string>());
  }
  return out;
}

bool expect_object(const Json& value, const std::string& pointer, Problems& problems) {
  if (value.is_object()) return true;
  problems.add(pointer, "must be an object (got " + got(value) + ")");
  return false;
}

}  // namespace perfgate::scenario_detail
