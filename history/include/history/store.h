#pragma once
// History stores (docs/history.md): where `perfgate history add` appends runs and `history show`,
// `trend --store` and `gate --baseline-history` read them. A local directory (one file per entry,
// written atomically under a lock) or a PostgreSQL database (one table, created on first use).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analyzers/history.h"
#include "core/result.h"
#include "core/run_result.h"

namespace perfgate {

/// One stored run: its summary (identity and figures) and the result file it came from, verbatim.
struct HistoryEntry {
  RunSummary summary;       ///< summary.id is the store's sequence number once appended
  std::string result_json;  ///< the result JSON as written by `perfgate run`; empty when not loaded
};

/// Whether list() returns each entry's full result JSON (pooling, trend) or the summary alone.
enum class WithResults { kNo, kYes };

/// A store of runs; not thread-safe (one per thread), safe across processes.
class HistoryStore {
 public:
  virtual ~HistoryStore() = default;
  /// Appends `entry`, setting summary.recorded_at (now, UTC) and returning its id (1, 2, ...).
  /// All or nothing: a failed append leaves no trace. kUnavailable/kIo when the store is unreachable.
  virtual Result<int64_t> append(HistoryEntry entry) = 0;
  /// The entries of `branch` ("" = every branch), oldest first (by id). A corrupt entry is
  /// kInvalidInput naming its file or row and the fix; an unreachable store kUnavailable/kIo.
  virtual Result<std::vector<HistoryEntry>> list(const std::string& branch, WithResults with_results) = 0;
  /// "directory perfgate-history" or "postgresql://host:port/db" (no password), for messages.
  [[nodiscard]] virtual std::string describe() const = 0;
};

/// Opens the store named by `spec`: a postgresql:// or postgres:// URI, else a directory path
/// (created on first append). Nothing is contacted or created here except the PostgreSQL connection.
Result<std::unique_ptr<HistoryStore>> open_history_store(const std::string& spec);

/// The directory store at `dir`: entries `<dir>/<id, 8 digits>.json`, ids allocated under an
/// exclusive flock on `<dir>/.lock`, each entry written to a temporary file, fsynced and renamed
/// into place, so concurrent writers (two CI jobs on one runner) never collide or half-write.
std::unique_ptr<HistoryStore> open_directory_store(const std::string& dir);

/// The PostgreSQL store at `uri`: table perfgate_history.runs, created on first use; each append one
/// transaction. kUnavailable naming the server (password removed) when it cannot connect.
Result<std::unique_ptr<HistoryStore>> open_postgres_store(const std::string& uri);

/// A summary as JSON (the shape of `history show --json` runs and of an entry's summary fields).
std::string run_summary_to_json(const RunSummary& summary);

/// `history show --json`: the runs (summaries) and the change points, with each change's first run
/// id, commit and label. `store` names the store.
std::string history_report_to_json(const std::string& store, const std::string& branch,
                                   const std::vector<RunSummary>& runs, const std::vector<HistoryChange>& changes,
                                   const HistoryOptions& options);

}  // namespace perfgate
