// GateReport vocabulary and JSON I/O (core/gate_report.h).
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "core/gate_report.h"
#include "core/json_locate.h"
#include "core/units.h"

namespace perfgate {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct FieldProblem {
  std::string pointer;
  std::string message;
};

template <typename T>
T get(const json& j, const std::string& at, const char* key) {
  if (!j.contains(key)) throw FieldProblem{at + "/" + key, "missing"};
  try {
    return j[key].get<T>();
  } catch (const json::exception&) {
    throw FieldProblem{at + "/" + key, "has the wrong type"};
  }
}

template <typename T>
T get_or(const json& j, const std::string& at, const char* key, T fallback) {
  if (!j.contains(key) || j[key].is_null()) return fallback;
  return get<T>(j, at, key);
}

Verdict get_verdict(const json& j, const std::string& at, const char* key) {
  auto v = verdict_from_name(get<std::string>(j, at, key));
  if (!v) throw FieldProblem{at + "/" + key, "must be pass, warn, fail or inconclusive"};
  return *v;
}

}  // namespace

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kWarn:
      return "warn";
    case Verdict::kFail:
      return "fail";
    case Verdict::kInconclusive:
      return "inconclusive";
  }
  return "fail";
}

std::optional<Verdict> verdict_from_name(const std::string& name) {
  for (Verdict v : {Verdict::kPass, Verdict::kWarn, Verdict::kFail, Verdict::kInconclusive}) {
    if (name == verdict_name(v)) return v;
  }
  return std::nullopt;
}

std::string format_change_interval(const CheckResult& c) {
  if (!c.threshold) return "";
  const bool points = c.unit == "ratio";
  auto fmt = [&](std::optional<double> v) {
    if (!v) return std::string("?");
    char buf[32];
    std::snprintf(buf, sizeof buf, points ? "%+.2f" : "%+.1f%%", *v * 100);
    return std::string(buf);
  };
  return fmt(c.change) + " [" + fmt(c.change_low) + ", " + fmt(c.change_high) + "]" + (points ? " points" : "") +
         ", counts from " + fmt(c.threshold) + (points ? " points" : "");
}

std::string format_check_value(double value, const std::string& unit) {
  char buf[64];
  if (unit == "us") return format_duration_us(value);
  if (unit == "bytes") return format_bytes(value);
  if (unit == "ratio") {
    std::snprintf(buf, sizeof buf, "%.3g%%", value * 100.0);
  } else if (unit == "percent") {
    std::snprintf(buf, sizeof buf, "%.1f%%", value);
  } else if (unit == "rps") {
    std::snprintf(buf, sizeof buf, "%.1f/s", value);
  } else if (unit == "mb_per_hour") {
    std::snprintf(buf, sizeof buf, "%.1f MB/h", value);
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", value);
  }
  return buf;
}

Verdict combine_verdicts(const std::vector<CheckResult>& checks) {
  bool warn = false, inconclusive = false;
  for (const auto& c : checks) {
    if (c.verdict == Verdict::kFail) return Verdict::kFail;
    inconclusive = inconclusive || c.verdict == Verdict::kInconclusive;
    warn = warn || c.verdict == Verdict::kWarn;
  }
  if (inconclusive) return Verdict::kInconclusive;
  return warn ? Verdict::kWarn : Verdict::kPass;
}

std::string gate_report_to_json(const GateReport& report) {
  ordered_json checks = ordered_json::array();
  for (const auto& c : report.checks) {
    ordered_json j{{"id", c.id},
                   {"kind", c.kind},
                   {"endpoint", c.endpoint},
                   {"phase", c.phase},
                   {"metric", c.metric},
                   {"verdict", verdict_name(c.verdict)},
                   {"measured", c.measured}};
    j["limit"] = c.limit ? ordered_json(*c.limit) : ordered_json(nullptr);
    j["unit"] = c.unit;
    j["change"] = c.change;
    j["p_value"] = c.p_value ? ordered_json(*c.p_value) : ordered_json(nullptr);
    if (c.threshold) {
      j["change_low"] = c.change_low ? ordered_json(*c.change_low) : ordered_json(nullptr);
      j["change_high"] = c.change_high ? ordered_json(*c.change_high) : ordered_json(nullptr);
      j["threshold"] = *c.threshold;
    }
    j["message"] = c.message;
    checks.push_back(std::move(j));
  }
  ordered_json counts{{"pass", 0}, {"warn", 0}, {"fail", 0}, {"inconclusive", 0}};
  for (const auto& c : report.checks) counts[verdict_name(c.verdict)] = counts[verdict_name(c.verdict)].get<int>() + 1;
  ordered_json j{{"schema_version", report.schema_version},
                 {"overall", verdict_name(report.overall)},
                 {"result", report.result_path},
                 {"result_id", report.result_id},
                 {"baseline", report.baseline_path},
                 {"budgets", report.budgets_path},
                 {"counts", counts},
                 {"checks", checks},
                 {"notes", report.notes}};
  return j.dump(2) + "\n";
}

Result<GateReport> gate_report_from_json(const std::string& text, const std::string& source_name) {
  json j;
  try {
    j = json::parse(text, nullptr, true, true);
  } catch (const json::parse_error& e) {
    return invalid_input(format_input_error(source_name, position_of_offset(text, e.byte > 0 ? e.byte - 1 : 0), "",
                                            std::string("not valid JSON: ") + e.what()));
  } catch (const json::out_of_range& e) {
    // A number beyond a double's range (1e999) is valid JSON syntax that nlohmann refuses with
    // out_of_range rather than parse_error; uncaught, it would abort the whole program.
    return invalid_input(source_name + ": not valid JSON: " + e.what() + "; numbers must fit a double");
  }
  if (j.is_object() && !j.contains("overall")) {
    const char* kind = j.contains("endpoints") && j.contains("context") ? "a run result"
                       : j.contains("findings")                         ? "a findings file"
                       : j.contains("budgets")                          ? "a budgets file"
                                                                        : "an object without \"overall\"";
    return invalid_input(source_name + ": expected a gate report (written by 'perfgate gate --out'), got " + kind);
  }
  try {
    if (!j.is_object()) throw FieldProblem{"", "expected a JSON object (a perfgate gate report)"};
    GateReport r;
    r.schema_version = get<int>(j, "", "schema_version");
    if (r.schema_version != 1) throw FieldProblem{"/schema_version", "unsupported version; this perfgate reads 1"};
    r.overall = get_verdict(j, "", "overall");
    r.result_path = get_or<std::string>(j, "", "result", "");
    r.result_id = get_or<std::string>(j, "", "result_id", "");
    r.baseline_path = get_or<std::string>(j, "", "baseline", "");
    r.budgets_path = get_or<std::string>(j, "", "budgets", "");
    r.notes = get_or<std::vector<std::string>>(j, "", "notes", {});
    const json& checks = j.contains("checks") ? j["checks"] : json::array();
    if (!checks.is_array()) throw FieldProblem{"/checks", "expected an array"};
    for (size_t i = 0; i < checks.size(); ++i) {
      const std::string at = "/checks/" + std::to_string(i);
      const json& cj = checks[i];
      CheckResult c;
      c.id = get<std::string>(cj, at, "id");
      c.kind = get_or<std::string>(cj, at, "kind", "");
      c.endpoint = get_or<std::string>(cj, at, "endpoint", "");
      c.phase = get_or<std::string>(cj, at, "phase", "");
      c.metric = get_or<std::string>(cj, at, "metric", "");
      c.verdict = get_verdict(cj, at, "verdict");
      c.measured = get_or<double>(cj, at, "measured", 0);
      if (cj.contains("limit") && !cj["limit"].is_null()) c.limit = get<double>(cj, at, "limit");
      c.unit = get_or<std::string>(cj, at, "unit", "");
      c.change = get_or<double>(cj, at, "change", 0);
      if (cj.contains("p_value") && !cj["p_value"].is_null()) c.p_value = get<double>(cj, at, "p_value");
      for (auto [field, slot] : {std::pair{"change_low", &c.change_low}, std::pair{"change_high", &c.change_high},
                                 std::pair{"threshold", &c.threshold}}) {
        if (cj.contains(field) && !cj[field].is_null()) *slot = get<double>(cj, at, field);
      }
      c.message = get_or<std::string>(cj, at, "message", "");
      r.checks.push_back(std::move(c));
    }
    return r;
  } catch (const FieldProblem& p) {
    return invalid_input(format_input_error(source_name, locate_json_pointer(text, p.pointer),
                                            pointer_to_field_path(p.pointer), p.message));
  }
}

Status write_gate_report(const GateReport& report, const std::string& path) {
  return write_file_atomically(path, gate_report_to_json(report));
}

}  // namespace perfgate
