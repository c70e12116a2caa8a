#pragma once
// The flow parts of a run plan: per-iteration variables (feeders, random ranges, extractions) and
// what each step renders, reads, polls or streams.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "flow_rules.h"
#include "loadgen/transport.h"
#include "scenarios/template.h"

namespace perfgate {

/// A step that renders templates or reads its response. Plain steps have none and keep the
/// prepared, allocation-free path.
struct FlowStepPlan {
  bool templated = false;  ///< path, a header or the body uses a per-iteration variable
  Template path;           ///< includes the target's path prefix
  std::vector<std::pair<std::string, Template>> headers;
  Template body;
  ResponseRules rules;
  std::optional<PollSpec> poll;
  std::optional<StreamSpec> stream;
  size_t run_if_defined = SIZE_MAX;  ///< variable index; SIZE_MAX: always run

  /// Renders the request into `out` (method and timeout already set); false when a variable is undefined.
  bool render(const VariableValues& values, RequestSpec& out) const;
};

/// Where an iteration's variables come from.
struct FlowVariables {
  struct Feeder {
    std::vector<size_t> columns;  ///< variable index of each CSV column
    std::vector<std::vector<std::string>> rows;
    bool random_order = false;
  };
  struct Range {
    size_t variable = 0;
    int64_t min = 0;
    int64_t max = 0;
  };
  VariableTable table;
  std::vector<Feeder> feeders;
  std::vector<Range> ranges;

  /// Fills `values` for iteration number `iteration` (sequential feeders take row iteration % rows;
  /// random ones and ranges draw from `rng`); extracted variables start undefined.
  void begin_iteration(int64_t iteration, std::mt19937_64& rng, VariableValues& values) const;
};

}  // namespace perfgate
