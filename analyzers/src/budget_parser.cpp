// Reading and validating budgets files (docs/budgets.md, "File layout").
#include "analyzers/budget.h"
#include "core/files.h"
#include "core/json_reader.h"

namespace perfgate {
namespace {

using nlohmann::json;

// A validation problem at a JSON pointer; turned into FILE:LINE:COL: FIELD: PROBLEM; FIX once.
using json_reader::FieldError;

// Structured shortcuts: a field name and the rule it stands for, with VALUE replaced.
struct Shortcut {
  const char* key;
  const char* rule;
};
constexpr Shortcut kShortcuts[] = {{"p50", "p50 <= VALUE"},
                                   {"p90", "p90 <= VALUE"},
                                   {"p95", "p95 <= VALUE"},
                                   {"p99", "p99 <= VALUE"},
                                   {"max", "max <= VALUE"},
                                   {"error_rate", "error_rate <= VALUE"},
                                   {"timeout", "timeout_share(VALUE) <= 0.1%"},
                                   {"rps", "rps >= VALUE"},
                                   {"peak_rss", "peak_rss <= VALUE"}};

constexpr const char* kEntryKeys =
    "endpoint, category, phase, tolerance, severity, rules, p50, p90, p95, p99, max, error_rate, timeout, "
    "rps, peak_rss";

bool is_server_metric(BudgetMetric m) {
  return m == BudgetMetric::kPeakRss || m == BudgetMetric::kRssSlope || m == BudgetMetric::kRssGrowth ||
         m == BudgetMetric::kCpu || m == BudgetMetric::kCpuPerRequest || m == BudgetMetric::kCpuDrift ||
         m == BudgetMetric::kPgConnections;
}

// Only time figures get a tolerance: the seed's CI rule ("fail when p95 > 1.5x target") is about
// latency noise; error rates and memory have their own absolute limits.
bool takes_tolerance(BudgetMetric m) {
  return m == BudgetMetric::kLatency || m == BudgetMetric::kNamedMetric || m == BudgetMetric::kRecovery;
}

double read_tolerance(const json& j, const std::string& at, double fallback) {
  if (!j.contains("tolerance")) return fallback;
  const json& t = j["tolerance"];
  if (!t.is_number() || t.get<double>() < 1.0 || t.get<double>() > 10.0) {
    throw FieldError{at + "/tolerance", "must be a number from 1 to 10 (a factor on the limit); write e.g. 1.5"};
  }
  return t.get<double>();
}

BudgetSeverity read_severity(const json& j, const std::string& at, BudgetSeverity fallback) {
  if (!j.contains("severity")) return fallback;
  const json& s = j["severity"];
  if (s == "fail") return BudgetSeverity::kFail;
  if (s == "warn") return BudgetSeverity::kWarn;
  throw FieldError{at + "/severity", "must be \"fail\" or \"warn\"; write one of them"};
}

std::string read_string(const json& j, const std::string& at, const char* key) {
  if (!j.contains(key)) return "";
  if (!j[key].is_string() || j[key].get<std::string>().empty()) {
    throw FieldError{at + "/" + key, "must be a non-empty string; write e.g. \"reports.*\""};
  }
  return j[key].get<std::string>();
}

BudgetRule parse_rule_at(const std::string& text, const std::string& pointer) {
  auto rule = parse_budget_rule(text);
  if (!rule) throw FieldError{pointer, rule.error().message};
  return *rule;
}

void check_rule_fits(const BudgetRule& rule, const BudgetScope& scope, const std::string& pointer) {
  const bool scoped = !scope.endpoint.empty() || !scope.category.empty();
  if (scoped && is_server_metric(rule.metric)) {
    throw FieldError{
        pointer,
        "rule \"" + rule.text + "\" measures the server as a whole; move it to an entry without endpoint or category"};
  }
  if (rule.metric == BudgetMetric::kRecovery && scope.phase.empty()) {
    throw FieldError{
        pointer,
        "rule \"" + rule.text + "\" measures recovery after a phase; add \"phase\": \"spike\" (the phase it follows)"};
  }
}

BudgetEntry read_entry(const json& j, const std::string& at, const std::string& source, const std::string& text) {
  if (!j.is_object()) throw FieldError{at, "must be an object; write {\"endpoint\": \"...\", \"rules\": [...]}"};
  for (const auto& [key, value] : j.items()) {
    bool known = key == "endpoint" || key == "category" || key == "phase" || key == "tolerance" || key == "severity" ||
                 key == "rules" || key == "description";
    for (const auto& s : kShortcuts) known = known || key == s.key;
    if (!known) throw FieldError{json_reader::child(at, key), std::string("unknown field; use one of ") + kEntryKeys};
  }
  BudgetEntry entry;
  entry.scope.endpoint = read_string(j, at, "endpoint");
  entry.scope.category = read_string(j, at, "category");
  entry.scope.phase = read_string(j, at, "phase");
  if (!entry.scope.endpoint.empty() && !entry.scope.category.empty()) {
    throw FieldError{at + "/category", "give endpoint or category, not both; split the entry in two"};
  }
  entry.origin = source + ":" + std::to_string(locate_json_pointer(text, at).line);
  const double tolerance = read_tolerance(j, at, 1.0);
  const BudgetSeverity severity = read_severity(j, at, BudgetSeverity::kFail);

  auto add = [&](BudgetRule rule, const std::string& pointer) {
    check_rule_fits(rule, entry.scope, pointer);
    if (!takes_tolerance(rule.metric)) rule.tolerance = 1.0;
    entry.rules.push_back(std::move(rule));
  };
  for (const auto& s : kShortcuts) {
    if (!j.contains(s.key)) continue;
    const json& v = j[s.key];
    std::string value;
    if (v.is_string())
      value = v.get<std::string>();
    else if (v.is_number())
      value = v.dump();
    else
      throw FieldError{at + "/" + s.key, "must be a string such as \"1s\" or \"1%\""};
    std::string rule_text = s.rule;
    rule_text.replace(rule_text.find("VALUE"), 5, value);
    BudgetRule rule = parse_rule_at(rule_text, at + "/" + s.key);
    rule.tolerance = tolerance;
    rule.severity = severity;
    add(std::move(rule), at + "/" + s.key);
  }
  if (j.contains("rules")) {
    const json& rules = j["rules"];
    if (!rules.is_array()) throw FieldError{at + "/rules", "must be an array of rules; write [\"p95 < 1s\"]"};
    for (size_t i = 0; i < rules.size(); ++i) {
      const std::string rat = at + "/rules/" + std::to_string(i);
      const json& r = rules[i];
      BudgetRule rule;
      if (r.is_string()) {
        rule = parse_rule_at(r.get<std::string>(), rat);
        rule.tolerance = tolerance;
        rule.severity = severity;
      } else if (r.is_object() && r.contains("rule") && r["rule"].is_string()) {
        for (const auto& [key, value] : r.items()) {
          if (key != "rule" && key != "tolerance" && key != "severity" && key != "description") {
            throw FieldError{json_reader::child(rat, key),
                             "unknown field; use rule, tolerance, severity or description"};
          }
        }
        rule = parse_rule_at(r["rule"].get<std::string>(), rat + "/rule");
        rule.tolerance = read_tolerance(r, rat, tolerance);
        rule.severity = read_severity(r, rat, severity);
      } else {
        throw FieldError{rat, "must be a rule string or {\"rule\": \"...\"}; write e.g. \"p95 < 1s\""};
      }
      add(std::move(rule), rat);
    }
  }
  if (entry.rules.empty())
    throw FieldError{at, "has no rules; add \"rules\": [\"p95 < 1s\"] or a field such as \"p95\""};
  return entry;
}

}  // namespace

Result<BudgetSet> budgets_from_json(const std::string& text, const std::string& source_name) {
  auto parsed = json_reader::parse(text, source_name, "fix the syntax (comments are allowed)");
  if (!parsed) return parsed.error();
  const json& j = *parsed;
  try {
    if (!j.is_object()) throw FieldError{"", "must be an object; write {\"schema_version\": 1, \"budgets\": [...]}"};
    for (const auto& [key, value] : j.items()) {
      if (key != "schema_version" && key != "budgets" && key != "description") {
        throw FieldError{"/" + key, "unknown field; use schema_version, description or budgets"};
      }
    }
    if (!j.contains("schema_version") || !j["schema_version"].is_number_integer() ||
        j["schema_version"].get<int>() != kBudgetsSchemaVersion) {
      throw FieldError{"/schema_version", "must be " + std::to_string(kBudgetsSchemaVersion) +
                                              "; write \"schema_version\": " + std::to_string(kBudgetsSchemaVersion)};
    }
    if (!j.contains("budgets") || !j["budgets"].is_array() || j["budgets"].empty()) {
      throw FieldError{"/budgets",
                       "must be a non-empty array of entries; write \"budgets\": [{\"rules\": [\"p95 < 1s\"]}]"};
    }
    BudgetSet set;
    set.source = source_name;
    for (size_t i = 0; i < j["budgets"].size(); ++i) {
      set.entries.push_back(read_entry(j["budgets"][i], "/budgets/" + std::to_string(i), source_name, text));
    }
    return set;
  } catch (const FieldError& p) {
    return json_reader::field_error(source_name, text, p);
  }
}

Result<BudgetSet> read_budgets(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  return budgets_from_json(*text, path);
}

}  // namespace perfgate
