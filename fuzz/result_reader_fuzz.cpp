// libFuzzer target: the result reader (JSON, histograms, field errors with positions) never crashes,
// and whatever it accepts it can write and read back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/json_locate.h"
#include "core/run_result_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)perfgate::locate_json_pointer(text, "/endpoints/0/histograms/latency");
  auto result = perfgate::run_result_from_json(text, "fuzz.json");
  if (!result.ok()) return 0;
  auto again = perfgate::run_result_from_json(perfgate::run_result_to_json(*result), "again.json");
  if (!again.ok()) std::abort();
  return 0;
}
