// OpenAPI import: one endpoint per GET operation, with parameter values a server will accept. The
// values come from what the spec's author wrote down (examples, defaults, enums) before anything is
// made up from a schema's type, because a made-up id is likely to be a 404.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/files.h"
#include "core/json_locate.h"
#include "import_common.h"
#include "importers/scenario_import.h"

namespace perfgate {
namespace {

using import_detail::Json;

struct Spec {
  std::string file;
  YAML::Node root;
};

Error bad(const Spec& spec, const YAML::Node& at, const std::string& field, const std::string& message) {
  TextPosition position;
  if (at.IsDefined() && at.Mark().line >= 0) position = {at.Mark().line + 1, at.Mark().column + 1};
  return invalid_input(format_input_error(spec.file, position, field, message));
}

// node[key] when node is a mapping, else an undefined node (yaml-cpp throws on [] of a missing node).
YAML::Node get(const YAML::Node& node, const std::string& key) {
  if (node.IsDefined() && node.IsMap() && node[key]) return node[key];
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string scalar(const YAML::Node& node, const std::string& fallback = "") {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : fallback;
}

// Follows local "$ref": "#/components/..." references (at most 16 deep: a cycle is an error).
Result<YAML::Node> resolve(const Spec& spec, YAML::Node node, const std::string& field) {
  if (!node.IsDefined()) return node;
  for (int depth = 0; node.IsMap() && node["$ref"]; ++depth) {
    const std::string ref = scalar(node["$ref"]);
    if (depth >= 16) return bad(spec, node, field, "$ref chain too deep or circular at \"" + ref + "\"");
    if (ref.rfind("#/", 0) != 0) {
      return bad(spec, node["$ref"], field + ".$ref",
                 "only references inside the file (\"#/components/...\") are followed (got \"" + ref + "\")");
    }
    YAML::Node target = spec.root;
    std::string part;
    for (size_t pos = 2; pos <= ref.size(); ++pos) {
      if (pos == ref.size() || ref[pos] == '/') {
        std::string key;
        for (size_t k = 0; k < part.size(); ++k) {
          if (part[k] == '~' && k + 1 < part.size())
            key += part[++k] == '1' ? '/' : '~';
          else
            key += part[k];
        }
        if (!get(target, key)) return bad(spec, node["$ref"], field + ".$ref", "\"" + ref + "\" does not exist");
        target.reset(get(target, key));  // reset rebinds; operator= would overwrite the referenced node
        part.clear();
      } else {
        part += ref[pos];
      }
    }
    node.reset(target);
  }
  return node;
}

// A YAML scalar as the JSON value it means ("3" -> 3, "true" -> true, anything else a string).
Json scalar_json(const YAML::Node& node) {
  if (node.IsNull()) return nullptr;
  if (node.IsSequence()) {
    Json out = Json::array();
    for (const auto& item : node) out.push_back(scalar_json(item));
    return out;
  }
  if (node.IsMap()) {
    Json out = Json::object();
    for (const auto& kv : node) out[kv.first.Scalar()] = scalar_json(kv.second);
    return out;
  }
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted in the source: a string
  if (s == "true" || s == "false") return s == "true";
  char* end = nullptr;
  const long long i = std::strtoll(s.c_str(), &end, 10);
  if (!s.empty() && *end == '\0') return i;
  const double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0' && std::isfinite(d)) return d;
  return s;
}

std::string as_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) out += (out.empty() ? "" : ",") + as_text(item);
    return out;
  }
  return value.dump();
}

// A value for a schema: example, default, first enum value, then one made up from the type.
Result<Json> schema_value(const Spec& spec, const YAML::Node& schema_in, const std::string& field, int depth = 0) {
  auto schema = resolve(spec, schema_in, field);
  if (!schema) return schema.error();
  const YAML::Node& s = *schema;
  if (!s.IsDefined() || !s.IsMap()) return Json("example");
  if (s["example"]) return scalar_json(s["example"]);
  if (s["examples"] && s["examples"].IsSequence() && s["examples"].size() > 0) return scalar_json(s["examples"][0]);
  if (s["default"]) return scalar_json(s["default"]);
  if (s["enum"] && s["enum"].IsSequence() && s["enum"].size() > 0) return scalar_json(s["enum"][0]);
  for (const char* combinator : {"allOf", "oneOf", "anyOf"}) {
    if (s[combinator] && s[combinator].IsSequence() && s[combinator].size() > 0 && depth < 8) {
      return schema_value(spec, s[combinator][0], field + "." + combinator + "[0]", depth + 1);
    }
  }
  const std::string type = scalar(s["type"], "string");
  if (type == "integer" || type == "number") {
    double v = 1;
    if (s["minimum"]) v = std::max(v, std::strtod(scalar(s["minimum"]).c_str(), nullptr));
    if (s["maximum"]) v = std::min(v, std::strtod(scalar(s["maximum"]).c_str(), nullptr));
    if (s["exclusiveMinimum"] && scalar(s["exclusiveMinimum"]) != "false") v += 1;
    return type == "integer" ? Json(static_cast<long long>(std::ceil(v))) : Json(v);
  }
  if (type == "boolean") return Json(true);
  if (type == "array") {
    auto item = schema_value(spec, s["items"], field + ".items", depth + 1);
    if (!item) return item.error();
    return Json::array({*item});
  }
  const std::string format = scalar(s["format"]);
  if (format == "uuid") return Json("00000000-0000-4000-8000-000000000001");
  if (format == "date") return Json("2026-01-01");
  if (format == "date-time") return Json("2026-01-01T00:00:00Z");
  if (format == "email") return Json("user@example.com");
  return Json("example");
}

// A parameter's value: its own example(s), else its schema's.
Result<Json> parameter_value(const Spec& spec, const YAML::Node& p, const std::string& field) {
  if (p["example"]) return scalar_json(p["example"]);
  if (p["examples"] && p["examples"].IsMap()) {
    for (const auto& kv : p["examples"]) {
      auto example = resolve(spec, kv.second, field + ".examples");
      if (!example) return example.error();
      if ((*example)["value"]) return scalar_json((*example)["value"]);
    }
  }
  if (!p["schema"]) return Json("example");
  return schema_value(spec, p["schema"], field + ".schema");
}

struct Security {
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> query;
};

// The first security requirement the importer can express: a bearer token or basic credentials in
// Authorization, or an API key in a header or the query; its value from an environment secret.
Result<Security> security_for(const Spec& spec, const YAML::Node& requirements, const std::string& field) {
  Security out;
  if (!requirements || !requirements.IsSequence()) return out;
  const YAML::Node schemes = get(get(spec.root, "components"), "securitySchemes");
  for (const auto& requirement : requirements) {
    if (!requirement.IsMap()) continue;
    for (const auto& kv : requirement) {
      const std::string name = kv.first.Scalar();
      if (!schemes || !schemes[name]) {
        return bad(spec, kv.first, field, "security scheme \"" + name + "\" is not in components.securitySchemes");
      }
      auto scheme = resolve(spec, schemes[name], "components.securitySchemes." + name);
      if (!scheme) return scheme.error();
      const std::string type = scalar((*scheme)["type"]);
      const std::string http_scheme = scalar((*scheme)["scheme"]);
      if (type == "http" && (http_scheme == "bearer" || http_scheme == "Bearer")) {
        out.headers.emplace_back("Authorization", "Bearer ${secret:PERFGATE_API_TOKEN:-replace-me}");
        return out;
      }
      if (type == "http" && (http_scheme == "basic" || http_scheme == "Basic")) {
        out.headers.emplace_back("Authorization", "Basic ${secret:PERFGATE_API_BASIC:-replace-me}");
        return out;
      }
      if (type == "apiKey" && scalar((*scheme)["in"]) == "header") {
        out.headers.emplace_back(scalar((*scheme)["name"], "X-API-Key"), "${secret:PERFGATE_API_KEY:-replace-me}");
        return out;
      }
      if (type == "apiKey" && scalar((*scheme)["in"]) == "query") {
        out.query.emplace_back(scalar((*scheme)["name"], "api_key"), "${secret:PERFGATE_API_KEY:-replace-me}");
        return out;
      }
    }
  }
  return out;
}

// servers[0].url with its variables at their defaults: the origin for base_url, the rest a prefix.
std::pair<std::string, std::string> server_origin_and_prefix(const YAML::Node& root) {
  std::string url;
  YAML::Node server;
  if (root["servers"] && root["servers"].IsSequence() && root["servers"].size() > 0) server.reset(root["servers"][0]);
  if (server && server.IsMap()) url = scalar(server["url"]);
  if (server && server["variables"] && server["variables"].IsMap()) {
    for (const auto& kv : server["variables"]) {
      const std::string placeholder = "{" + kv.first.Scalar() + "}";
      for (size_t pos; (pos = url.find(placeholder)) != std::string::npos;) {
        url.replace(pos, placeholder.size(), scalar(get(kv.second, "default")));
      }
    }
  }
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return {"http://127.0.0.1:8080", url};
  }
  const size_t path = url.find('/', scheme + 3);
  std::string prefix = path == std::string::npos ? "" : url.substr(path);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return {url.substr(0, path), prefix};
}

}  // namespace

Result<ImportedScenario> import_openapi(const std::string& path, const OpenApiImportOptions& options) {
  if (!(options.rate > 0)) return invalid_input("--rate: must be > 0");
  if (options.duration.count() <= 0) return invalid_input("--duration: must be > 0");
  auto text = read_file(path);
  if (!text) return text.error();
  Spec spec{path, {}};
  try {
    spec.root.reset(YAML::Load(*text));  // YAML 1.2 is a superset of JSON: one parser for both
  } catch (const YAML::ParserException& e) {
    return invalid_input(format_input_error(path, {e.mark.line + 1, e.mark.column + 1}, "",
                                            "not an OpenAPI file: the YAML/JSON does not parse (" + e.msg + ")"));
  }
  try {
    const YAML::Node& root = spec.root;
    if (!root.IsMap()) return bad(spec, root, "", "not an OpenAPI file: the top level must be a mapping");
    const std::string version = scalar(root["openapi"]);
    if (version.rfind("3.", 0) != 0) {
      if (root["swagger"]) {
        return bad(spec, root["swagger"], "swagger",
                   "Swagger 2.0 is not read; convert it to OpenAPI 3 first (e.g. with swagger2openapi)");
      }
      return bad(spec, root["openapi"] ? root["openapi"] : root, "openapi",
                 "must be an OpenAPI 3.x version (got \"" + version + "\")");
    }
    if (!root["paths"] || !root["paths"].IsMap()) return bad(spec, root, "paths", "missing or not a mapping");
    const auto [origin, prefix] = server_origin_and_prefix(root);
    const std::set<std::string> excluded(options.exclude_tags.begin(), options.exclude_tags.end());

    ImportedScenario imported;
    Json endpoints = Json::array();
    std::set<std::string> names;
    size_t other_methods = 0, excluded_count = 0;
    for (const auto& path_entry : root["paths"]) {
      const std::string route = path_entry.first.Scalar();
      const std::string route_field = "paths." + route;
      auto item = resolve(spec, path_entry.second, route_field);
      if (!item) return item.error();
      if (!item->IsMap()) return bad(spec, path_entry.second, route_field, "must be a path item (a mapping)");
      for (const char* method : {"put", "post", "delete", "options", "head", "patch", "trace"}) {
        if ((*item)[method]) ++other_methods;
      }
      const YAML::Node op = (*item)["get"];
      if (!op) continue;
      const std::string field = route_field + ".get";
      if (!op.IsMap()) return bad(spec, op, field, "must be an operation object");
      std::vector<std::string> tags;
      if (op["tags"] && op["tags"].IsSequence()) {
        for (const auto& t : op["tags"]) tags.push_back(scalar(t));
      }
      if (std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return excluded.count(t) != 0; })) {
        ++excluded_count;
        continue;
      }
      // Parameters: the operation's override the path item's of the same name and location.
      std::vector<std::pair<YAML::Node, std::string>> params;
      std::set<std::string> seen;
      for (const auto& [list, list_field] : {std::make_pair(op["parameters"], field + ".parameters"),
                                             std::make_pair((*item)["parameters"], route_field + ".parameters")}) {
        if (!list) continue;
        if (!list.IsSequence()) return bad(spec, list, list_field, "must be a list");
        for (size_t i = 0; i < list.size(); ++i) {
          const std::string pf = list_field + "[" + std::to_string(i) + "]";
          auto p = resolve(spec, list[i], pf);
          if (!p) return p.error();
          if (!p->IsMap() || !(*p)["name"] || !(*p)["in"])
            return bad(spec, list[i], pf, "a parameter needs \"name\" and \"in\"");
          if (!seen.insert(scalar((*p)["in"]) + ":" + scalar((*p)["name"])).second) continue;
          params.emplace_back(*p, pf);
        }
      }
      std::string request_path = prefix + route;
      std::vector<std::string> query;
      Json headers = Json::object();
      for (const auto& [p, pf] : params) {
        const std::string name = scalar(p["name"]);
        const std::string in = scalar(p["in"]);
        const bool required = scalar(p["required"]) == "true" || in == "path";
        const bool has_example = p["example"] || p["examples"] || get(get(p, "schema"), "example");
        if (!required && !has_example) continue;  // optional and nothing the author suggested
        auto value = parameter_value(spec, p, pf);
        if (!value) return value.error();
        const std::string v = as_text(*value);
        if (in == "path") {
          const std::string placeholder = "{" + name + "}";
          const size_t pos = request_path.find(placeholder);
          if (pos == std::string::npos) {
            std::string message = "path parameter \"" + name + "\" is not in the path ";
            message += route;
            return bad(spec, p["name"], pf + ".name", message);
          }
          request_path.replace(pos, placeholder.size(), import_detail::url_encode(v));
        } else if (in == "query") {
          query.push_back(import_detail::url_encode(name) + "=" + import_detail::url_encode(v));
        } else if (in == "header") {
          headers[name] = v;
        }
      }
      const size_t open = request_path.find('{');
      if (open != std::string::npos) {
        return bad(spec, path_entry.first, route_field,
                   "path template " + request_path.substr(open, request_path.find('}', open) + 1 - open) +
                       " has no parameter with \"in: path\"; declare it under parameters");
      }
      auto security = security_for(spec, op["security"] ? op["security"] : root["security"], field + ".security");
      if (!security) return security.error();
      for (const auto& [n, v] : security->headers) headers[n] = v;
      for (const auto& [n, v] : security->query) query.push_back(n + "=" += v);

      Json request;
      std::string full_path = request_path;
      for (size_t q = 0; q < query.size(); ++q) (full_path += q == 0 ? "?" : "&") += query[q];
      request["path"] = full_path;
      if (!headers.empty()) request["headers"] = headers;
      std::vector<int> statuses;
      bool event_stream = false;
      if (op["responses"] && op["responses"].IsMap()) {
        for (const auto& kv : op["responses"]) {
          const std::string code = kv.first.Scalar();
          if (code.size() == 3 && code[0] == '2' && std::isdigit(static_cast<unsigned char>(code[1])) != 0 &&
              std::isdigit(static_cast<unsigned char>(code[2])) != 0) {
            statuses.push_back(std::stoi(code));
            auto response = resolve(spec, kv.second, field + ".responses." += code);
            if (!response) return response.error();
            if (response->IsMap() && get(get(*response, "content"), "text/event-stream")) {
              event_stream = true;
            }
          }
        }
      }
      if (!statuses.empty()) request["expect_status"] = statuses;
      if (event_stream) request["stream"] = {{"format", "sse"}};

      std::string name = scalar(op["operationId"]);
      if (name.empty()) name = "GET " + route;
      const std::string base = name;
      for (int n = 2; names.count(name) != 0; ++n) name = base + "-" + std::to_string(n);
      names.insert(name);
      std::string category = tags.empty() ? "" : import_detail::slug(tags[0]);
      if (category.empty()) {
        const size_t start = route.find_first_not_of('/');
        category = start == std::string::npos
                       ? "root"
                       : import_detail::slug(route.substr(start, route.find('/', start) - start));
      }
      Json endpoint;
      endpoint["name"] = name;
      endpoint["category"] = category.empty() ? "root" : category;
      endpoint["request"] = request;
      endpoints.push_back(endpoint);
    }
    if (endpoints.empty()) {
      return bad(spec, root["paths"], "paths",
                 "nothing importable: no GET operation" +
                     std::string(excluded_count > 0
                                     ? " left after --exclude-tag (" + std::to_string(excluded_count) + " excluded)"
                                     : "") +
                     "; the importer writes one endpoint per GET operation");
    }
    if (other_methods > 0) {
      imported.notes.push_back("left out " + std::to_string(other_methods) +
                               " non-GET operation(s): write them as flow steps by hand (docs/scenarios.md)");
    }
    if (excluded_count > 0)
      imported.notes.push_back("left out " + std::to_string(excluded_count) + " GET operation(s) by --exclude-tag");

    std::string name = options.name;
    if (name.empty()) name = import_detail::slug(scalar(get(get(root, "info"), "title")));
    if (name.empty()) name = import_detail::file_stem(path);
    Json scenario;
    scenario["name"] = name;
    std::string description = "Imported from " + path.substr(path.find_last_of('/') + 1) + ": " +
                              std::to_string(endpoints.size()) + " GET operation(s)";
    if (get(get(root, "info"), "version"))
      description += " of API version " + scalar(get(get(root, "info"), "version"));
    scenario["description"] = description;
    scenario["target"] = {{"base_url", "${PERFGATE_TARGET:-" + origin + "}"}};
    scenario["load"] = {{"model", "open"},
                        {"stages", Json::array({{{"duration", import_detail::duration_text(options.duration)},
                                                 {"target_rps", options.rate},
                                                 {"phase", "steady"}}})}};
    scenario["endpoints"] = endpoints;
    auto finished = import_detail::finish_scenario(scenario, path);
    if (!finished) return finished.error();
    imported.json_text = std::move(*finished);
    imported.requests = endpoints.size();
    return imported;
  } catch (const YAML::Exception& e) {
    return invalid_input(format_input_error(path, {e.mark.line + 1, e.mark.column + 1}, "",
                                            "unexpected structure for an OpenAPI file (" + e.msg + ")"));
  }
}

}  // namespace perfgate
