// HAR import: a browser recording becomes one closed-model flow. What a person's browser did once
// (sign in, open a page, start a job and poll it) is what a virtual user repeats, so the steps keep
// their order and the person's pauses; what the server issued (a token, a job id) cannot be replayed
// literally and becomes an extraction.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/files.h"
#include "core/json_locate.h"
#include "import_common.h"
#include "importers/scenario_import.h"

namespace perfgate {
namespace {

using import_detail::Json;
using RawJson = nlohmann::json;

// Pauses shorter than this are the browser's own scheduling between fetches, not a person thinking.
constexpr double kMinThinkMs = 100;

struct Entry {
  size_t index = 0;  // position in log.entries, for messages
  std::string method;
  std::string scheme, host, path, query;  // host is "name[:port]" as in the URL
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body, body_mime;
  double started_ms = 0, time_ms = 0;
  int status = 0;
  std::string response_mime;
  std::optional<RawJson> response_json;
};

struct Step {
  std::vector<const Entry*> entries;  // more than one: a polling loop
  std::string path;                   // path and query, templated
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Json extract = Json::array();
  std::string run_if_defined;
  double think_ms = 0;
  [[nodiscard]] const Entry& first() const { return *entries.front(); }
  [[nodiscard]] const Entry& last() const { return *entries.back(); }
};

Error bad(const std::string& file, const std::string& field, const std::string& message) {
  return invalid_input(format_input_error(file, {}, field, message));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ISO 8601 as HAR writes it ("2026-12-04T14:49:00.564Z", or "+01:00"); milliseconds since the epoch.
std::optional<double> parse_time_ms(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double s = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%lf%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  double offset_min = 0;
  const std::string zone = text.substr(static_cast<size_t>(consumed));
  int oh = 0, om = 0;
  if ((zone.size() >= 6 && (zone[0] == '+' || zone[0] == '-')) &&
      std::sscanf(zone.c_str() + 1, "%d:%d", &oh, &om) == 2) {
    offset_min = (zone[0] == '-' ? -1 : 1) * (oh * 60.0 + om);
  }
  const double days = static_cast<double>(timegm(&tm)) / 86400.0;
  return (days * 86400.0 + h * 3600.0 + mi * 60.0 + s - offset_min * 60.0) * 1000.0;
}

bool is_static_asset(const Entry& e) {
  static const std::set<std::string> kExtensions = {"js",  "mjs",  "css",  "png",  "jpg",  "jpeg",  "gif", "svg",
                                                    "ico", "webp", "avif", "bmp",  "woff", "woff2", "ttf", "otf",
                                                    "eot", "map",  "mp4",  "webm", "mp3",  "wav",   "wasm"};
  const size_t slash = e.path.find_last_of('/');
  const size_t dot = e.path.find_last_of('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash) &&
      kExtensions.count(lower(e.path.substr(dot + 1))) != 0) {
    return true;
  }
  const std::string mime = lower(e.response_mime);
  for (const char* prefix : {"image/", "font/", "video/", "audio/", "text/css", "application/wasm"}) {
    if (mime.rfind(prefix, 0) == 0) return true;
  }
  return mime.find("javascript") != std::string::npos;
}

// Headers worth replaying: the browser's own (User-Agent, Accept-*, Sec-*, Referer, caching,
// connection) describe the browser, not the application, and Host/Content-Length are recomputed.
bool keep_header(const std::string& name) {
  const std::string n = lower(name);
  if (n.empty() || n[0] == ':') return false;
  return n == "authorization" || n == "content-type" || (n.rfind("x-", 0) == 0 && n != "x-requested-with");
}

Result<Entry> read_entry(const std::string& file, const RawJson& raw, size_t index) {
  const std::string at = "log.entries[" + std::to_string(index) + "]";
  if (!raw.is_object()) return bad(file, at, "must be an object");
  const auto& request = raw.contains("request") ? raw["request"] : RawJson();
  const auto& response = raw.contains("response") ? raw["response"] : RawJson();
  if (!request.is_object()) return bad(file, at + ".request", "missing; every HAR entry has a request object");
  if (!response.is_object()) return bad(file, at + ".response", "missing; every HAR entry has a response object");
  Entry e;
  e.index = index;
  if (!request.contains("method") || !request["method"].is_string())
    return bad(file, at + ".request.method", "missing");
  e.method = request["method"].get<std::string>();
  if (!request.contains("url") || !request["url"].is_string()) return bad(file, at + ".request.url", "missing");
  const std::string url = request["url"].get<std::string>();
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    return bad(file, at + ".request.url", "not an absolute URL (got \"" + url + "\")");
  e.scheme = lower(url.substr(0, scheme_end));
  const size_t host_start = scheme_end + 3;
  const size_t path_start = url.find_first_of("/?#", host_start);
  e.host = lower(url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start));
  std::string rest = path_start == std::string::npos ? "/" : url.substr(path_start);
  rest = rest.substr(0, rest.find('#'));
  const size_t q = rest.find('?');
  e.path = q == std::string::npos ? rest : rest.substr(0, q);
  if (e.path.empty()) e.path = "/";
  if (q != std::string::npos) e.query = rest.substr(q + 1);
  if (request.contains("headers") && request["headers"].is_array()) {
    for (const auto& h : request["headers"]) {
      if (h.is_object() && h.contains("name") && h.contains("value") && h["name"].is_string() &&
          h["value"].is_string()) {
        e.headers.emplace_back(h["name"].get<std::string>(), h["value"].get<std::string>());
      }
    }
  }
  if (request.contains("postData") && request["postData"].is_object()) {
    const auto& post = request["postData"];
    if (post.contains("text") && post["text"].is_string()) e.body = post["text"].get<std::string>();
    if (post.contains("mimeType") && post["mimeType"].is_string()) e.body_mime = post["mimeType"].get<std::string>();
  }
  if (!raw.contains("startedDateTime") || !raw["startedDateTime"].is_string()) {
    return bad(file, at + ".startedDateTime", "missing");
  }
  const auto started = parse_time_ms(raw["startedDateTime"].get<std::string>());
  if (!started) {
    return bad(file, at + ".startedDateTime",
               "not an ISO 8601 time (got \"" + raw["startedDateTime"].get<std::string>() + "\")");
  }
  e.started_ms = *started;
  if (raw.contains("time") && raw["time"].is_number()) e.time_ms = std::max(0.0, raw["time"].get<double>());
  if (!response.contains("status") || !response["status"].is_number_integer()) {
    return bad(file, at + ".response.status", "missing");
  }
  e.status = response["status"].get<int>();
  if (response.contains("content") && response["content"].is_object()) {
    const auto& content = response["content"];
    if (content.contains("mimeType") && content["mimeType"].is_string()) {
      e.response_mime = content["mimeType"].get<std::string>();
    }
    const bool base64 = content.contains("encoding") && content["encoding"] == "base64";
    if (!base64 && content.contains("text") && content["text"].is_string()) {
      auto parsed = RawJson::parse(content["text"].get<std::string>(), nullptr, false);
      if (!parsed.is_discarded() && parsed.is_structured()) e.response_json = std::move(parsed);
    }
  }
  return e;
}

// ----- correlation -----

struct Leaf {
  std::string pointer, key, value;
};

// Values a server issues that a client would reuse: strings without '/' or spaces of at least 4
// characters (tokens, job ids, UUIDs), and numbers under keys that name an id ("id", "user_id",
// "jobId"). Short strings and other numbers (counts, totals) match too much by chance.
void collect_leaves(const RawJson& value, const std::string& pointer, const std::string& key, std::vector<Leaf>& out) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) {
      std::string escaped;
      for (char c : k) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      collect_leaves(v, pointer + "/" += escaped, k, out);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size() && i < 50; ++i)
      collect_leaves(value[i], pointer + "/" + std::to_string(i), key, out);
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() >= 4 && s.size() <= 512 && s.find_first_of("/ \t\n") == std::string::npos)
      out.push_back({pointer, key, s});
  } else if (value.is_number_integer()) {
    const std::string k = lower(key);
    const bool id_key = k == "id" || (k.size() > 2 && k.compare(k.size() - 2, 2, "id") == 0);
    const std::string text = value.dump();
    if (id_key && text.size() >= 2) out.push_back({pointer, key, text});
  }
}

// The places of a request where an id can stand: whole path segments, whole query values, whole
// header values or the credential after "Bearer ", and JSON string values of the body.
enum class Place { kPath, kQuery, kHeader, kBody };

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = s.find(sep, start)) != std::string::npos; start = pos + 1)
    parts.push_back(s.substr(start, pos - start));
  parts.push_back(s.substr(start));
  return parts;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : std::string(1, sep)) + parts[i];
  return out;
}

// Calls `visit(token)` for each replaceable token of a request and rewrites it with the result.
template <class Visit>
void rewrite_request(std::string& path, std::string& query, std::vector<std::pair<std::string, std::string>>& headers,
                     std::string& body, Visit visit) {
  std::vector<std::string> segments = split(path, '/');
  for (auto& seg : segments) seg = visit(seg, Place::kPath);
  path = join(segments, '/');
  if (!query.empty()) {
    std::vector<std::string> pairs = split(query, '&');
    for (auto& pair : pairs) {
      const size_t eq = pair.find('=');
      if (eq != std::string::npos) pair = pair.substr(0, eq + 1) + visit(pair.substr(eq + 1), Place::kQuery);
    }
    query = join(pairs, '&');
  }
  for (auto& [name, value] : headers) {
    if (value.rfind("Bearer ", 0) == 0) {
      value = "Bearer " + visit(value.substr(7), Place::kHeader);
    } else {
      value = visit(value, Place::kHeader);
    }
  }
  if (!body.empty()) {
    // A JSON string value in the body: "VALUE" between quotes, replaced in the text.
    std::string out;
    size_t pos = 0;
    while (pos < body.size()) {
      const size_t open = body.find('"', pos);
      if (open == std::string::npos) break;
      size_t close = open + 1;
      while (close < body.size() && body[close] != '"') close += body[close] == '\\' ? 2 : 1;
      if (close >= body.size()) break;
      out += body.substr(pos, open + 1 - pos) + visit(body.substr(open + 1, close - open - 1), Place::kBody) + '"';
      pos = close + 1;
    }
    body = out + body.substr(std::min(pos, body.size()));
  }
}

struct Claim {
  size_t step = 0;  // step whose response issued the value
  std::string pointer, variable;
  bool used = false;
};

std::string step_name_base(const Entry& e) {
  std::vector<std::string> words{lower(e.method)};
  for (const std::string& seg : split(e.path, '/')) {
    if (seg.empty() || seg.find("{{") != std::string::npos) continue;
    const bool has_digit =
        std::any_of(seg.begin(), seg.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    if (has_digit) continue;  // ids and versions say nothing about the step
    words.push_back(lower(seg));
  }
  if (words.size() == 1) words.emplace_back("root");
  return import_detail::slug(join(words, '-'));
}

// The first field whose value changed between the first and the last response of a loop, the
// field named like a state first: polling ends when that field reaches its last value.
std::optional<std::pair<std::string, RawJson>> poll_field(const RawJson& first, const RawJson& last) {
  std::optional<std::pair<std::string, RawJson>> any, named;
  const RawJson diff = RawJson::diff(first, last);
  for (const auto& op : diff) {
    if (op.value("op", "") != "replace" && op.value("op", "") != "add") continue;
    const std::string pointer = op.value("path", "");
    const RawJson& value = op["value"];
    if (!value.is_primitive()) continue;
    const std::string key = lower(pointer.substr(pointer.find_last_of('/') + 1));
    if (!any) any = std::make_pair(pointer, value);
    if (!named && (key == "status" || key == "state" || key == "phase" || key == "done" || key == "ready" ||
                   key == "finished" || key == "complete" || key == "completed")) {
      named = std::make_pair(pointer, value);
    }
  }
  return named ? named : any;
}

}  // namespace

Result<ImportedScenario> import_har(const std::string& path, const HarImportOptions& options) {
  if (options.virtual_users <= 0)
    return invalid_input("--vus: must be > 0 (got " + std::to_string(options.virtual_users) + ")");
  if (options.duration.count() <= 0) return invalid_input("--duration: must be > 0");
  auto text = read_file(path);
  if (!text) return text.error();
  RawJson har;
  try {
    har = RawJson::parse(*text);
  } catch (const RawJson::parse_error& e) {
    const TextPosition at = position_of_offset(*text, e.byte > 0 ? e.byte - 1 : 0);
    return invalid_input(
        format_input_error(path, at, "", "not a HAR file: the JSON does not parse (" + std::string(e.what()) + ")"));
  }
  if (!har.is_object() || !har.contains("log") || !har["log"].is_object()) {
    return bad(path, "log", "missing; a HAR file is {\"log\": {\"entries\": [...]}}");
  }
  if (!har["log"].contains("entries") || !har["log"]["entries"].is_array()) {
    return bad(path, "log.entries", "missing or not an array");
  }
  const RawJson& raw_entries = har["log"]["entries"];
  std::vector<Entry> entries;
  for (size_t i = 0; i < raw_entries.size(); ++i) {
    auto e = read_entry(path, raw_entries[i], i);
    if (!e) return e.error();
    entries.push_back(std::move(*e));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.started_ms < b.started_ms; });

  ImportedScenario imported;
  size_t statics = 0, unanswered = 0, other_scheme = 0;
  std::map<std::string, size_t> per_host;
  std::vector<const Entry*> candidates;
  for (const Entry& e : entries) {
    if (e.scheme != "http" && e.scheme != "https") {
      ++other_scheme;
    } else if (e.status <= 0) {
      ++unanswered;
    } else if (is_static_asset(e)) {
      ++statics;
    } else {
      candidates.push_back(&e);
      ++per_host[e.scheme + "://" + e.host];
    }
  }
  std::string origin;
  if (!options.host.empty()) {
    for (const auto& [o, n] : per_host) {
      const std::string host = o.substr(o.find("://") + 3);
      if (host == lower(options.host) || host.substr(0, host.find(':')) == lower(options.host)) origin = o;
    }
    if (origin.empty()) {
      std::string known;
      for (const auto& [o, n] : per_host) known += (known.empty() ? "" : ", ") + o;
      return bad(path, "log.entries",
                 "no request to --host " + options.host + " (hosts: " + (known.empty() ? "none" : known) + ")");
    }
  } else {
    size_t best = 0;
    for (const Entry* e : candidates) {  // the most requested host; ties go to the first requested
      const std::string o = e->scheme + "://" + e->host;
      if (per_host[o] > best) {
        best = per_host[o];
        origin = o;
      }
    }
  }
  std::vector<const Entry*> kept;
  std::set<std::string> third_party;
  for (const Entry* e : candidates) {
    if (e->scheme + "://" + e->host == origin)
      kept.push_back(e);
    else
      third_party.insert(e->host);
  }
  if (kept.empty()) {
    return bad(path, "log.entries",
               "nothing importable: " + std::to_string(entries.size()) + " entries, " + std::to_string(statics) +
                   " static assets, " + std::to_string(unanswered) +
                   " without a response; record the application's "
                   "requests (HAR from the browser's network panel or Playwright's recordHar)");
  }
  if (statics > 0) imported.notes.push_back("dropped " + std::to_string(statics) + " static asset request(s)");
  if (!third_party.empty()) {
    std::string hosts;
    for (const auto& h : third_party) hosts += (hosts.empty() ? "" : ", ") + h;
    imported.notes.push_back("dropped " + std::to_string(candidates.size() - kept.size()) +
                             " request(s) to third-party hosts: " + hosts);
  }
  if (unanswered + other_scheme > 0) {
    imported.notes.push_back("dropped " + std::to_string(unanswered + other_scheme) +
                             " request(s) without a response or not over HTTP");
  }

  // Correlation, pass 1: which values did a response issue before any request sent them?
  struct Work {
    const Entry* entry;
    std::string path, query, body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  std::vector<Work> work;
  for (const Entry* e : kept) {
    Work w{e, e->path, e->query, e->body, {}};
    for (const auto& h : e->headers) {
      if (keep_header(h.first) && (lower(h.first) != "content-type" || !e->body.empty())) w.headers.push_back(h);
    }
    work.push_back(std::move(w));
  }
  std::set<std::string> sent;  // every token some request already carried
  std::map<std::string, Claim> claims;
  std::set<std::string> variables;
  for (size_t i = 0; i < work.size(); ++i) {
    Work copy = work[i];
    rewrite_request(copy.path, copy.query, copy.headers, copy.body, [&](const std::string& token, Place) {
      sent.insert(token);
      return token;
    });
    if (!work[i].entry->response_json) continue;
    std::vector<Leaf> leaves;
    collect_leaves(*work[i].entry->response_json, "", "", leaves);
    for (const Leaf& leaf : leaves) {
      if (sent.count(leaf.value) != 0 || claims.count(leaf.value) != 0) continue;
      claims[leaf.value] = Claim{i, leaf.pointer, "", false};
    }
  }
  // Pass 2: later requests that carry a claimed value get {{variable}} instead.
  for (size_t i = 0; i < work.size(); ++i) {
    Work& w = work[i];
    rewrite_request(w.path, w.query, w.headers, w.body, [&](const std::string& token, Place) {
      auto found = claims.find(token);
      if (found == claims.end() || found->second.step >= i) return token;
      Claim& claim = found->second;
      if (claim.variable.empty()) {
        std::string key = claim.pointer.substr(claim.pointer.find_last_of('/') + 1);
        if (key.empty() || std::all_of(key.begin(), key.end(),
                                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
          key = "value";
        }
        std::string name = import_detail::variable_name(key);
        if (name == "id") name = import_detail::variable_name(step_name_base(*work[claim.step].entry) + "_id");
        std::string unique = name;
        for (int n = 2; variables.count(unique) != 0; ++n) unique = name + "_" + std::to_string(n);
        variables.insert(unique);
        claim.variable = unique;
      }
      claim.used = true;
      return "{{" + claim.variable + "}}";
    });
  }

  // Steps: runs of the same GET whose responses changed are one polling step.
  std::vector<Step> steps;
  std::vector<size_t> step_of(work.size());
  for (size_t i = 0; i < work.size();) {
    size_t j = i + 1;
    const Work& w = work[i];
    const bool pollable = w.entry->method == "GET" || w.entry->method == "HEAD";
    while (pollable && j < work.size() && work[j].entry->method == w.entry->method && work[j].path == w.path &&
           work[j].query == w.query && work[j].headers == w.headers) {
      ++j;
    }
    if (j - i >= 2) {
      const Entry& a = *work[i].entry;
      const Entry& b = *work[j - 1].entry;
      const bool changed =
          a.status != b.status || (a.response_json && b.response_json && *a.response_json != *b.response_json);
      if (!changed) j = i + 1;
    } else {
      j = i + 1;
    }
    Step step;
    for (size_t k = i; k < j; ++k) {
      step.entries.push_back(work[k].entry);
      step_of[k] = steps.size();
    }
    step.path = w.path + (w.query.empty() ? "" : "?" + w.query);
    step.headers = w.headers;
    step.body = w.body;
    steps.push_back(std::move(step));
    i = j;
  }
  // Extractions on the step that issued each value; an id issued by 202 Accepted is optional (an
  // asynchronous API may answer a repeated request at once, 200 from its cache, with no job), and
  // the steps that use it run only when it was issued.
  std::map<std::string, bool> optional_variable;
  for (const auto& [value, claim] : claims) {
    if (!claim.used) continue;
    Step& source = steps[step_of[claim.step]];
    const bool optional = work[claim.step].entry->status == 202;
    Json extraction = {{"variable", claim.variable}, {"json_pointer", claim.pointer}};
    if (optional) extraction["optional"] = true;
    source.extract.push_back(extraction);
    optional_variable[claim.variable] = optional;
    imported.notes.push_back("correlated " + claim.variable + ": issued by log.entries[" +
                             std::to_string(work[claim.step].entry->index) + "] at " + claim.pointer +
                             ", reused by later requests as {{" + claim.variable + "}}");
  }
  for (Step& step : steps) {
    std::string uses = step.path + step.body;
    for (const auto& h : step.headers) uses += h.second;
    for (const auto& [variable, optional] : optional_variable) {
      if (optional && uses.find("{{" + variable + "}}") != std::string::npos) {
        step.run_if_defined = variable;
        break;
      }
    }
  }
  for (size_t s = 0; s + 1 < steps.size(); ++s) {
    const double gap = steps[s + 1].first().started_ms - (steps[s].last().started_ms + steps[s].last().time_ms);
    if (gap >= kMinThinkMs) steps[s].think_ms = gap;
  }

  Json flow = Json::array();
  std::set<std::string> names;
  for (const Step& step : steps) {
    const Entry& e = step.first();
    const std::string base = step_name_base(e);
    std::string name = base;
    for (int n = 2; names.count(name) != 0; ++n) name = base + "-" + std::to_string(n);
    names.insert(name);
    Json out;
    out["name"] = name;
    if (e.method != "GET") out["method"] = e.method;
    out["path"] = step.path;
    if (!step.headers.empty()) {
      Json headers = Json::object();
      for (const auto& [n, v] : step.headers) headers[n] = v;
      out["headers"] = headers;
    }
    if (!step.body.empty()) {
      auto parsed = Json::parse(step.body, nullptr, false);
      const bool json_body = !parsed.is_discarded() && lower(e.body_mime).find("json") != std::string::npos;
      if (json_body && step.body.find("{{") == std::string::npos)
        out["body"] = parsed;
      else
        out["body"] = step.body;
    }
    std::set<int> statuses;
    for (const Entry* member : step.entries) statuses.insert(member->status);
    if (statuses.count(202) != 0 && step.entries.size() == 1) statuses.insert(200);
    out["expect_status"] = Json(std::vector<int>(statuses.begin(), statuses.end()));
    if (step.entries.size() > 1) {
      const Entry& last = step.last();
      std::vector<double> gaps;
      for (size_t k = 1; k < step.entries.size(); ++k)
        gaps.push_back(step.entries[k]->started_ms - step.entries[k - 1]->started_ms);
      std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
      const double interval_ms = std::max(50.0, gaps[gaps.size() / 2]);
      const double span_ms = last.started_ms + last.time_ms - e.started_ms;
      const double deadline_ms = std::max({30000.0, 4 * span_ms, 4 * interval_ms});
      Json until = Json::array();
      std::optional<std::pair<std::string, RawJson>> field;
      if (e.response_json && last.response_json) field = poll_field(*e.response_json, *last.response_json);
      if (field)
        until.push_back({{"json_pointer", field->first}, {"equals", field->second}});
      else
        until.push_back({{"status", last.status}});
      out["poll"] = {
          {"interval",
           import_detail::duration_text(std::chrono::microseconds(static_cast<int64_t>(interval_ms * 1000)))},
          {"deadline",
           import_detail::duration_text(std::chrono::microseconds(static_cast<int64_t>(deadline_ms * 1000)))},
          {"until", until}};
      imported.notes.push_back("polling loop: " + std::to_string(step.entries.size()) + " x " + e.method + " " +
                               step.path + " (log.entries[" + std::to_string(e.index) + "..]) became step '" + name +
                               "' polling until " + until[0].dump());
    }
    if (!step.extract.empty()) out["extract"] = step.extract;
    if (!step.run_if_defined.empty()) out["run_if_defined"] = step.run_if_defined;
    if (step.think_ms > 0) {
      out["think_time"] =
          import_detail::duration_text(std::chrono::microseconds(static_cast<int64_t>(step.think_ms * 1000)));
    }
    flow.push_back(out);
  }

  const std::string name = options.name.empty() ? import_detail::file_stem(path) : options.name;
  Json scenario;
  scenario["name"] = name;
  scenario["description"] = "Imported from " + path.substr(path.find_last_of('/') + 1) + ": " +
                            std::to_string(kept.size()) + " of " + std::to_string(entries.size()) +
                            " recorded requests, replayed by " + std::to_string(options.virtual_users) +
                            " virtual user(s) with the recorded pauses";
  scenario["target"] = {{"base_url", "${PERFGATE_TARGET:-" + origin + "}"}};
  scenario["load"] = {{"model", "closed"},
                      {"stages", Json::array({{{"duration", import_detail::duration_text(options.duration)},
                                               {"target_vus", options.virtual_users},
                                               {"phase", "steady"}}})}};
  scenario["endpoints"] =
      Json::array({{{"name", import_detail::slug(name)}, {"category", "journeys"}, {"flow", flow}}});
  auto finished = import_detail::finish_scenario(scenario, path);
  if (!finished) return finished.error();
  imported.json_text = std::move(*finished);
  imported.requests = steps.size();
  return imported;
}

}  // namespace perfgate
