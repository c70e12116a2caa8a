#pragma once
// What a flow step does with its response: extraction, checks, polling conditions and tallies,
// compiled once per scenario and evaluated per response.

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "scenarios/scenario.h"
#include "scenarios/template.h"

namespace perfgate {

/// Bodies are kept in memory only for steps that read them (JSON or regex extraction, JSON checks
/// and tallies), and only up to this many bytes; a longer body is counted, and what needs it fails.
inline constexpr size_t kMaxBufferedBody = 1 << 20;

/// A response as a flow step saw it. `contains` answers the step's body_contains needles.
struct CapturedResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;             ///< buffered body (empty unless the step reads it)
  bool body_truncated = false;  ///< the body was longer than kMaxBufferedBody
  std::vector<bool> contains;   ///< by needle index (ResponseRules::needles)

  void clear();
  /// The first header named `name` (case-insensitive), or nullptr.
  [[nodiscard]] const std::string* header(const std::string& name) const;
};

struct CompiledCondition {
  Condition::Kind kind = Condition::Kind::kStatus;
  std::string target;
  std::string value;
  int status = 0;
  size_t needle = 0;                        ///< kBodyContains: index into ResponseRules::needles
  std::shared_ptr<const std::regex> regex;  ///< kJsonMatches
};

struct CompiledExtraction {
  size_t variable = 0;
  Extraction::Source source = Extraction::Source::kJsonPointer;
  std::string expression;
  std::shared_ptr<const std::regex> regex;
  bool optional = false;
};

/// The response handling of one step.
struct ResponseRules {
  std::vector<CompiledExtraction> extract;
  std::vector<CompiledCondition> checks;
  std::vector<CompiledCondition> until;
  std::vector<TallySpec> tallies;
  std::vector<std::string> needles;  ///< body_contains texts, matched while the body streams by
  bool needs_body = false;           ///< buffer the body (up to kMaxBufferedBody)
  bool needs_headers = false;

  /// Compiles a step's rules; errors (kInvalidInput) name `where` and the bad regex.
  static Result<ResponseRules> compile(const RequestTemplate& step, VariableTable& variables, const std::string& where);
  [[nodiscard]] bool reads_response() const { return needs_body || needs_headers || !needles.empty(); }
};

/// What the rules concluded about one response.
struct Evaluation {
  bool checks_passed = true;                                 ///< every check held
  bool extracted = true;                                     ///< every non-optional extraction found its value
  bool until_held = false;                                   ///< every poll condition held (false without conditions)
  std::vector<std::pair<std::string, std::string>> tallied;  ///< tally name -> value seen
};

/// Evaluates `rules` on `response` and stores extracted values into `values` (optional extractions
/// that find nothing leave their variable undefined). Parses the body as JSON at most once.
Evaluation evaluate(const ResponseRules& rules, const CapturedResponse& response, VariableValues& values);

/// The value at `pointer` in the JSON `text` as a plain string (a string's contents, else its
/// compact JSON text); nullopt when the text is not JSON or the pointer does not resolve.
std::optional<std::string> json_value_at(std::string_view text, const std::string& pointer);

}  // namespace perfgate
