// Baselines: only a complete run may become one, and a bad run never replaces a good baseline.
#include "analyzers/baseline.h"

#include "core/files.h"
#include "core/run_result_io.h"

namespace perfgate {

Status check_baseline_candidate(const RunResult& result, const std::string& source_name) {
  if (!result.complete()) {
    return invalid_input(source_name + ": status: the run is " + std::string(run_status_name(result.shown_status())) +
                         ", so it cannot be a baseline; save a run that completed");
  }
  // Results written before the "failed" status existed say "complete" for such runs.
  if (result.total_requests() == 0) {
    return invalid_input(source_name + ": the run is empty (no request completed), so it cannot be a baseline");
  }
  if (result.total_errors() >= result.total_requests()) {
    return invalid_input(source_name + ": status: every request failed (" + std::to_string(result.total_errors()) +
                         " errors), so the run cannot be a baseline; save a run that measured the service");
  }
  return {};
}

Status save_baseline(const std::string& result_path, const std::string& baseline_path) {
  auto text = read_file(result_path);
  if (!text) return text.error();
  auto result = run_result_from_json(*text, result_path);
  if (!result) return result.error();
  if (Status ok = check_baseline_candidate(*result, result_path); !ok) return ok;
  // The original bytes, not a re-serialisation: the baseline is exactly the run that was judged.
  return write_file_atomically(baseline_path, *text);
}

}  // namespace perfgate
