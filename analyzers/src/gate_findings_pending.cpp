// Stand-in for the query analyzer's findings reader until its module is built alongside the gate:
// `perfgate gate --findings` then says the reader is missing instead of failing to link.
#include "analyzers/findings.h"

namespace perfgate {

Result<Findings> read_findings(const std::string& path) {
  return unavailable(path + ": this perfgate was built without the findings reader (analyzers/query analyzer); "
                            "rebuild with the analyzer module");
}

}  // namespace perfgate
