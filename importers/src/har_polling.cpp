#include "har_polling.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

namespace perfgate::har_detail {
namespace {

// The first field whose value changed between the first and the last response of a loop, the
// field named like a state first: polling ends when that field reaches its last value.
std::optional<std::pair<std::string, RawJson>> poll_field(const RawJson& first, const RawJson& last) {
  std::optional<std::pair<std::string, RawJson>> any, named;
  const RawJson diff = RawJson::diff(first, last);
  for (const auto& op : diff) {
    if (op.value("op", "") != "replace" && op.value("op", "") != "add") continue;
    const std::string pointer = op.value("path", "");
    const RawJson& value = op["value"];
    if (!value.is_primitive()) continue;
    const std::string key = lower(pointer.substr(pointer.find_last_of('/') + 1));
    if (!any) any = std::make_pair(pointer, value);
    if (!named && (key == "status" || key == "state" || key == "phase" || key == "done" || key == "ready" ||
                   key == "finished" || key == "complete" || key == "completed")) {
      named = std::make_pair(pointer, value);
    }
  }
  return named ? named : any;
}

bool same_request(const Request& a, const Request& b) {
  return a.entry->method == b.entry->method && a.path == b.path && a.query == b.query && a.headers == b.headers;
}

std::string duration_of_ms(double ms) {
  return import_detail::duration_text(std::chrono::microseconds(static_cast<int64_t>(ms * 1000)));
}

}  // namespace

std::vector<Step> group_steps(const std::vector<Request>& requests) {
  std::vector<Step> steps;
  for (size_t i = 0; i < requests.size();) {
    size_t j = i + 1;
    const Entry& e = *requests[i].entry;
    if (e.method == "GET" || e.method == "HEAD") {
      while (j < requests.size() && same_request(requests[j], requests[i])) ++j;
    }
    if (j - i >= 2) {
      // Identical responses are a page asked for twice, not a loop waiting for a change.
      const Entry& b = *requests[j - 1].entry;
      const bool changed =
          e.status != b.status || (e.response_json && b.response_json && *e.response_json != *b.response_json);
      if (!changed) j = i + 1;
    }
    Step step;
    for (size_t k = i; k < j; ++k) step.requests.push_back(&requests[k]);
    steps.push_back(std::move(step));
    i = j;
  }
  return steps;
}

import_detail::Json poll_spec(const Step& step) {
  const Entry& first = step.first();
  const Entry& last = step.last();
  std::vector<double> gaps;
  for (size_t k = 1; k < step.requests.size(); ++k)
    gaps.push_back(step.requests[k]->entry->started_ms - step.requests[k - 1]->entry->started_ms);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
  const double interval_ms = std::max(50.0, gaps[gaps.size() / 2]);
  const double span_ms = last.started_ms + last.time_ms - first.started_ms;
  const double deadline_ms = std::max({30000.0, 4 * span_ms, 4 * interval_ms});
  import_detail::Json until = import_detail::Json::array();
  std::optional<std::pair<std::string, RawJson>> field;
  if (first.response_json && last.response_json) field = poll_field(*first.response_json, *last.response_json);
  if (field)
    until.push_back({{"json_pointer", field->first}, {"equals", field->second}});
  else
    until.push_back({{"status", last.status}});
  return {{"interval", duration_of_ms(interval_ms)}, {"deadline", duration_of_ms(deadline_ms)}, {"until", until}};
}

}  // namespace perfgate::har_detail
