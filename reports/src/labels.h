#pragma once
// Display labels and number formats of the reports. Plain enum names (verdict_name, severity_name,
// confidence_name) come from the analyzers' headers.

#include <string>

#include "core/findings.h"
#include "core/gate_report.h"

namespace perfgate::reports_detail {

const char* verdict_css_class(Verdict verdict);    ///< "v-pass", ...
const char* finding_kind_label(FindingKind kind);  ///< "N+1 queries", "Missing index", ...

/// "1.23s", "42", "12.0 MiB", "3.1%": a measured value in a gate check's unit.
std::string format_in_unit(double value, const std::string& unit);

/// "+12.3%" / "-4.0%" for a relative change (0.123 -> "+12.3%").
std::string format_change(double change);

/// Fixed-point number with `decimals` digits ("%.*f"), "-" for NaN.
std::string format_fixed(double value, int decimals);

/// Integer with thousands separators ("12,345").
std::string format_count(long long value);

}  // namespace perfgate::reports_detail
