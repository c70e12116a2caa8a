#pragma once
// A stored-run entry built from a seeded synthetic result, for the store tests.

#include "analyzers/synthetic_run.h"
#include "core/run_result_io.h"
#include "history/store.h"

namespace perfgate::testing {

/// The entry of a synthetic run (seeded by `seed`, `seconds` long) on `branch`, commit "sha<seed>".
inline HistoryEntry synthetic_entry(uint64_t seed, const std::string& branch, int seconds = 10) {
  SyntheticRun spec;
  spec.seed = seed;
  spec.seconds = seconds;
  RunResult r = make_run(spec);
  HistoryEntry e;
  e.summary = summarize_run(r, nullptr);
  e.summary.branch = branch;
  e.summary.commit = "sha" + std::to_string(seed);
  e.result_json = run_result_to_json(r);
  return e;
}

}  // namespace perfgate::testing
