#pragma once
// The result of one load run: what every analyzer, gate and report reads. Serialised as JSON
// (core/run_result_io.h), documented field by field in docs/results.md. All latencies are in
// microseconds; all times on the run's timeline are milliseconds since the run's start.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/histogram.h"
#include "core/segment.h"

namespace perfgate {

/// Version of the JSON layout; readers refuse any other (docs/results.md, "Compatibility").
inline constexpr int kResultSchemaVersion = 1;

/// How load was offered: open (arrivals on a schedule, latency from the due time) or closed
/// (virtual users that wait for each response; latency is service time, labelled as such).
enum class LoadModel { kOpen, kClosed };

/// What a line of the results measures: a plain endpoint, a whole flow, or one step of a flow.
/// Steps are inside their flows: totals, charts and comparisons count requests and flows only.
enum class EndpointKind { kRequest, kFlow, kStep };

/// The JSON spelling of `kind`: "request", "flow" or "step".
[[nodiscard]] std::string_view endpoint_kind_name(EndpointKind kind);
/// The kind spelled `name` ("request", "flow", "step"), or nullopt for any other text.
[[nodiscard]] std::optional<EndpointKind> endpoint_kind_from_name(std::string_view name);

/// How a run ended: every phase ran (kComplete), it was stopped early (kPartial), or it measured
/// nothing about the service because it gave up or no request succeeded (kFailed).
enum class RunStatus { kComplete, kPartial, kFailed };

/// The JSON spelling of `status`: "complete", "partial" or "failed".
[[nodiscard]] std::string_view run_status_name(RunStatus status);
/// The status spelled `name` ("complete", "partial", "failed"), or nullopt for any other text.
[[nodiscard]] std::optional<RunStatus> run_status_from_name(std::string_view name);

/// Outcome categories a request can end in; failures are counted by category, never thrown.
/// `kOk` is a success; every other category is an error.
enum class Outcome : int {
  kOk = 0,
  kConnect,    ///< connection refused / unreachable / DNS / TLS handshake
  kTimeout,    ///< no complete response within the request timeout
  kRead,       ///< connection reset or closed while reading
  kWrite,      ///< connection failed while sending
  kStatus4xx,  ///< response with a 4xx status that was not expected
  kStatus5xx,  ///< response with a 5xx status (or other unexpected status)
  kParse,      ///< malformed HTTP response
  kCheck,      ///< a flow check failed (status, body, JSON value)
  kDeadline,   ///< a polling step's deadline passed before its condition held
  kCount_      ///< number of categories; not an outcome
};

/// Stable JSON name of an outcome category ("ok", "connect", "timeout", ...).
const char* outcome_name(Outcome outcome);
/// Parses an outcome name; nullopt for an unknown one.
std::optional<Outcome> outcome_from_name(const std::string& name);

/// Percentile summary of a histogram, in the histogram's unit (microseconds for latency).
struct LatencySummary {
  double p50 = 0, p90 = 0, p95 = 0, p99 = 0, p999 = 0, max = 0, mean = 0, min = 0;
  int64_t count = 0;
  /// Summarises a histogram.
  static LatencySummary of(const Histogram& h);
};

/// Error counts by category (every category except ok) and their total.
struct ErrorCounts {
  std::map<std::string, int64_t> by_category;  ///< outcome name -> count, non-zero entries only
  int64_t total = 0;
  void add(Outcome outcome, int64_t n = 1);
};

/// One second (or one interval) of the run's timeline for one endpoint or for the whole run.
struct IntervalStats {
  int64_t t_ms = 0;         ///< start of the interval, ms since run start
  int64_t duration_ms = 0;  ///< length of the interval
  int64_t requests = 0;     ///< completed requests (success or error) in the interval
  int64_t errors = 0;       ///< of which errors
  double p50_us = 0, p90_us = 0, p95_us = 0, p99_us = 0, max_us = 0;  ///< corrected latency
  int64_t sent = 0;                                                   ///< requests started in the interval
  double schedule_lag_us = 0;  ///< how late the generator started requests, worst in the interval (open model)
  /// The interval's corrected latency histogram (us, 2 significant digits), HdrHistogram V2
  /// compressed base64, as HdrHistogram interval logs carry it (`perfgate export --hlog`); "" when
  /// not recorded (results written before it, or merged from shards that lacked it).
  std::string histogram;
};

/// A named extra distribution of an endpoint or flow (time to first event, polls until done, ...).
struct NamedMetric {
  std::string unit;  ///< "us", "count", "events_per_s"
  Histogram histogram;
};

/// Counts of observed values (e.g. X-Cache: hit/miss), for share budgets such as cache hit rate.
using Tally = std::map<std::string, int64_t>;

/// Statistics of one endpoint (or flow, or flow step), overall or within one phase.
struct EndpointStats {
  std::string name;  ///< endpoint name from the scenario ("reports.sales"); flows: "flow/step"
  EndpointKind kind = EndpointKind::kRequest;
  int64_t requests = 0;  ///< completed requests (success + errors), warm-up excluded
  ErrorCounts errors;
  Histogram latency{};                          ///< from due time (open) or send time (closed); successes and errors
  Histogram service_time{};                     ///< from send to done (the uncorrected figure)
  std::map<std::string, NamedMetric> metrics;   ///< extra distributions by name
  std::map<std::string, Tally> tallies;         ///< tallied values by tally name
  std::vector<IntervalStats> timeline;          ///< per-interval figures (overall entry only)
  std::map<std::string, int64_t> status_codes;  ///< HTTP status -> count ("200": 1234)

  /// Adds `other`'s figures (the same endpoint seen by another worker, shard or endpoint): counts,
  /// errors, status codes and tallies add; histograms and named metrics (by name) merge exactly.
  /// The timeline is left alone (intervals need aligning, see distributed/merge.h).
  void merge(const EndpointStats& other);
};

/// A named phase of the load shape, with its place on the run's timeline.
struct PhaseInfo {
  std::string name;  ///< "warm-up", "ramp", "steady", "spike", "recovery", ...
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  double target_rps_start = 0;  ///< open model: arrival rate at the start/end of the phase
  double target_rps_end = 0;
  int64_t vus_start = 0;  ///< closed model: virtual users at the start/end of the phase
  int64_t vus_end = 0;
  bool excluded = false;  ///< warm-up: not counted in the results
};

/// Per-phase view: the same endpoint statistics restricted to one phase.
struct PhaseStats {
  std::string phase;
  std::vector<EndpointStats> endpoints;
};

/// Where and how a run happened (STYLE.md rule 6).
struct RunContext {
  std::string tool_version;
  std::string build_type;  ///< "Release", "Debug", ... (a debug build is flagged in reports)
  std::string host;
  int cpu_count = 0;
  double load_average_1m = 0;
  std::string start_time;  ///< ISO-8601 UTC
  std::string scenario_name;
  std::string scenario_hash;  ///< SHA-256 of the scenario's canonical form, hex (covers the target)
  std::string workload_hash;  ///< SHA-256 of the workload without the target, hex; "" in results of older versions
  std::string target;         ///< base URL (credentials stripped)
  std::string command_line;   ///< secrets redacted

  /// The hash that decides which runs measured the same workload (baselines, histories, pooling):
  /// the workload hash, which leaves the target out so a preview deployment on another host:port
  /// still compares; the scenario hash for results of versions that did not write one.
  [[nodiscard]] const std::string& identity_hash() const {
    return workload_hash.empty() ? scenario_hash : workload_hash;
  }
};

/// Whether the generator kept up with the schedule; a saturated run makes comparisons inconclusive.
struct GeneratorHealth {
  bool saturated = false;
  double max_schedule_lag_us = 0;  ///< worst lag between due time and send
  double mean_schedule_lag_us = 0;
  int64_t requests_behind = 0;  ///< requests sent more than 1 ms after they were due
  double cpu_percent = 0;       ///< the generator's own CPU use over the run
  /// Share of the worker threads' time spent blocked waiting for I/O, 0..100; -1 when unknown (an
  /// older result, a closed-model run). Near 0 means responses waited for the generator, not it for them.
  double io_wait_percent = -1;
  std::string note;  ///< human explanation when saturated
  /// When saturated, what ran out: "connections" (every connection was busy waiting for the server,
  /// or the bound is too low), "cpu" (the generator's threads were busy) or "scheduler" (they waited
  /// for a CPU other processes held); "" when not saturated or read from an older result.
  std::string cause;
  /// The generator's own resident memory, bytes: before the first request (workers, connection pools
  /// and histograms ready) and the highest sampled during the run; -1 when unknown (older results).
  int64_t rss_idle_bytes = -1;
  int64_t rss_peak_bytes = -1;
  /// The most streamed responses open at once (sampled every 10 ms); 0 when nothing streamed.
  int64_t peak_open_streams = 0;

  /// Generator memory per open stream, (rss_peak_bytes - rss_idle_bytes) / peak_open_streams, bytes;
  /// nullopt when nothing streamed or the RSS is unknown.
  [[nodiscard]] std::optional<double> rss_per_stream_bytes() const;

  /// Whether the generator itself was the bottleneck: saturated while its workers hardly ever waited
  /// for I/O (io_wait_percent below 10%), so its own CPU or the machine's decided the pace.
  [[nodiscard]] bool busy() const;
};

/// One sample of a watched process.
struct ProcessSample {
  int64_t t_ms = 0;
  int64_t rss_bytes = 0;
  int64_t pss_bytes = -1;  ///< -1 when smaps_rollup is unreadable
  double cpu_percent = 0;  ///< user+system since the previous sample, % of one core
  double cpu_user_percent = 0;
  double cpu_system_percent = 0;
  int64_t threads = 0;
  int64_t open_fds = -1;     ///< -1 when /proc/PID/fd is unreadable
  int64_t ctx_switches = 0;  ///< voluntary + involuntary since the previous sample
};

/// The samples of one watched process (or of a process group summed, see `aggregate`).
struct ProcessTimeline {
  int64_t pid = 0;
  std::string command;
  bool exited = false;  ///< the process exited during the run
  int64_t exited_at_ms = -1;
  std::vector<ProcessSample> samples;
};

/// One sample of PostgreSQL activity.
struct PgSample {
  int64_t t_ms = 0;
  int64_t active = 0, idle = 0, idle_in_transaction = 0, waiting = 0, total = 0;
  int64_t max_connections = 0;
  int64_t xact_commit = 0, xact_rollback = 0;  ///< deltas since the previous sample
  int64_t blks_read = 0, blks_hit = 0, temp_bytes = 0, deadlocks = 0;
};

/// Resource summary over the whole run or one phase.
struct ProfileSummary {
  int64_t peak_rss_bytes = 0;  ///< summed over watched processes at each instant
  double mean_cpu_percent = 0;
  double cpu_us_per_request = 0;
  int64_t peak_pg_connections = 0;
  int64_t max_connections = 0;
  double rss_slope_mb_per_hour = 0;     ///< robust fit after warm-up
  double rss_slope_ci_mb_per_hour = 0;  ///< half-width of the ~95% interval
  int64_t samples = 0;
};

/// What the profiler saw while the load ran.
struct Profile {
  int64_t interval_ms = 0;
  std::vector<ProcessTimeline> processes;
  std::vector<PgSample> postgres;
  ProfileSummary summary;
  std::map<std::string, ProfileSummary> phases;  ///< by phase name
  std::vector<std::string> notes;                ///< e.g. "pid 1234 exited at 12.3 s"
};

/// One shard of a merged result: what it offered and how its generator fared (docs/distributed.md).
struct ShardSummary {
  Segment segment;
  std::string file;                         ///< the shard result the merge read
  RunStatus status = RunStatus::kComplete;  ///< the shard's own status
  std::string host;
  int64_t start_unix_ms = 0;  ///< wall-clock instant of the shard's t = 0
  int64_t requests = 0;       ///< completed requests, warm-up excluded
  double achieved_rps = 0;
  GeneratorHealth generator;
};

/// How a merged result was put together from shard results (`perfgate merge`).
struct MergeInfo {
  int segment_count = 0;              ///< N: the number of segments the load was split into
  std::vector<ShardSummary> shards;   ///< the shards merged, in segment order
  std::vector<int> missing_segments;  ///< K (1-based) of segments with no result: the merge is partial
  std::vector<int> partial_segments;  ///< K of shards that were interrupted or failed
  int64_t start_skew_ms = 0;          ///< latest shard start minus earliest
};

/// One held rate of a limit search (run --find-limit, docs/run.md "Finding the limit").
struct LimitStep {
  double offered_rps = 0;             ///< the arrival rate the step planned
  double achieved_rps = 0;            ///< completed requests / held duration (warm-up excluded)
  double duration_s = 0;              ///< held duration, warm-up excluded
  std::string verdict;                ///< "good", "bad", "generator_limited", "inconclusive" or "interrupted"
  std::vector<std::string> broken;    ///< labels of the SLO rules the step broke ("p95", "error_rate")
  std::vector<std::string> messages;  ///< one line per SLO rule: measured value against its limit
  int64_t requests = 0;               ///< completed requests, warm-up excluded
  int64_t errors = 0;
  Histogram latency{};        ///< whole run (request and flow endpoints merged), us, from the due time
  GeneratorHealth generator;  ///< whether the generator could offer this rate
};

/// The outcome of a search for the highest arrival rate that keeps an SLO.
struct LimitSearch {
  std::string slo;  ///< the SLO as written ("p95 < 1s, error_rate < 1%")
  /// "found" (bracketed within the precision), "time_budget" (bracket wider than the precision when
  /// the budget ran out), "above_max" (still good at the highest rate allowed), "below_start" (failing
  /// at the first step), "generator_limited" (perfgate could not offer the rate), "inconclusive" (a
  /// step could not be judged), "interrupted" (stopped by a signal).
  std::string verdict;
  std::optional<double> max_sustainable_rps;  ///< highest good step; nullopt when no step was good
  std::optional<double> first_failing_rps;    ///< lowest bad step; nullopt when none was bad
  std::string broken_first;                   ///< label of the SLO rule that broke at first_failing_rps ("" if none)
  std::string note;                           ///< one sentence on the verdict, for people
  double precision = 0.05;                    ///< the bracket width asked for, a share of max_sustainable_rps
  double warm_up_s = 0;                       ///< excluded from every step
  double hold_s = 0;                          ///< judged part of every step
  std::vector<LimitStep> steps;               ///< in the order they ran
};

/// The verdict on one spike: a phase whose rate is at least twice the previous phase's and that a
/// lower phase follows, or a phase named "spike" (docs/run.md "Spike verdicts").
struct SpikeVerdict {
  std::string phase;
  double p95_limit_us = 0;   ///< per-interval p95 that counts as recovered
  std::string limit_source;  ///< "--spike-p95", or "baseline" (2 x the p95 of the phase before the spike)
  int64_t requests = 0;      ///< completed during the spike phase
  int64_t errors = 0;        ///< of them, failed
  double error_share = 0;    ///< errors / requests, 0..1
  /// Seconds from the spike phase's end until the per-interval p95 was back under the limit and stayed
  /// there for 3 intervals (or to the end of the run); nullopt when it never was.
  std::optional<double> recovery_s;
  double observed_after_s = 0;  ///< how long the run went on after the spike phase
  std::string verdict;          ///< "recovered", "not_recovered" or "no_data" (nothing after the spike)
};

/// Where a run's live metrics went (run --metrics-listen, --metrics-file, --otlp-endpoint;
/// docs/ecosystem.md), and how the pushes fared. A collector that fails never fails the run.
struct TelemetryInfo {
  std::string run_id;              ///< the run's id in the metrics (resource attribute perfgate.run.id)
  std::string metrics_listen;      ///< address /metrics was served on ("" when not served)
  std::string metrics_file;        ///< where the final exposition was written ("" when not asked)
  std::string metrics_file_error;  ///< why it could not be written ("" when it was, or not asked)
  std::string otlp_endpoint;       ///< collector base URL ("" when not pushed)
  int64_t otlp_pushes = 0;         ///< pushes attempted, the final one included
  int64_t otlp_failed_pushes = 0;  ///< of which failed (collector unreachable, timeout, non-2xx)
  std::string otlp_last_error;     ///< the last failure's reason ("" when none failed)
};

/// The whole result of one run.
struct RunResult {
  int schema_version = kResultSchemaVersion;
  RunContext context;
  LoadModel model = LoadModel::kOpen;
  std::optional<double> target_rps;  ///< open model: mean target arrival rate; nullopt for closed
  double achieved_rps = 0;           ///< completed requests / measured duration
  double duration_s = 0;             ///< measured duration (warm-up excluded)
  bool partial = false;              ///< interrupted before the end (Ctrl-C, tool failure)
  RunStatus status = RunStatus::kComplete;
  GeneratorHealth generator;
  std::vector<PhaseInfo> phases;
  std::vector<EndpointStats> endpoints;  ///< overall, warm-up excluded
  std::vector<PhaseStats> phase_stats;   ///< per phase (including warm-up, marked excluded in `phases`)
  std::vector<IntervalStats> timeline;   ///< whole run, per interval (warm-up included, flagged by phases)
  std::optional<Profile> profile;
  std::map<std::string, std::string> labels;  ///< free-form key/values (git sha, branch, ...)
  int64_t start_unix_ms = 0;       ///< wall-clock instant of the timeline's t = 0, ms since the epoch; 0: unknown
  std::optional<Segment> segment;  ///< a shard's result (run --segment K/N): the slice of the load it offered
  std::optional<MergeInfo> merge;  ///< a merged result (perfgate merge): its shards
  /// A limit search (run --find-limit): every step; the endpoints above are the highest good step's.
  std::optional<LimitSearch> limit_search;
  std::vector<SpikeVerdict> spikes;        ///< one per spike phase, in phase order (run computes them)
  std::optional<TelemetryInfo> telemetry;  ///< live metrics export; nullopt when none was asked for

  /// The endpoint named `name` in the overall list, or nullptr.
  [[nodiscard]] const EndpointStats* find_endpoint(const std::string& name) const;
  /// True when the run may stand as a baseline or history point: status complete, not interrupted.
  [[nodiscard]] bool complete() const { return status == RunStatus::kComplete && !partial; }
  /// The status to show and compare: kPartial for an interrupted run whose status says complete
  /// (results written before the status field existed), else `status`.
  [[nodiscard]] RunStatus shown_status() const;
  /// Total completed requests / errors over the overall endpoints of kind request and flow.
  [[nodiscard]] int64_t total_requests() const;
  [[nodiscard]] int64_t total_errors() const;
};

}  // namespace perfgate
