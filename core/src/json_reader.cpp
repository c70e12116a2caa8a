#include "core/json_reader.h"

namespace perfgate::json_reader {

std::string child(const std::string& pointer, std::string_view key) {
  std::string escaped;
  for (const char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return pointer + "/" + escaped;
}

std::string child(const std::string& pointer, size_t index) { return pointer + "/" + std::to_string(index); }

const Json& member(const Json& j, const std::string& at, const std::string& key) {
  if (!j.is_object()) throw FieldError{at, "expected an object"};
  const auto it = j.find(key);
  if (it == j.end()) throw FieldError{child(at, key), "missing field '" + key + "'"};
  return *it;
}

void expect_array(const Json& j, const std::string& at) {
  if (!j.is_array()) throw FieldError{at, "expected an array"};
}

Result<Json> parse(std::string_view text, std::string_view source_name, std::string_view fix) {
  try {
    return Json::parse(text, nullptr, true, true);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // nlohmann repeats the position in its own words; ours comes first in the usual form.
    if (const size_t at = what.find("parse error at line"); at != std::string::npos) {
      if (const size_t colon = what.find(": ", at); colon != std::string::npos) what = what.substr(colon + 2);
    }
    const TextPosition position = position_of_offset(text, e.byte > 0 ? e.byte - 1 : 0);
    return invalid_input(format_input_error(source_name, position, "",
                                            "not valid JSON: " + what + (fix.empty() ? "" : "; " + std::string(fix))));
  } catch (const Json::out_of_range& e) {
    // A number beyond a double's range (1e999) is valid JSON syntax that nlohmann refuses with
    // out_of_range rather than parse_error; uncaught, it would abort the whole program.
    return invalid_input(std::string(source_name) + ": not valid JSON: " + e.what() + "; numbers must fit a double");
  }
}

Error field_error(std::string_view source_name, std::string_view text, const FieldError& problem) {
  const TextPosition position = text.empty() ? TextPosition{} : locate_json_pointer(text, problem.pointer);
  return invalid_input(
      format_input_error(source_name, position, pointer_to_field_path(problem.pointer), problem.message));
}

}  // namespace perfgate::json_reader
