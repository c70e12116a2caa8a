#include "summary_json.h"

#include <cmath>

#include "core/json_reader.h"
#include "history/store.h"

namespace perfgate::history_detail {
namespace {

// Latency figures are NaN-free by construction; JSON has no NaN, so a missing figure is null.
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

using json_reader::get;
using json_reader::member;

// A figure that may be null (NaN when written).
double number_or_nan(const nlohmann::json& o, const std::string& at, const char* key) {
  return member(o, at, key).is_null() ? std::nan("") : get<double>(o, at, key);
}

// An optional figure: absent or null is nullopt.
std::optional<double> optional_number(const nlohmann::json& o, const std::string& at, const char* key) {
  if (!o.contains(key) || o[key].is_null()) return std::nullopt;
  return get<double>(o, at, key);
}

RunSummary read_summary(const nlohmann::json& j) {
  RunSummary s;
  s.id = get<int64_t>(j, "", "id");
  s.recorded_at = get<std::string>(j, "", "recorded_at");
  s.scenario_name = get<std::string>(j, "", "scenario_name");
  s.scenario_hash = get<std::string>(j, "", "scenario_hash");
  s.commit = get<std::string>(j, "", "commit");
  s.branch = get<std::string>(j, "", "branch");
  s.label = get<std::string>(j, "", "label");
  s.status = get<std::string>(j, "", "status");
  s.start_time = get<std::string>(j, "", "start_time");
  s.peak_rss_bytes = optional_number(j, "", "peak_rss_bytes");
  const auto& endpoints = member(j, "", "endpoints");
  json_reader::expect_array(endpoints, "/endpoints");
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const std::string at = json_reader::child("/endpoints", i);
    const auto& je = endpoints[i];
    EndpointSummary e;
    e.name = get<std::string>(je, at, "name");
    e.requests = get<int64_t>(je, at, "requests");
    e.p50_us = number_or_nan(je, at, "p50_us");
    e.p95_us = number_or_nan(je, at, "p95_us");
    e.p99_us = number_or_nan(je, at, "p99_us");
    e.error_rate_percent = number_or_nan(je, at, "error_rate_percent");
    e.queries_per_request = optional_number(je, at, "queries_per_request");
    s.endpoints.push_back(std::move(e));
  }
  return s;
}

}  // namespace

nlohmann::json summary_json(const RunSummary& s) {
  nlohmann::json j;
  j["id"] = s.id;
  j["recorded_at"] = s.recorded_at;
  j["scenario_name"] = s.scenario_name;
  j["scenario_hash"] = s.scenario_hash;
  j["commit"] = s.commit;
  j["branch"] = s.branch;
  j["label"] = s.label;
  j["status"] = s.status;
  j["start_time"] = s.start_time;
  j["peak_rss_bytes"] = s.peak_rss_bytes ? nlohmann::json(*s.peak_rss_bytes) : nlohmann::json(nullptr);
  j["endpoints"] = nlohmann::json::array();
  for (const auto& e : s.endpoints) {
    nlohmann::json je;
    je["name"] = e.name;
    je["requests"] = e.requests;
    je["p50_us"] = number_or_null(e.p50_us);
    je["p95_us"] = number_or_null(e.p95_us);
    je["p99_us"] = number_or_null(e.p99_us);
    je["error_rate_percent"] = number_or_null(e.error_rate_percent);
    je["queries_per_request"] =
        e.queries_per_request ? nlohmann::json(*e.queries_per_request) : nlohmann::json(nullptr);
    j["endpoints"].push_back(std::move(je));
  }
  return j;
}

Result<RunSummary> summary_from_json(const nlohmann::json& j, const std::string& source) {
  auto summary = json_reader::read_parsed(j, "", source, "history entry", read_summary);
  if (!summary) return invalid_input(summary.error().message + "; the history entry is corrupt: remove or repair it");
  return summary;
}

}  // namespace perfgate::history_detail

namespace perfgate {

std::string run_summary_to_json(const RunSummary& summary) {
  return history_detail::summary_json(summary).dump(2) + "\n";
}

std::string history_report_to_json(const std::string& store, const std::string& branch,
                                   const std::vector<RunSummary>& runs, const std::vector<HistoryChange>& changes,
                                   const HistoryOptions& options) {
  nlohmann::json j;
  j["kind"] = "perfgate-history";
  j["schema_version"] = 1;
  j["store"] = store;
  j["branch"] = branch;
  j["method"] = {{"name", "e-divisive means, Welch t-test"},
                 {"max_p_value", options.change_points.max_p_value},
                 {"min_magnitude", options.change_points.min_magnitude},
                 {"min_segment", options.change_points.min_segment},
                 {"error_rate_min_points", options.error_rate_min_points}};
  j["runs"] = nlohmann::json::array();
  for (const auto& r : runs) j["runs"].push_back(history_detail::summary_json(r));
  j["change_points"] = nlohmann::json::array();
  for (const auto& c : changes) {
    j["change_points"].push_back(
        {{"scenario_name", c.scenario_name},
         {"scenario_hash", c.scenario_hash},
         {"endpoint", c.endpoint},
         {"metric", c.metric},
         {"direction", c.regression() ? "regression" : "improvement"},
         {"first_run_id", c.first_run_id},
         {"first_commit", c.first_commit},
         {"first_label", c.first_label},
         {"first_start_time", c.first_start_time},
         {"mean_before", c.change.mean_before},
         {"mean_after", c.change.mean_after},
         {"relative_change",
          std::isfinite(c.change.relative_change) ? nlohmann::json(c.change.relative_change) : nlohmann::json(nullptr)},
         {"p_value", c.change.p_value}});
  }
  return j.dump(2) + "\n";
}

}  // namespace perfgate
