#include "flow_rules.h"

#include <strings.h>

#include <nlohmann/json.hpp>

namespace perfgate {
namespace {

using nlohmann::json;

// Parses the body once, on first use, for every JSON rule of the response.
class LazyJson {
 public:
  explicit LazyJson(const CapturedResponse& response) : response_(response) {}

  const json* at(const std::string& pointer) {
    if (!parsed_) {
      parsed_ = true;
      if (!response_.body_truncated) document_ = json::parse(response_.body, nullptr, false);
    }
    if (document_.is_discarded()) return nullptr;
    try {
      const json::json_pointer p(pointer);
      if (!document_.contains(p)) return nullptr;
      return &document_.at(p);
    } catch (const json::exception&) {
      return nullptr;
    }
  }

 private:
  const CapturedResponse& response_;
  bool parsed_ = false;
  json document_ = json::value_t::discarded;
};

std::string plain_text(const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

bool holds(const CompiledCondition& c, const CapturedResponse& response, LazyJson& document) {
  switch (c.kind) {
    case Condition::Kind::kStatus:
      return response.status == c.status;
    case Condition::Kind::kBodyContains:
      return c.needle < response.contains.size() && response.contains[c.needle];
    case Condition::Kind::kJsonEquals: {
      const json* v = document.at(c.target);
      return v != nullptr && v->dump() == c.value;
    }
    case Condition::Kind::kJsonMatches: {
      const json* v = document.at(c.target);
      return v != nullptr && std::regex_search(plain_text(*v), *c.regex);
    }
    case Condition::Kind::kHeaderEquals: {
      const std::string* h = response.header(c.target);
      return h != nullptr && *h == c.value;
    }
  }
  return false;
}

Result<CompiledCondition> compile_condition(const Condition& condition, ResponseRules& rules,
                                            const std::string& where) {
  CompiledCondition c;
  c.kind = condition.kind;
  c.target = condition.target;
  c.value = condition.value;
  switch (condition.kind) {
    case Condition::Kind::kStatus:
      c.status = std::atoi(condition.value.c_str());
      break;
    case Condition::Kind::kBodyContains:
      c.needle = rules.needles.size();
      rules.needles.push_back(condition.value);
      break;
    case Condition::Kind::kJsonEquals:
      rules.needs_body = true;
      break;
    case Condition::Kind::kJsonMatches:
      rules.needs_body = true;
      try {
        c.regex = std::make_shared<const std::regex>(condition.value, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return invalid_input(where + ": invalid regex " + condition.value + ": " + e.what());
      }
      break;
    case Condition::Kind::kHeaderEquals:
      rules.needs_headers = true;
      break;
  }
  return c;
}

}  // namespace

void CapturedResponse::clear() {
  status = 0;
  headers.clear();
  body.clear();
  body_truncated = false;
  contains.assign(contains.size(), false);
}

const std::string* CapturedResponse::header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (strcasecmp(n.c_str(), name.c_str()) == 0) return &v;
  }
  return nullptr;
}

Result<ResponseRules> ResponseRules::compile(const RequestTemplate& step, VariableTable& variables,
                                             const std::string& where) {
  ResponseRules rules;
  for (const Extraction& e : step.extract) {
    CompiledExtraction c;
    c.variable = variables.intern(e.variable);
    c.source = e.source;
    c.expression = e.expression;
    c.optional = e.optional;
    if (e.source == Extraction::Source::kHeader) {
      rules.needs_headers = true;
    } else {
      rules.needs_body = true;
    }
    if (e.source == Extraction::Source::kRegex) {
      try {
        c.regex = std::make_shared<const std::regex>(e.expression, std::regex::ECMAScript);
      } catch (const std::regex_error& err) {
        return invalid_input(where + ".extract." + e.variable + ": invalid regex: " + err.what());
      }
    }
    rules.extract.push_back(std::move(c));
  }
  for (const Condition& c : step.checks) {
    auto compiled = compile_condition(c, rules, where + ".checks");
    if (!compiled) return compiled.error();
    rules.checks.push_back(std::move(*compiled));
  }
  if (step.poll) {
    for (const Condition& c : step.poll->until) {
      auto compiled = compile_condition(c, rules, where + ".poll.until");
      if (!compiled) return compiled.error();
      rules.until.push_back(std::move(*compiled));
    }
  }
  for (const TallySpec& t : step.tallies) {
    if (t.source == TallySpec::Source::kHeader) {
      rules.needs_headers = true;
    } else {
      rules.needs_body = true;
    }
    rules.tallies.push_back(t);
  }
  return rules;
}

Evaluation evaluate(const ResponseRules& rules, const CapturedResponse& response, VariableValues& values) {
  Evaluation ev;
  LazyJson document(response);
  for (const CompiledCondition& c : rules.checks) {
    if (!holds(c, response, document)) {
      ev.checks_passed = false;
      break;
    }
  }
  if (!rules.until.empty()) {
    ev.until_held = true;
    for (const CompiledCondition& c : rules.until) {
      if (!holds(c, response, document)) {
        ev.until_held = false;
        break;
      }
    }
  }
  for (const CompiledExtraction& e : rules.extract) {
    std::optional<std::string> found;
    switch (e.source) {
      case Extraction::Source::kJsonPointer:
        if (const json* v = document.at(e.expression)) found = plain_text(*v);
        break;
      case Extraction::Source::kHeader:
        if (const std::string* h = response.header(e.expression)) found = *h;
        break;
      case Extraction::Source::kRegex: {
        std::smatch m;
        if (!response.body_truncated && std::regex_search(response.body, m, *e.regex) && m.size() > 1 && m[1].matched) {
          found = m[1].str();
        }
        break;
      }
    }
    if (e.variable >= values.size()) values.resize(e.variable + 1);
    values[e.variable] = std::move(found);
    if (!values[e.variable] && !e.optional) ev.extracted = false;
  }
  for (const TallySpec& t : rules.tallies) {
    std::string value = "(none)";
    if (t.source == TallySpec::Source::kHeader) {
      if (const std::string* h = response.header(t.expression)) value = *h;
    } else if (const json* v = document.at(t.expression)) {
      value = plain_text(*v);
    }
    ev.tallied.emplace_back(t.name.empty() ? t.expression : t.name, std::move(value));
  }
  return ev;
}

std::optional<std::string> json_value_at(std::string_view text, const std::string& pointer) {
  const json document = json::parse(text, nullptr, false);
  if (document.is_discarded()) return std::nullopt;
  try {
    const json::json_pointer p(pointer);
    if (!document.contains(p)) return std::nullopt;
    return plain_text(document.at(p));
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

}  // namespace perfgate
