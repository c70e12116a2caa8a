#include "scenarios/parser.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/files.h"
#include "core/json_locate.h"
#include "env_substitution.h"
#include "json_text.h"
#include "scenario_reader.h"

namespace perfgate {

using scenario_detail::Json;

std::chrono::microseconds Scenario::duration() const {
  std::chrono::microseconds total{0};
  for (const Stage& stage : shape.stages) total += stage.duration;
  return total;
}

Result<Scenario> parse_scenario(const std::string& text, const std::string& source_name) {
  const std::string clean = scenario_detail::blank_comments_and_trailing_commas(text);
  Json document;
  try {
    document = Json::parse(clean);
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    // nlohmann repeats the position in its own words; ours comes first in the usual form.
    if (const size_t at = what.find(": ");
        what.find("parse error at line") != std::string::npos && at != std::string::npos) {
      what = what.substr(what.find(": ", what.find("parse error at line")) + 2);
    }
    const TextPosition position = position_of_offset(text, e.byte > 0 ? e.byte - 1 : 0);
    return invalid_input(format_input_error(source_name, position, "", "invalid JSON: " + what));
  } catch (const Json::out_of_range& e) {
    // A number beyond a double's range (1e999) is valid JSON syntax that nlohmann refuses with
    // out_of_range rather than parse_error; uncaught, it would abort the whole program.
    return invalid_input(source_name + ": not valid JSON: " + e.what() + "; numbers must fit a double");
  }
  scenario_detail::Problems problems;
  std::vector<std::string> secrets;
  scenario_detail::substitute_env(document, problems, secrets);
  const std::filesystem::path source(source_name);
  std::vector<std::string> feeder_errors;
  Scenario scenario = scenario_detail::read_scenario(document, source.parent_path().string(), problems, feeder_errors);
  if (!problems.empty() || !feeder_errors.empty()) {
    std::string message = problems.empty() ? std::string() : problems.to_error(text, source_name).message;
    for (const std::string& line : feeder_errors) message += (message.empty() ? "" : "\n") + line;
    return invalid_input(message);
  }
  scenario.source_path = source_name;
  scenario.secret_values = std::move(secrets);
  scenario_detail::collect_header_secrets(scenario);
  scenario_detail::stamp_hashes(scenario);
  return scenario;
}

std::string bundled_scenarios_dir() {
  if (const char* env = std::getenv("PERFGATE_SCENARIOS_DIR"); env != nullptr && *env != '\0') return env;
  return PERFGATE_BUNDLED_SCENARIOS_DIR;
}

std::vector<std::string> list_bundled_scenarios() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(bundled_scenarios_dir(), ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<Scenario> load_bundled_scenario(const std::string& name) {
  const std::filesystem::path dir(bundled_scenarios_dir());
  const std::string file = name.size() > 5 && name.ends_with(".json") ? name : name + ".json";
  std::error_code ec;
  if (name.find('/') != std::string::npos || !std::filesystem::is_regular_file(dir / file, ec)) {
    std::string names;
    for (const std::string& n : list_bundled_scenarios()) names += (names.empty() ? "" : ", ") + n;
    return invalid_input(name + ": no such file and no bundled scenario of that name (bundled: " +
                         (names.empty() ? "none found in " + dir.string() : names) + ")");
  }
  auto text = read_file((dir / file).string());
  if (!text) return text.error();
  return parse_scenario(*text, (dir / file).string());
}

Result<Scenario> load_scenario_file(const std::string& path_or_name) {
  // Precedence (docs/scenarios.md): a name with a '/' is a path; a bare name is a regular file of
  // that name when one exists, else the bundled scenario. A directory never shadows a bundled name
  // (a checkout with a demo/ folder must still run "demo"); write ./NAME to mean the path.
  std::error_code ec;
  const bool bare = path_or_name.find('/') == std::string::npos;
  if (bare && !std::filesystem::is_regular_file(path_or_name, ec)) return load_bundled_scenario(path_or_name);
  auto text = read_file(path_or_name);
  if (!text) return text.error();
  return parse_scenario(*text, path_or_name);
}

}  // namespace perfgate
