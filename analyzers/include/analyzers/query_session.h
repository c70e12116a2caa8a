#pragma once
// Whole analyses against a live database: what `perfgate analyze` runs, and the run-delta capture
// the load runner wraps around a run. Never changes the database (analyzers/postgres_source.h).

#include <memory>
#include <string>
#include <vector>

#include "analyzers/query_analyzer.h"
#include "analyzers/query_probe.h"
#include "core/findings.h"

namespace perfgate {

enum class AnalyzeMode {
  kProbe,      ///< per-endpoint probing (ProbeOptions.urls)
  kAggregate,  ///< plain pg_stat_statements totals since the last reset; lower confidence
};

struct AnalyzeRequest {
  std::string dsn;
  AnalyzeMode mode = AnalyzeMode::kProbe;
  ProbeOptions probe;
  AnalyzerOptions options;
  std::chrono::milliseconds http_timeout{10000};
};

/// Connects, probes (or reads totals), reads the schema, costs index candidates and returns the
/// findings. Errors: kInvalidInput for bad options; kUnavailable when the database or every
/// request to an endpoint cannot be reached.
Result<Findings> analyze_database(const AnalyzeRequest& request);

/// Snapshot before a load run, findings from the delta after it (endpoint unknown, source
/// "run-delta"). Holds one connection for its lifetime. Not thread-safe.
class RunDeltaCapture {
 public:
  /// Connects and takes the "before" snapshot. Errors: kUnavailable (cannot connect / no extension).
  static Result<std::unique_ptr<RunDeltaCapture>> begin(const std::string& dsn, const AnalyzerOptions& options = {});
  ~RunDeltaCapture();
  RunDeltaCapture(const RunDeltaCapture&) = delete;
  RunDeltaCapture& operator=(const RunDeltaCapture&) = delete;

  /// Connects and continues from a "before" snapshot another process took (stats_snapshot_from_json):
  /// the run-delta of a distributed run. Errors as begin().
  static Result<std::unique_ptr<RunDeltaCapture>> resume(const std::string& dsn, StatsSnapshot before,
                                                         const AnalyzerOptions& options = {});
  /// The "before" snapshot, to store for resume().
  [[nodiscard]] const StatsSnapshot& before() const;

  /// Takes the "after" snapshot and analyses what ran in between; `requests` is the number of
  /// requests the run made (0 when unknown: per-request figures become totals).
  Result<Findings> finish(double requests);

 private:
  struct State;
  explicit RunDeltaCapture(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace perfgate
