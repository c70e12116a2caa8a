#pragma once
// HAR polling detection: a browser that polled a job shows a run of the same GET whose responses
// changed; a virtual user repeats it as one step that polls until the field that changed reaches
// its last recorded value. Private to the HAR importer.

#include <string>
#include <vector>

#include "har_entries.h"
#include "import_common.h"

namespace perfgate::har_detail {

/// One step of the imported flow: one request, or a polling loop of several.
struct Step {
  std::vector<const Request*> requests;  ///< in recorded order; more than one: a polling loop
  [[nodiscard]] const Entry& first() const { return *requests.front()->entry; }
  [[nodiscard]] const Entry& last() const { return *requests.back()->entry; }
};

/// Groups `requests` (already correlated, in recorded order) into steps: a run of two or more
/// identical GET or HEAD requests (same path, query and headers) whose first and last responses
/// differ is one step; everything else is a step of its own. Steps point into `requests`.
std::vector<Step> group_steps(const std::vector<Request>& requests);

/// The "poll" object of a polling step: interval (the median gap between polls, at least 50 ms),
/// deadline (at least 30 s, 4x the recorded span) and the condition that ended the recorded loop.
import_detail::Json poll_spec(const Step& step);

}  // namespace perfgate::har_detail
