#pragma once
// ${ENV_VAR} substitution in every string value of a scenario document (keys are left alone).

#include <string>
#include <vector>

#include "reader.h"

namespace perfgate::scenario_detail {

/// Replaces ${NAME}, ${NAME:-default} and ${secret:NAME} in string values with the environment's
/// values. A missing variable without a default is a problem naming it. Values substituted through
/// ${secret:NAME} are appended to `secret_values`. "$${" writes a literal "${".
void substitute_env(Json& document, Problems& problems, std::vector<std::string>& secret_values);

/// Substitutes one string (same rules); returns nullopt and reports at `pointer` on a missing variable.
std::optional<std::string> substitute_env_in(const std::string& text, const std::string& pointer, Problems& problems,
                                             std::vector<std::string>& secret_values);

}  // namespace perfgate::scenario_detail
