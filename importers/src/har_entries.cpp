// HAR reading. A recording holds everything the browser fetched; only the application's own
// requests describe what a user does, so scripts, styles, images, fonts and other hosts are dropped.
#include "har_entries.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "import_common.h"

namespace perfgate::har_detail {
namespace {

using json_reader::child;
using json_reader::FieldError;
using json_reader::get;
using json_reader::member;

// Pauses shorter than this are the browser's own scheduling between fetches, not a person thinking.
constexpr double kMinThinkMs = 100;

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

bool is_string_member(const RawJson& j, const char* key) { return j.contains(key) && j[key].is_string(); }

// The URL's parts; throws at `at` unless it is absolute.
void split_url(const std::string& url, const std::string& at, Entry& e) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) throw FieldError{at, "not an absolute URL (got \"" + url + "\")"};
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
}

// Required fields are checked; optional ones (headers, postData, time, content) are taken when they
// have the expected shape and ignored otherwise, as browsers differ in what they write there.
Entry read_entry(const RawJson& raw, const std::string& at, size_t index) {
  const RawJson& request = member(raw, at, "request");
  const std::string request_at = child(at, "request");
  const RawJson& response = member(raw, at, "response");
  const std::string response_at = child(at, "response");
  Entry e;
  e.index = index;
  e.method = get<std::string>(request, request_at, "method");
  split_url(get<std::string>(request, request_at, "url"), child(request_at, "url"), e);
  if (request.contains("headers") && request["headers"].is_array()) {
    for (const auto& h : request["headers"]) {
      if (h.is_object() && is_string_member(h, "name") && is_string_member(h, "value")) {
        e.headers.emplace_back(h["name"].get<std::string>(), h["value"].get<std::string>());
      }
    }
  }
  if (request.contains("postData") && request["postData"].is_object()) {
    const auto& post = request["postData"];
    if (is_string_member(post, "text")) e.body = post["text"].get<std::string>();
    if (is_string_member(post, "mimeType")) e.body_mime = post["mimeType"].get<std::string>();
  }
  const auto started_text = get<std::string>(raw, at, "startedDateTime");
  const auto started = parse_time_ms(started_text);
  if (!started) throw FieldError{child(at, "startedDateTime"), "not an ISO 8601 time (got \"" + started_text + "\")"};
  e.started_ms = *started;
  if (raw.contains("time") && raw["time"].is_number()) e.time_ms = std::max(0.0, raw["time"].get<double>());
  const RawJson& status = member(response, response_at, "status");
  if (!status.is_number_integer()) {
    throw FieldError{child(response_at, "status"), "must be an integer HTTP status (got " + status.dump() + ")"};
  }
  e.status = status.get<int>();
  if (response.contains("content") && response["content"].is_object()) {
    const auto& content = response["content"];
    if (is_string_member(content, "mimeType")) e.response_mime = content["mimeType"].get<std::string>();
    const bool base64 = content.contains("encoding") && content["encoding"] == "base64";
    if (!base64 && is_string_member(content, "text")) {
      auto parsed = RawJson::parse(content["text"].get<std::string>(), nullptr, false);
      if (!parsed.is_discarded() && parsed.is_structured()) e.response_json = std::move(parsed);
    }
  }
  return e;
}

std::vector<Entry> read_log(const RawJson& har) {
  if (!har.is_object() || !har.contains("log")) {
    throw FieldError{"/log", "missing; a HAR file is {\"log\": {\"entries\": [...]}}"};
  }
  const RawJson& raw_entries = member(har["log"], "/log", "entries");
  json_reader::expect_array(raw_entries, "/log/entries");
  std::vector<Entry> entries;
  entries.reserve(raw_entries.size());
  for (size_t i = 0; i < raw_entries.size(); ++i) {
    entries.push_back(read_entry(raw_entries[i], child("/log/entries", i), i));
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.started_ms < b.started_ms; });
  return entries;
}

}  // namespace

Result<std::vector<Entry>> read_entries(const std::string& text, const std::string& source_name) {
  auto har = json_reader::parse(text, source_name,
                                "not a HAR file (save one from the browser's network panel or Playwright's recordHar)");
  if (!har) return har.error();
  return json_reader::read_parsed(*har, text, source_name, "HAR file", read_log);
}

Result<Selection> select_application_requests(const std::vector<Entry>& entries, const std::string& host,
                                              const std::string& text, const std::string& source_name) {
  const auto refuse = [&](const std::string& message) {
    return json_reader::field_error(source_name, text, FieldError{"/log/entries", message});
  };
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
  Selection selection;
  if (!host.empty()) {
    for (const auto& [o, n] : per_host) {
      const std::string h = o.substr(o.find("://") + 3);
      if (h == lower(host) || h.substr(0, h.find(':')) == lower(host)) selection.origin = o;
    }
    if (selection.origin.empty()) {
      std::string known;
      for (const auto& [o, n] : per_host) known += (known.empty() ? "" : ", ") + o;
      return refuse("no request to --host " + host + " (hosts: " + (known.empty() ? "none" : known) + ")");
    }
  } else {
    size_t best = 0;
    for (const Entry* e : candidates) {  // the most requested host; ties go to the first requested
      const std::string o = e->scheme + "://" + e->host;
      if (per_host[o] > best) {
        best = per_host[o];
        selection.origin = o;
      }
    }
  }
  std::set<std::string> third_party;
  for (const Entry* e : candidates) {
    if (e->scheme + "://" + e->host == selection.origin)
      selection.kept.push_back(e);
    else
      third_party.insert(e->host);
  }
  if (selection.kept.empty()) {
    return refuse("nothing importable: " + std::to_string(entries.size()) + " entries, " + std::to_string(statics) +
                  " static assets, " + std::to_string(unanswered) +
                  " without a response; record the application's "
                  "requests (HAR from the browser's network panel or Playwright's recordHar)");
  }
  if (statics > 0) selection.notes.push_back("dropped " + std::to_string(statics) + " static asset request(s)");
  if (!third_party.empty()) {
    std::string hosts;
    for (const auto& h : third_party) hosts += (hosts.empty() ? "" : ", ") + h;
    selection.notes.push_back("dropped " + std::to_string(candidates.size() - selection.kept.size()) +
                              " request(s) to third-party hosts: " + hosts);
  }
  if (unanswered + other_scheme > 0) {
    selection.notes.push_back("dropped " + std::to_string(unanswered + other_scheme) +
                              " request(s) without a response or not over HTTP");
  }
  return selection;
}

Request replayable(const Entry& entry) {
  Request r{&entry, entry.path, entry.query, entry.body, {}};
  for (const auto& h : entry.headers) {
    if (keep_header(h.first) && (lower(h.first) != "content-type" || !entry.body.empty())) r.headers.push_back(h);
  }
  return r;
}

double think_ms(const Entry& before, const Entry& after) {
  const double gap = after.started_ms - (before.started_ms + before.time_ms);
  return gap >= kMinThinkMs ? gap : 0;
}

std::string step_name_base(const Entry& entry) {
  std::vector<std::string> words{lower(entry.method)};
  for (const std::string& seg : split(entry.path, '/')) {
    if (seg.empty() || seg.find("{{") != std::string::npos) continue;
    const bool has_digit =
        std::any_of(seg.begin(), seg.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    if (has_digit) continue;  // ids and versions say nothing about the step
    words.push_back(lower(seg));
  }
  if (words.size() == 1) words.emplace_back("root");
  return import_detail::slug(join(words, '-'));
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos; (pos = text.find(separator, start)) != std::string::npos; start = pos + 1)
    parts.push_back(text.substr(start, pos - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::string join(const std::vector<std::string>& parts, char separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : std::string(1, separator)) + parts[i];
  return out;
}

}  // namespace perfgate::har_detail
