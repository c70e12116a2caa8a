#pragma once
// Console rendering of a gate report: the table a person reads in a CI log.

#include <string>

#include "core/gate_report.h"

namespace perfgate {

/// Renders `report` as a fixed-width table (verdict, check, endpoint/phase, measured, limit) with
/// failures first, followed by the message of every non-passing check, the notes and the overall
/// verdict. Plain text, no colour. Pure; thread-safe.
std::string gate_report_to_console(const GateReport& report);

}  // namespace perfgate
