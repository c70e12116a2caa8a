#include "step_reader.h"

#include "checks.h"

namespace perfgate::scenario_detail {
namespace {

void report(Problems& problems, const std::string& pointer, const std::string& problem) {
  if (!problem.empty()) problems.add(pointer, problem);
}

// Exactly one of `keys` must be present; returns its index or -1 (reported).
int one_of(const ObjectReader& r, std::initializer_list<const char*> keys, const std::string& what) {
  int found = -1;
  int count = 0;
  int i = 0;
  std::string names;
  for (const char* key : keys) {
    if (r.has(key)) {
      found = i;
      ++count;
    }
    names += std::string(names.empty() ? "" : ", ") + "\"" + key + "\"";
    ++i;
  }
  if (count != 1) {
    r.problems().add(r.pointer(), what + " needs exactly one of " + names + " (got " + std::to_string(count) + ")");
    return -1;
  }
  return found;
}

std::vector<Extraction> read_extract(const ObjectReader& step) {
  std::vector<Extraction> out;
  const Json* array = step.array_field("extract");
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string ptr = child(step.pointer_of("extract"), i);
    if (!expect_object((*array)[i], ptr, step.problems())) continue;
    ObjectReader r((*array)[i], ptr, step.problems());
    r.allow_only({"variable", "json_pointer", "header", "regex", "optional"});
    Extraction e;
    e.variable = r.string("variable").value_or("");
    if (!r.has("variable"))
      r.missing("variable", "\"variable\": \"job_id\"");
    else
      report(step.problems(), r.pointer_of("variable"), check_variable_name(e.variable));
    if (r.has("optional")) {
      if (r.at("optional").is_boolean())
        e.optional = r.at("optional").get<bool>();
      else
        r.problem("optional", "must be true or false (got " + got(r.at("optional")) + ")");
    }
    const int which = one_of(r, {"json_pointer", "header", "regex"}, "an extraction");
    if (which < 0) continue;
    static constexpr const char* kKeys[] = {"json_pointer", "header", "regex"};
    e.source = static_cast<Extraction::Source>(which);
    e.expression = r.string(kKeys[which]).value_or("");
    if (e.source == Extraction::Source::kJsonPointer)
      report(step.problems(), r.pointer_of("json_pointer"), check_json_pointer(e.expression));
    if (e.source == Extraction::Source::kRegex)
      report(step.problems(), r.pointer_of("regex"), check_regex(e.expression, 1));
    if (e.source == Extraction::Source::kHeader && e.expression.empty())
      r.problem("header", "must be a header name (got \"\")");
    out.push_back(e);
  }
  return out;
}

std::vector<Condition> read_conditions(const Json& array, const std::string& pointer, Problems& problems) {
  std::vector<Condition> out;
  for (size_t i = 0; i < array.size(); ++i) {
    const std::string ptr = child(pointer, i);
    if (!expect_object(array[i], ptr, problems)) continue;
    ObjectReader r(array[i], ptr, problems);
    r.allow_only({"status", "body_contains", "json_pointer", "header", "equals", "matches"});
    Condition c;
    const int which = one_of(r, {"status", "body_contains", "json_pointer", "header"}, "a condition");
    if (which == 0) {
      c.kind = Condition::Kind::kStatus;
      const auto status = r.integer("status");
      if (status && (*status < 100 || *status > 599))
        r.problem("status", "must be an HTTP status 100..599 (got " + std::to_string(*status) + ")");
      c.value = std::to_string(status.value_or(0));
    } else if (which == 1) {
      c.kind = Condition::Kind::kBodyContains;
      c.value = r.string("body_contains").value_or("");
    } else if (which == 2 || which == 3) {
      const char* key = which == 2 ? "json_pointer" : "header";
      c.target = r.string(key).value_or("");
      if (which == 2) report(problems, r.pointer_of(key), check_json_pointer(c.target));
      if (r.has("equals") == r.has("matches") || (which == 3 && r.has("matches"))) {
        problems.add(ptr, which == 2 ? "a json_pointer condition needs exactly one of \"equals\", \"matches\""
                                     : "a header condition needs \"equals\"");
      } else if (r.has("equals")) {
        c.kind = which == 2 ? Condition::Kind::kJsonEquals : Condition::Kind::kHeaderEquals;
        c.value = which == 2 ? r.at("equals").dump() : r.string("equals").value_or("");
      } else {
        c.kind = Condition::Kind::kJsonMatches;
        c.value = r.string("matches").value_or("");
        report(problems, r.pointer_of("matches"), check_regex(c.value, -1));
      }
    } else {
      continue;
    }
    if (which < 2 && (r.has("equals") || r.has("matches"))) {
      problems.add(ptr, "\"equals\"/\"matches\" only apply to json_pointer and header conditions");
    }
    out.push_back(c);
  }
  return out;
}

std::optional<PollSpec> read_poll(const ObjectReader& step) {
  const Json* object = step.object_field("poll");
  if (object == nullptr) return std::nullopt;
  ObjectReader r(*object, step.pointer_of("poll"), step.problems());
  r.allow_only({"interval", "deadline", "until"});
  PollSpec poll;
  poll.interval = r.duration("interval").value_or(poll.interval);
  poll.deadline = r.duration("deadline").value_or(poll.deadline);
  if (poll.interval.count() <= 0) r.problem("interval", "must be > 0 (got 0)");
  if (poll.interval >= poll.deadline) {
    r.problem(r.has("interval") ? "interval" : "deadline",
              "the poll interval must be shorter than the deadline (got interval " +
                  std::to_string(poll.interval.count() / 1000) + "ms, deadline " +
                  std::to_string(poll.deadline.count() / 1000) + "ms)");
  }
  const Json* until = r.array_field("until");
  if (until == nullptr && !r.has("until"))
    r.missing("until", "\"until\": [{\"json_pointer\": \"/status\", \"equals\": \"done\"}]");
  if (until != nullptr) {
    poll.until = read_conditions(*until, r.pointer_of("until"), step.problems());
    if (until->empty()) r.problem("until", "must hold at least one condition (got [])");
  }
  return poll;
}

std::optional<StreamSpec> read_stream(const ObjectReader& step) {
  const Json* object = step.object_field("stream");
  if (object == nullptr) return std::nullopt;
  ObjectReader r(*object, step.pointer_of("stream"), step.problems());
  r.allow_only({"format", "cancel_after_events", "cancel_after", "progress_pointer"});
  StreamSpec stream;
  const std::string format = r.string("format").value_or("sse");
  if (format == "chunked")
    stream.format = StreamSpec::Format::kChunked;
  else if (format != "sse")
    r.problem("format", "must be \"sse\" or \"chunked\" (got \"" + format + "\")");
  if (auto events = r.integer("cancel_after_events")) {
    if (*events <= 0) r.problem("cancel_after_events", "must be > 0 (got " + std::to_string(*events) + ")");
    stream.cancel_after_events = *events;
  }
  if (auto after = r.duration("cancel_after")) {
    if (after->count() <= 0) r.problem("cancel_after", "must be > 0 (got " + got(r.at("cancel_after")) + ")");
    stream.cancel_after_time = *after;
  }
  stream.progress_pointer = r.string("progress_pointer").value_or("");
  report(step.problems(), r.pointer_of("progress_pointer"), check_json_pointer(stream.progress_pointer));
  return stream;
}

std::vector<TallySpec> read_tallies(const ObjectReader& step) {
  std::vector<TallySpec> out;
  const Json* array = step.array_field("tallies");
  if (array == nullptr) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    const std::string ptr = child(step.pointer_of("tallies"), i);
    if (!expect_object((*array)[i], ptr, step.problems())) continue;
    ObjectReader r((*array)[i], ptr, step.problems());
    r.allow_only({"name", "header", "json_pointer"});
    TallySpec t;
    const int which = one_of(r, {"header", "json_pointer"}, "a tally");
    if (which < 0) continue;
    t.source = which == 0 ? TallySpec::Source::kHeader : TallySpec::Source::kJsonPointer;
    t.expression = r.string(which == 0 ? "header" : "json_pointer").value_or("");
    if (which == 1) report(step.problems(), r.pointer_of("json_pointer"), check_json_pointer(t.expression));
    t.name = r.string("name").value_or(t.expression);
    out.push_back(t);
  }
  return out;
}

std::vector<int> read_statuses(const ObjectReader& step) {
  std::vector<int> out;
  if (!step.has("expect_status")) return out;
  const Json& v = step.at("expect_status");
  const Json list = v.is_array() ? v : Json::array({v});
  for (const Json& s : list) {
    if (!s.is_number_integer() || s.get<int64_t>() < 100 || s.get<int64_t>() > 599) {
      step.problem("expect_status", "must be an HTTP status 100..599 or a list of them (got " + got(v) + ")");
      return {};
    }
    out.push_back(s.get<int>());
  }
  return out;
}

}  // namespace

void check_templates(const std::string& text, const std::string& pointer, const std::string& where,
                     const std::set<std::string>& defined, Problems& problems) {
  for (const std::string& name : template_variables(text)) {
    if (name == "{{") {
      problems.add(pointer, where + ": unterminated {{ ; close it with }}");
    } else if (defined.count(name) == 0) {
      std::string message = where + " uses {{" + name + "}} but nothing defines it; define it in \"variables\", " +
                            "\"random\", a feeder column or an earlier step's \"extract\"";
      const std::string suggestion = closest(name, std::vector<std::string>(defined.begin(), defined.end()));
      if (!suggestion.empty()) message += "; did you mean {{" + suggestion + "}}?";
      problems.add(pointer, message);
    }
  }
}

void check_step_templates(const std::string& text, const std::string& pointer, const std::string& where,
                          const std::set<std::string>& defined, const StepContext& context, Problems& problems) {
  if (!context.feeder_failed) {
    check_templates(text, pointer, where, defined, problems);
    return;
  }
  for (const std::string& name : template_variables(text)) {
    if (name == "{{") problems.add(pointer, where + ": unterminated {{ ; close it with }}");
  }
}

RequestTemplate read_step(const ObjectReader& r, const std::string& default_name, const StepContext& context,
                          std::set<std::string>& defined) {
  r.allow_only({"name", "method", "path", "headers", "body", "timeout", "expect_status", "extract", "checks", "poll",
                "stream", "tallies", "think_time", "run_if_defined"});
  Problems& problems = r.problems();
  RequestTemplate step;
  step.name = r.string("name").value_or(default_name);
  step.method = r.string("method").value_or("GET");
  report(problems, r.pointer_of("method"), check_method(step.method));
  if (!r.has("path")) r.missing("path", "\"path\": \"/health\"");
  step.path = r.string("path").value_or("/");
  report(problems, r.pointer_of("path"), r.has("path") ? check_path(step.path) : "");
  step.headers = r.headers("headers");
  if (r.has("body")) {
    const Json& body = r.at("body");
    step.body = body.is_string() ? body.get<std::string>() : body.dump();
    bool has_type = false;
    for (const auto& h : step.headers) has_type = has_type || h.first == "Content-Type" || h.first == "content-type";
    if (!body.is_string() && !has_type) step.headers.emplace_back("Content-Type", "application/json");
  }
  step.timeout = r.duration("timeout").value_or(context.default_timeout);
  if (step.timeout.count() <= 0) r.problem("timeout", "must be > 0 (got " + got(r.at("timeout")) + ")");
  step.expected_statuses = read_statuses(r);
  if (r.has("think_time") && context.model == LoadModel::kOpen) {
    r.problem("think_time", "only applies to the closed model; the open model's arrivals are set by the rate");
  }
  step.think_time = r.duration("think_time").value_or(std::chrono::microseconds(0));
  step.run_if_defined = r.string("run_if_defined").value_or("");
  if (r.has("run_if_defined") && !context.feeder_failed && defined.count(step.run_if_defined) == 0) {
    r.problem("run_if_defined",
              "step '" + step.name + "' depends on \"" + step.run_if_defined + "\" but no earlier step extracts it");
  }
  const std::string where = "step '" + step.name + "'";
  check_step_templates(step.path, r.pointer_of("path"), where, defined, context, problems);
  for (const auto& [name, value] : step.headers) {
    check_step_templates(value, child(r.pointer_of("headers"), name), where, defined, context, problems);
  }
  check_step_templates(step.body, r.pointer_of("body"), where, defined, context, problems);
  if (const Json* checks = r.array_field("checks"))
    step.checks = read_conditions(*checks, r.pointer_of("checks"), problems);
  step.poll = read_poll(r);
  step.stream = read_stream(r);
  if (step.poll && step.stream) r.problem("stream", "a step can poll or stream, not both; split it into two steps");
  step.tallies = read_tallies(r);
  step.extract = read_extract(r);
  for (const Extraction& e : step.extract) defined.insert(e.variable);
  return step;
}

std::vector<Endpoint> read_endpoints(const Json& endpoints, const std::string& pointer, const StepContext& context,
                                     Problems& problems) {
  std::vector<Endpoint> out;
  std::set<std::string> names;
  if (endpoints.empty()) problems.add(pointer, "must hold at least one endpoint (got [])");
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const std::string ptr = child(pointer, i);
    if (!expect_object(endpoints[i], ptr, problems)) continue;
    ObjectReader r(endpoints[i], ptr, problems);
    r.allow_only({"name", "category", "weight", "request", "flow"});
    Endpoint e;
    e.name = r.string("name").value_or("");
    if (!r.has("name"))
      r.missing("name", "\"name\": \"reports.sales\"");
    else if (e.name.empty())
      r.problem("name", "must not be empty");
    else if (!names.insert(e.name).second)
      r.problem("name", "duplicate endpoint name \"" + e.name + "\"; results are keyed by it");
    e.category = r.string("category").value_or(e.name.substr(0, e.name.find('.')));
    e.weight = r.number("weight").value_or(1);
    if (e.weight <= 0) r.problem("weight", "must be > 0 (got " + got(r.at("weight")) + ")");
    std::set<std::string> defined = context.defined;
    const int which = one_of(r, {"request", "flow"}, "an endpoint");
    if (which == 0 && expect_object(r.at("request"), r.pointer_of("request"), problems)) {
      e.steps.push_back(
          read_step(ObjectReader(r.at("request"), r.pointer_of("request"), problems), e.name, context, defined));
    } else if (which == 1) {
      const Json* flow = r.array_field("flow");
      if (flow != nullptr && flow->empty()) r.problem("flow", "must hold at least one step (got [])");
      std::set<std::string> step_names;
      for (size_t s = 0; flow != nullptr && s < flow->size(); ++s) {
        const std::string step_ptr = child(r.pointer_of("flow"), s);
        if (!expect_object((*flow)[s], step_ptr, problems)) continue;
        const ObjectReader step((*flow)[s], step_ptr, problems);
        e.steps.push_back(read_step(step, "step" + std::to_string(s + 1), context, defined));
        if (!step_names.insert(e.steps.back().name).second) {
          problems.add(child(step_ptr, "name"), "duplicate step name \"" + e.steps.back().name + "\" in this flow");
        }
      }
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace perfgate::scenario_detail
