#include "core/files.h"
#include "core/findings.h"
#include "core/json_reader.h"

namespace perfgate {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr FindingKind kKinds[] = {FindingKind::kNPlusOne,       FindingKind::kMissingIndex, FindingKind::kSlowQuery,
                                  FindingKind::kDuplicateIndex, FindingKind::kUnusedIndex,  FindingKind::kInvalidIndex,
                                  FindingKind::kQueryRewrite};
constexpr Severity kSeverities[] = {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh,
                                    Severity::kCritical};
constexpr Confidence kConfidences[] = {Confidence::kPossible, Confidence::kLikely, Confidence::kConfirmed};

using json_reader::enum_field;
using json_reader::FieldError;
using json_reader::get;
using json_reader::get_or;

Finding read_finding(const json& j, const std::string& at) {
  Finding f;
  if (!j.is_object()) throw FieldError{at, "expected an object"};
  if (!j.contains("kind")) throw FieldError{at + "/kind", "missing field 'kind'"};
  f.kind = enum_field(j, at, "kind", kKinds, finding_kind_name, FindingKind::kSlowQuery);
  f.endpoint = get_or<std::string>(j, at, "endpoint", "");
  f.query = get_or<std::string>(j, at, "query", "");
  f.queries = get_or<std::vector<std::string>>(j, at, "queries", {});
  f.query_id = get_or<std::string>(j, at, "query_id", "");
  f.calls_per_request = get_or<double>(j, at, "calls_per_request", 0);
  f.rows_per_call = get_or<double>(j, at, "rows_per_call", 0);
  f.table = get_or<std::string>(j, at, "table", "");
  f.columns = get_or<std::vector<std::string>>(j, at, "columns", {});
  f.suggestion = get_or<std::string>(j, at, "suggestion", "");
  f.summary = get_or<std::string>(j, at, "summary", "");
  f.evidence = get_or<std::map<std::string, double>>(j, at, "evidence", {});
  f.notes = get_or<std::vector<std::string>>(j, at, "notes", {});
  f.severity = enum_field(j, at, "severity", kSeverities, severity_name, Severity::kMedium);
  f.confidence = enum_field(j, at, "confidence", kConfidences, confidence_name, Confidence::kLikely);
  return f;
}

Findings read_findings_json(const json& j) {
  if (!j.is_object()) throw FieldError{"", "expected a JSON object (perfgate findings)"};
  Findings out;
  out.schema_version = get<int>(j, "", "schema_version");
  if (out.schema_version != 1) {
    throw FieldError{"/schema_version", "unsupported schema_version " + std::to_string(out.schema_version) +
                                            " (this perfgate reads version 1)"};
  }
  out.database = get_or<std::string>(j, "", "database", "");
  out.source = get_or<std::string>(j, "", "source", "");
  out.inconclusive = get_or<bool>(j, "", "inconclusive", false);
  out.notes = get_or<std::vector<std::string>>(j, "", "notes", {});
  out.queries_per_request = get_or<std::map<std::string, double>>(j, "", "queries_per_request", {});
  const json& list = j.contains("findings") ? j["findings"] : json::array();
  if (!list.is_array()) throw FieldError{"/findings", "expected an array"};
  for (size_t i = 0; i < list.size(); ++i)
    out.findings.push_back(read_finding(list[i], "/findings/" + std::to_string(i)));
  return out;
}

}  // namespace

const char* finding_kind_name(FindingKind kind) {
  switch (kind) {
    case FindingKind::kNPlusOne:
      return "n_plus_one";
    case FindingKind::kMissingIndex:
      return "missing_index";
    case FindingKind::kSlowQuery:
      return "slow_query";
    case FindingKind::kDuplicateIndex:
      return "duplicate_index";
    case FindingKind::kUnusedIndex:
      return "unused_index";
    case FindingKind::kInvalidIndex:
      return "invalid_index";
    case FindingKind::kQueryRewrite:
      return "query_rewrite";
  }
  return "unknown";
}

const char* severity_name(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

const char* confidence_name(Confidence confidence) {
  switch (confidence) {
    case Confidence::kPossible:
      return "possible";
    case Confidence::kLikely:
      return "likely";
    case Confidence::kConfirmed:
      return "confirmed";
  }
  return "unknown";
}

std::string findings_to_json(const Findings& findings) {
  ordered_json list = ordered_json::array();
  for (const auto& f : findings.findings) {
    list.push_back(ordered_json{{"kind", finding_kind_name(f.kind)},
                                {"severity", severity_name(f.severity)},
                                {"confidence", confidence_name(f.confidence)},
                                {"endpoint", f.endpoint},
                                {"summary", f.summary},
                                {"query", f.query},
                                {"queries", f.queries},
                                {"query_id", f.query_id},
                                {"calls_per_request", f.calls_per_request},
                                {"rows_per_call", f.rows_per_call},
                                {"table", f.table},
                                {"columns", f.columns},
                                {"suggestion", f.suggestion},
                                {"evidence", f.evidence},
                                {"notes", f.notes}});
  }
  ordered_json j{{"schema_version", findings.schema_version},
                 {"database", findings.database},
                 {"source", findings.source},
                 {"inconclusive", findings.inconclusive},
                 {"notes", findings.notes},
                 {"queries_per_request", findings.queries_per_request},
                 {"findings", list}};
  return j.dump(2) + "\n";
}

Result<Findings> findings_from_json(const std::string& text, const std::string& source_name) {
  auto parsed = json_reader::parse(text, source_name);
  if (!parsed) return parsed.error();
  const json& j = *parsed;
  // A run result, a gate report or a budgets file is valid JSON with a schema_version too; read as
  // findings it would hold none and every "no KIND" rule would pass on nothing.
  if (j.is_object() && !j.contains("findings")) {
    const char* kind = j.contains("endpoints") && j.contains("context") ? "a run result"
                       : j.contains("checks") && j.contains("overall")  ? "a gate report"
                       : j.contains("budgets")                          ? "a budgets file"
                                                                        : "an object without \"findings\"";
    return invalid_input(source_name +
                         ": expected a findings file (\"findings\": [...], written by 'perfgate analyze' "
                         "or 'perfgate run --pg' as NAME.findings.json), got " +
                         kind);
  }
  return json_reader::read_parsed(j, text, source_name, "findings", read_findings_json);
}

Result<Findings> read_findings(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return findings_from_json(*text, path);
}

Status write_findings(const Findings& findings, const std::string& path) {
  return write_file_atomically(path, findings_to_json(findings));
}

}  // namespace perfgate
