#include "flow_plan.h"

namespace perfgate {

bool FlowStepPlan::render(const VariableValues& values, RequestSpec& out) const {
  if (!path.render(values, out.path)) return false;
  out.headers.resize(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) {
    out.headers[i].first = headers[i].first;
    if (!headers[i].second.render(values, out.headers[i].second)) return false;
  }
  return body.render(values, out.body);
}

void FlowVariables::begin_iteration(int64_t iteration, std::mt19937_64& rng, VariableValues& values) const {
  values.assign(table.size(), std::nullopt);
  for (const Feeder& f : feeders) {
    if (f.rows.empty()) continue;
    const size_t row =
        f.random_order ? static_cast<size_t>(rng() % f.rows.size()) : static_cast<size_t>(iteration) % f.rows.size();
    for (size_t c = 0; c < f.columns.size() && c < f.rows[row].size(); ++c) values[f.columns[c]] = f.rows[row][c];
  }
  for (const Range& r : ranges) {
    std::uniform_int_distribution<int64_t> pick(r.min, r.max);
    values[r.variable] = std::to_string(pick(rng));
  }
}

}  // namespace perfgate
