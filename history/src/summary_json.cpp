#include "summary_json.h"

#include <cmath>

#include "history/store.h"

namespace perfgate::history_detail {
namespace {

// Latency figures are NaN-free by construction; JSON has no NaN, so a missing figure is null.
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

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
  RunSummary s;
  std::string field;
  try {
    auto text = [&](const char* key, std::string& out) {
      field = key;
      out = j.at(key).get<std::string>();
    };
    auto number = [&](const nlohmann::json& o, const char* key) {
      field = key;
      const auto& v = o.at(key);
      return v.is_null() ? std::nan("") : v.get<double>();
    };
    field = "id";
    s.id = j.at("id").get<int64_t>();
    text("recorded_at", s.recorded_at);
    text("scenario_name", s.scenario_name);
    text("scenario_hash", s.scenario_hash);
    text("commit", s.commit);
    text("branch", s.branch);
    text("label", s.label);
    text("status", s.status);
    text("start_time", s.start_time);
    field = "peak_rss_bytes";
    if (j.contains("peak_rss_bytes") && !j.at("peak_rss_bytes").is_null())
      s.peak_rss_bytes = j.at("peak_rss_bytes").get<double>();
    field = "endpoints";
    for (const auto& je : j.at("endpoints")) {
      EndpointSummary e;
      field = "endpoints[].name";
      e.name = je.at("name").get<std::string>();
      field = "endpoints[].requests";
      e.requests = je.at("requests").get<int64_t>();
      e.p50_us = number(je, "p50_us");
      e.p95_us = number(je, "p95_us");
      e.p99_us = number(je, "p99_us");
      e.error_rate_percent = number(je, "error_rate_percent");
      field = "queries_per_request";
      if (je.contains("queries_per_request") && !je.at("queries_per_request").is_null()) {
        e.queries_per_request = je.at("queries_per_request").get<double>();
      }
      s.endpoints.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid_input(source + ": " + field + ": missing or of the wrong type (" + e.what() +
                         "); the history entry is corrupt: remove or repair it");
  }
  return s;
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
