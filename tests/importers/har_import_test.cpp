#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "import_test_support.h"
#include "importers/scenario_import.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

using nlohmann::json;

// One HAR entry: `at_ms` after 12:00:00.000Z, lasting `time_ms`.
json entry(const std::string& method, const std::string& url, int status, double at_ms, double time_ms,
           const std::string& response_body = "", const std::string& mime = "application/json",
           json headers = json::array()) {
  const int s = static_cast<int>(at_ms / 1000), ms = static_cast<int>(at_ms) % 1000;
  char when[64];
  std::snprintf(when, sizeof when, "2026-12-04T12:%02d:%02d.%03dZ", s / 60, s % 60, ms);
  return {{"startedDateTime", when},
          {"time", time_ms},
          {"request", {{"method", method}, {"url", url}, {"headers", headers}}},
          {"response", {{"status", status}, {"content", {{"mimeType", mime}, {"text", response_body}}}}}};
}

json har(const json& entries) { return {{"log", {{"version", "1.2"}, {"entries", entries}}}}; }

json bearer(const std::string& token) {
  return json::array({{{"name", "Authorization"}, {"value", "Bearer " + token}},
                      {{"name", "User-Agent"}, {"value", "Mozilla/5.0"}},
                      {{"name", "Accept"}, {"value", "*/*"}}});
}

const std::string kApp = "http://127.0.0.1:9000";

json journey() {
  return har(json::array({
      entry("GET", kApp + "/", 200, 0, 20, "<html></html>", "text/html"),
      entry("GET", kApp + "/app.js", 200, 30, 5, "", "application/javascript"),
      entry("GET", kApp + "/img/logo.png", 200, 31, 5, "", "image/png"),
      entry("GET", "https://cdn.example.net/analytics?id=1", 200, 40, 5, "", "text/plain"),
      entry("GET", kApp + "/auth/token?user_id=42", 200, 1000, 10, R"({"token":"tok-abcdef","user_id":42})"),
      entry("GET", kApp + "/users/42", 200, 1020, 10, R"({"id":"42"})", "application/json", bearer("tok-abcdef")),
      entry("POST", kApp + "/jobs?user_id=42", 202, 2500, 10, R"({"job_id":"job-7","status":"pending"})",
            "application/json", bearer("tok-abcdef")),
      entry("GET", kApp + "/jobs/job-7", 200, 2520, 5, R"({"job_id":"job-7","status":"running","n":1})",
            "application/json", bearer("tok-abcdef")),
      entry("GET", kApp + "/jobs/job-7", 200, 2820, 5, R"({"job_id":"job-7","status":"running","n":2})",
            "application/json", bearer("tok-abcdef")),
      entry("GET", kApp + "/jobs/job-7", 200, 3120, 5, R"({"job_id":"job-7","status":"done","n":3})",
            "application/json", bearer("tok-abcdef")),
      entry("GET", kApp + "/jobs/job-7/result", 200, 3130, 5, R"({"rows":[]})", "application/json",
            bearer("tok-abcdef")),
  }));
}

class HarImport : public testing::ImportTest {
 protected:
  json import_ok(const json& recording, const HarImportOptions& options = {}) {
    return accepted(import_har(write("rec.har", recording.dump()), options));
  }
  std::string import_error(const std::string& text) { return refused(import_har(write("rec.har", text), {})); }
};

TEST_F(HarImport, KeepsTheApplicationsRequestsInOrderAndDropsStaticAssetsAndThirdPartyHosts) {
  const json s = import_ok(journey());
  EXPECT_EQ(s["target"]["base_url"], "${PERFGATE_TARGET:-" + kApp + "}");
  EXPECT_EQ(s["load"]["model"], "closed");
  const json& flow = s["endpoints"][0]["flow"];
  std::vector<std::string> paths;
  for (const auto& step : flow) paths.push_back(step["path"]);
  EXPECT_EQ(paths, (std::vector<std::string>{"/", "/auth/token?user_id=42", "/users/42", "/jobs?user_id=42",
                                             "/jobs/{{job_id}}", "/jobs/{{job_id}}/result"}));
  const std::string all_notes = ::testing::PrintToString(notes_);
  EXPECT_NE(all_notes.find("dropped 2 static asset"), std::string::npos) << all_notes;
  EXPECT_NE(all_notes.find("third-party hosts: cdn.example.net"), std::string::npos) << all_notes;
}

TEST_F(HarImport, KeepsPausesOfAtLeast100MsAsThinkTimes) {
  const json flow = import_ok(journey())["endpoints"][0]["flow"];
  EXPECT_EQ(flow[0]["think_time"], "980ms");     // "/" ends at 20 ms; the token request starts at 1000 ms
  EXPECT_FALSE(flow[1].contains("think_time"));  // 10 ms: the browser, not a person
  EXPECT_EQ(flow[2]["think_time"], "1470ms");
}

TEST_F(HarImport, TurnsIssuedIdsIntoExtractionsAndVariables) {
  const json flow = import_ok(journey())["endpoints"][0]["flow"];
  EXPECT_EQ(flow[1]["extract"], json::parse(R"([{"variable":"token","json_pointer":"/token"}])"));
  EXPECT_EQ(flow[2]["headers"]["Authorization"], "Bearer {{token}}");
  EXPECT_FALSE(flow[2]["headers"].contains("User-Agent"));  // the browser's headers are not replayed
  // 42 was sent by the client before any response carried it: a user input, not an issued id.
  EXPECT_EQ(flow[2]["path"], "/users/42");
  // The job id came with 202 Accepted: optional, and the steps using it run only when it was issued.
  EXPECT_EQ(flow[3]["extract"], json::parse(R"([{"variable":"job_id","json_pointer":"/job_id","optional":true}])"));
  EXPECT_EQ(flow[3]["expect_status"], json::parse("[200, 202]"));
  EXPECT_EQ(flow[4]["run_if_defined"], "job_id");
  EXPECT_EQ(flow[5]["run_if_defined"], "job_id");
}

TEST_F(HarImport, RecognisesARunOfTheSameGetWhoseResponseChangedAsAPollingStep) {
  const json flow = import_ok(journey())["endpoints"][0]["flow"];
  ASSERT_EQ(flow.size(), 6u);
  const json& poll = flow[4]["poll"];
  EXPECT_EQ(poll["interval"], "300ms");
  EXPECT_EQ(poll["deadline"], "30s");
  // "status" is preferred over "n", which changed too.
  EXPECT_EQ(poll["until"], json::parse(R"([{"json_pointer":"/status","equals":"done"}])"));
}

TEST_F(HarImport, RepeatedIdenticalResponsesAreSeparateStepsNotAPoll) {
  const json s = import_ok(har(json::array(
      {entry("GET", kApp + "/a", 200, 0, 5, R"({"x":1})"), entry("GET", kApp + "/a", 200, 10, 5, R"({"x":1})")})));
  const json& flow = s["endpoints"][0]["flow"];
  ASSERT_EQ(flow.size(), 2u);
  EXPECT_FALSE(flow[0].contains("poll"));
  EXPECT_EQ(flow[1]["name"], "get-a-2");
}

TEST_F(HarImport, HostOptionChoosesTheApplicationAndOptionsShapeTheLoad) {
  HarImportOptions options;
  options.host = "cdn.example.net";
  options.virtual_users = 3;
  options.duration = std::chrono::seconds(90);
  options.name = "cdn";
  const json s = import_ok(journey(), options);
  EXPECT_EQ(s["name"], "cdn");
  EXPECT_EQ(s["target"]["base_url"], "${PERFGATE_TARGET:-https://cdn.example.net}");
  EXPECT_EQ(s["load"]["stages"][0], json::parse(R"({"duration":"90s","target_vus":3,"phase":"steady"})"));
  EXPECT_EQ(s["endpoints"][0]["flow"].size(), 1u);
}

TEST_F(HarImport, JsonRequestBodiesAreKeptAndIssuedValuesInThemCorrelated) {
  json login = entry("POST", kApp + "/login", 200, 0, 5, R"({"session":"sess-123456"})");
  login["request"]["postData"] = {{"mimeType", "application/json"}, {"text", R"({"user":"ann"})"}};
  login["request"]["headers"] = json::array({{{"name", "Content-Type"}, {"value", "application/json"}}});
  json save = entry("PUT", kApp + "/prefs", 204, 10, 5, "", "");
  save["request"]["postData"] = {{"mimeType", "application/json"}, {"text", R"({"session":"sess-123456","x":1})"}};
  const json flow = import_ok(har(json::array({login, save})))["endpoints"][0]["flow"];
  EXPECT_EQ(flow[0]["body"], json::parse(R"({"user":"ann"})"));
  EXPECT_EQ(flow[0]["headers"]["Content-Type"], "application/json");
  EXPECT_EQ(flow[1]["method"], "PUT");
  EXPECT_EQ(flow[1]["body"], R"({"session":"{{session}}","x":1})");
}

TEST_F(HarImport, AFileThatIsNotJsonIsRefusedWithItsLineAndColumn) {
  const std::string message = import_error("{\"log\": {\n  \"entries\": [,]}}");
  EXPECT_NE(message.find("rec.har:2:"), std::string::npos) << message;
  EXPECT_NE(message.find("not a HAR file"), std::string::npos) << message;
}

TEST_F(HarImport, MissingEntriesAreRefusedNamingTheField) {
  EXPECT_NE(import_error(R"({"log": {}})").find("log.entries: missing"), std::string::npos);
  EXPECT_NE(import_error(R"([1, 2])").find("log: missing"), std::string::npos);
}

TEST_F(HarImport, ABrokenEntryIsRefusedNamingItsIndexAndField) {
  json recording = journey();
  recording["log"]["entries"][3]["request"].erase("url");
  const std::string message = import_error(recording.dump());
  EXPECT_NE(message.find("log.entries[3].request.url: missing"), std::string::npos) << message;
  recording = journey();
  recording["log"]["entries"][4]["response"]["status"] = "200";
  EXPECT_NE(import_error(recording.dump())
                .find("log.entries[4].response.status: must be an integer HTTP status (got \"200\")"),
            std::string::npos);
  recording = journey();
  recording["log"]["entries"][5]["startedDateTime"] = "yesterday";
  EXPECT_NE(import_error(recording.dump()).find("log.entries[5].startedDateTime: not an ISO 8601 time"),
            std::string::npos);
}

TEST_F(HarImport, ARecordingOfOnlyStaticAssetsHasNothingImportable) {
  const std::string message = import_error(har(json::array({entry("GET", kApp + "/a.css", 200, 0, 5, "", "text/css"),
                                                            entry("GET", kApp + "/b.woff2", 200, 5, 5, "", "")}))
                                               .dump());
  EXPECT_NE(message.find("rec.har:1:19: log.entries: nothing importable: 2 entries, 2 static assets"),
            std::string::npos)
      << message;
}

TEST_F(HarImport, AMissingFileIsAnErrorNamingIt) {
  auto imported = import_har((dir_ / "absent.har").string(), {});
  ASSERT_FALSE(imported.ok());
  EXPECT_NE(imported.error().message.find("absent.har"), std::string::npos);
}

}  // namespace
}  // namespace perfgate
