#pragma once
// HAR correlation: a value the server issued (a token, a job id) cannot be replayed literally, so
// every later request that carries it gets a {{variable}} and the issuing step an extraction.
// Private to the HAR importer.

#include <string>
#include <vector>

#include "har_entries.h"

namespace perfgate::har_detail {

/// A value issued by the response of one request and reused by later requests.
struct Correlation {
  size_t issued_by = 0;  ///< index into the requests given to correlate
  std::string pointer;   ///< RFC 6901 pointer to the value in that response ("/job_id")
  std::string variable;  ///< the {{variable}} name, unique within the recording
};

/// Rewrites `requests` (in recorded order) so that each token a response issued before any request
/// sent it (whole path segments, whole query and header values, the credential after "Bearer ",
/// JSON string values of the body) becomes {{variable}} in the requests that follow. Returns the
/// correlations that were used, ordered by the issued value's text.
std::vector<Correlation> correlate(std::vector<Request>& requests);

}  // namespace perfgate::har_detail
