#pragma once
// The scenario model: what load to offer, against which endpoints, in which shape. Produced by the
// parser (scenarios/parser.h) from a JSON file or from quick-mode flags; consumed by loadgen.
// Documented for users in docs/scenarios.md.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/run_result.h"

namespace perfgate {

/// A value pulled from a response into a variable used by later steps ({{name}} in templates).
struct Extraction {
  enum class Source { kJsonPointer, kHeader, kRegex };
  std::string variable;
  Source source = Source::kJsonPointer;
  std::string expression;  ///< JSON pointer ("/job/id"), header name, or regex with one capture group
  /// When the value is absent: false fails the iteration (counted as Outcome::kCheck); true leaves the
  /// variable undefined so that later steps with `run_if_defined` naming it are skipped.
  bool optional = false;
};

/// A condition on a response. Used for checks (a failure is counted as Outcome::kCheck) and for
/// polling conditions (repeat until it holds).
struct Condition {
  enum class Kind { kStatus, kBodyContains, kJsonEquals, kJsonMatches, kHeaderEquals };
  Kind kind = Kind::kStatus;
  std::string target;  ///< JSON pointer or header name (empty for status and body)
  /// Expected status ("200"), substring, JSON value as compact JSON text (kJsonEquals compares
  /// `value_at_pointer.dump()`, so a string keeps its quotes: "\"done\""), or an ECMAScript regex
  /// (kJsonMatches: matched against a string value's contents, other values' JSON text).
  std::string value;
};

/// Repeat a request until `until` holds or `deadline` passes (seed 002's async job).
struct PollSpec {
  std::chrono::microseconds interval{std::chrono::milliseconds(500)};
  std::chrono::microseconds deadline{std::chrono::seconds(30)};
  std::vector<Condition> until;  ///< all must hold
};

/// Read a streamed response (seed 001's SSE export) and time its events.
struct StreamSpec {
  enum class Format { kSse, kChunked };
  Format format = Format::kSse;
  std::optional<int64_t> cancel_after_events;                  ///< close the stream after N events
  std::optional<std::chrono::microseconds> cancel_after_time;  ///< or after this long
  std::string progress_pointer;                                ///< JSON pointer of a progress value in event data
};

/// Count the values of a header or JSON field across the run (X-Cache: hit/miss).
struct TallySpec {
  std::string name;
  enum class Source { kHeader, kJsonPointer };
  Source source = Source::kHeader;
  std::string expression;
};

/// One HTTP request, possibly one step of a flow. Strings may hold {{variable}} placeholders.
struct RequestTemplate {
  std::string name;  ///< step name (flows) or endpoint name
  std::string method = "GET";
  std::string path = "/";  ///< path and query, relative to the base URL (or absolute URL)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::microseconds timeout{std::chrono::seconds(10)};
  std::vector<int> expected_statuses;  ///< empty: any 2xx/3xx is success
  std::vector<Extraction> extract;
  std::vector<Condition> checks;
  std::optional<PollSpec> poll;
  std::optional<StreamSpec> stream;
  std::vector<TallySpec> tallies;
  std::chrono::microseconds think_time{0};  ///< closed model: pause after this step
  /// Non-empty: run this step only when that variable is defined (e.g. extracted by an earlier
  /// optional extraction); otherwise skip it without counting a request.
  std::string run_if_defined;
};

/// A named entry of the request mix: one request, or a flow of steps run in order.
struct Endpoint {
  std::string name;                    ///< "reports.sales"; results are keyed by it
  std::string category;                ///< budget category ("reports", "auth", ...); defaults to the name's prefix
  double weight = 1;                   ///< share of arrivals (open) or of iterations (closed)
  std::vector<RequestTemplate> steps;  ///< size 1 for a plain request
  [[nodiscard]] bool is_flow() const {
    return steps.size() > 1 || (!steps.empty() && (steps[0].poll || steps[0].stream));
  }
};

/// One stage of the load shape: the target changes linearly from the previous stage's end value
/// to `target` over `duration` (ramp), or holds when equal.
struct Stage {
  std::chrono::microseconds duration{0};
  double target = 0;  ///< arrivals per second (open) or virtual users (closed)
  std::string phase;  ///< optional phase name ("warm-up" is excluded from results)
};

/// Sane bounds on a load shape, checked before anything is sent (scenario files, quick-mode flags
/// and scaling). One generator process reaches ~100k requests/s on a laptop; a rate beyond the bound
/// cannot be offered by one machine and used to grow the pending queue until the OOM killer came.
inline constexpr double kMaxTargetRps = 1'000'000;          ///< arrivals per second, per stage
inline constexpr double kMaxVirtualUsers = 100'000;         ///< matches the max_connections bound
inline constexpr std::chrono::hours kMaxLoadDuration{168};  ///< one week: the longest soak we plan for

/// The load shape.
struct LoadShape {
  LoadModel model = LoadModel::kOpen;
  double start_target = 0;  ///< value before the first stage (0: ramps from zero)
  std::vector<Stage> stages;
  int max_connections = 0;                  ///< 0: chosen by the engine from the rate
  std::chrono::microseconds think_time{0};  ///< closed model: pause after each iteration (steps add their own)
  int64_t max_iterations = 0;               ///< closed model: stop after this many iterations in total (0: no limit)
};

/// The "search" block: settings of a limit search (run --find-limit, docs/scenarios.md); each may be
/// overridden by its flag. Unset fields take the flags' defaults.
struct SearchSpec {
  std::string slo;                                   ///< budget rules, comma-separated ("p95 < 1s, error_rate < 1%")
  std::optional<double> start_rps;                   ///< first step, > 0
  std::optional<double> max_rps;                     ///< highest rate tried
  std::optional<double> growth;                      ///< factor between steps before the first bad one, > 1
  std::optional<double> precision;                   ///< bracket width to stop at, share of the rate (0, 1)
  std::optional<std::chrono::microseconds> warm_up;  ///< excluded start of each step
  std::optional<std::chrono::microseconds> hold;     ///< judged part of each step
  std::optional<std::chrono::microseconds> budget;   ///< planned time of the whole search
};

/// Variables from a CSV file, one row per iteration (sequential or random).
struct CsvFeeder {
  std::string path;
  std::vector<std::string> columns;            ///< header row of the file
  std::vector<std::vector<std::string>> rows;  ///< loaded at parse time
  bool random_order = false;
};

/// A variable drawn uniformly from [min, max] per iteration.
struct RandomRange {
  std::string variable;
  int64_t min = 0;
  int64_t max = 0;
};

/// A whole scenario.
struct Scenario {
  std::string name;
  std::string description;
  std::string source_path;                                   ///< file it came from ("" for quick mode)
  std::string base_url;                                      ///< "http://127.0.0.1:8080"
  std::vector<std::pair<std::string, std::string>> headers;  ///< sent with every request
  std::vector<Endpoint> endpoints;
  LoadShape shape;
  std::vector<CsvFeeder> feeders;
  std::vector<RandomRange> random;
  std::map<std::string, std::string> variables;  ///< constants (env-substituted at parse time)
  std::vector<std::string> secret_values;        ///< values to redact in every output
  std::string hash;                              ///< SHA-256 of the canonical form
  std::string workload_hash;                     ///< SHA-256 of the canonical form without base URL and description
  std::optional<SearchSpec> search;              ///< a "search" block (limit search settings), if any

  /// Total duration of all stages.
  [[nodiscard]] std::chrono::microseconds duration() const;
};

}  // namespace perfgate
