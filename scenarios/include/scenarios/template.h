#pragma once
// {{variable}} templates of flow steps: compiled once per scenario (constants folded in), rendered
// per iteration from that iteration's variable values. The one renderer of the scenario language:
// the engine and the query analyzer's probes (pipeline/scenario_probes.h) both use it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perfgate {

/// Names of the per-iteration variables (feeder columns, random ranges, extractions), by index.
class VariableTable {
 public:
  /// The index of `name`, added when new.
  size_t intern(const std::string& name);
  /// The index of `name`, or SIZE_MAX when unknown.
  [[nodiscard]] size_t find(const std::string& name) const;
  [[nodiscard]] size_t size() const { return names_.size(); }
  [[nodiscard]] const std::string& name(size_t index) const { return names_[index]; }

 private:
  std::vector<std::string> names_;
};

/// One iteration's variable values, indexed by VariableTable; nullopt while undefined.
using VariableValues = std::vector<std::optional<std::string>>;

/// A string with {{name}} placeholders (whitespace inside the braces ignored, as the validator does). Constants are
/// replaced at compile time; the other names become per-iteration variables.
class Template {
 public:
  Template() = default;
  /// Compiles `text`, interning every non-constant name into `variables`.
  static Template compile(std::string_view text, const std::map<std::string, std::string>& constants,
                          VariableTable& variables);
  /// Whether no per-iteration variable occurs (then `text()` is the whole value).
  [[nodiscard]] bool is_constant() const {
    return pieces_.size() <= 1 && (pieces_.empty() || pieces_[0].variable == kNone);
  }
  /// The text of a constant template.
  [[nodiscard]] std::string text() const { return pieces_.empty() ? std::string() : pieces_[0].literal; }
  /// Replaces `out` with the rendering; false when a variable is undefined (then `out` is unspecified).
  bool render(const VariableValues& values, std::string& out) const;

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);
  struct Piece {
    std::string literal;
    size_t variable = kNone;  // kNone: a literal piece
  };
  std::vector<Piece> pieces_;
};

}  // namespace perfgate
