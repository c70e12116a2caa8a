// libFuzzer target: the budgets parser (whole files and single rules) never crashes, and every
// rejection names the source file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analyzers/budget.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto budgets = perfgate::budgets_from_json(text, "fuzz.json");
  if (!budgets.ok() && budgets.error().message.rfind("fuzz.json", 0) != 0) std::abort();
  (void)perfgate::parse_budget_rule(std::string_view(text).substr(0, 256));
  return 0;
}
