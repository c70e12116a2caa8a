// libFuzzer target: the histogram decoder must reject any input cleanly, and anything it accepts
// must re-encode to a histogram with the same counts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/histogram.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = perfgate::Histogram::from_base64(text);
  if (!decoded.ok()) return 0;
  auto again = perfgate::Histogram::from_base64(decoded->to_base64());
  if (!again.ok() || again->total_count() != decoded->total_count()) std::abort();
  (void)decoded->value_at_percentile(99.9);
  (void)decoded->mean();
  return 0;
}
