// libFuzzer target: the scenario parser rejects any input with an error that names the source, and
// never crashes, hangs or reads out of bounds on it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenarios/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto scenario = perfgate::parse_scenario(text, "fuzz.json");
  if (!scenario.ok() && scenario.error().message.rfind("fuzz.json", 0) != 0) std::abort();
  return 0;
}
