#pragma once
// HAR reading: the entries of a browser recording, the application's requests among them (static
// assets, third-party hosts and unanswered requests dropped), their replayable form and the
// person's pauses between them. Private to the HAR importer.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/json_reader.h"
#include "core/result.h"

namespace perfgate::har_detail {

using RawJson = json_reader::Json;
using Headers = std::vector<std::pair<std::string, std::string>>;

/// One recorded request and its response, as the importer needs it.
struct Entry {
  size_t index = 0;  ///< position in log.entries, for messages
  std::string method;
  std::string scheme, host, path, query;  ///< scheme and host lower case; host is "name[:port]" as in the URL
  Headers headers;
  std::string body, body_mime;
  double started_ms = 0;  ///< milliseconds since the epoch
  double time_ms = 0;     ///< how long the request took, >= 0
  int status = 0;         ///< 0 or negative: the browser got no response
  std::string response_mime;
  std::optional<RawJson> response_json;  ///< the response body when it is a JSON object or array
};

/// Reads log.entries of the HAR document `text` (named `source_name` in messages), sorted by start
/// time (stable). Errors: kInvalidInput "SOURCE:LINE:COL: log.entries[I].FIELD: PROBLEM" for a
/// missing or mistyped field, "SOURCE:LINE:COL: not valid JSON: ..." for text that does not parse.
Result<std::vector<Entry>> read_entries(const std::string& text, const std::string& source_name);

/// The requests of one application (scheme://host[:port]) out of a recording.
struct Selection {
  std::string origin;              ///< "http://127.0.0.1:9000"
  std::vector<const Entry*> kept;  ///< the application's requests, in recorded order
  std::vector<std::string> notes;  ///< one line per kind of request dropped
};

/// Keeps the requests to `host` ("name" or "name:port", any case; "" = the most requested host,
/// ties going to the first requested), dropping static assets, other hosts, non-HTTP and unanswered
/// requests. Points into `entries`. Errors: kInvalidInput at log.entries when no request is to
/// `host` or nothing importable is left (located in `text`, named `source_name`).
Result<Selection> select_application_requests(const std::vector<Entry>& entries, const std::string& host,
                                              const std::string& text, const std::string& source_name);

/// What a virtual user replays of an entry: path, query, body and the application's headers only
/// (Authorization, Content-Type with a body, X-*), never the browser's own.
struct Request {
  const Entry* entry = nullptr;
  std::string path, query, body;
  Headers headers;
};

/// The replayable form of `entry` (which must outlive it).
Request replayable(const Entry& entry);

/// The pause a person took between the end of `before` and the start of `after`, in milliseconds;
/// 0 when shorter than 100 ms (the browser's own scheduling, not thinking).
double think_ms(const Entry& before, const Entry& after);

/// A step name from method and path words, ids and versions left out ("POST /jobs/7/run" -> "post-jobs-run").
std::string step_name_base(const Entry& entry);

/// `text` in ASCII lower case.
std::string lower(std::string text);

/// `text` split at every `separator` (n separators give n + 1 parts).
std::vector<std::string> split(const std::string& text, char separator);

/// `parts` joined with `separator`.
std::string join(const std::vector<std::string>& parts, char separator);

}  // namespace perfgate::har_detail
