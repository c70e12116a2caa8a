#pragma once
// Number helpers shared by the chart renderer and its axis code.

#include <string>

namespace perfgate::reports_detail {

/// `v` with at most `decimals` decimals, trailing zeros trimmed ("1.50" -> "1.5", "2.0" -> "2").
std::string compact_number(double v, int decimals);

}  // namespace perfgate::reports_detail
