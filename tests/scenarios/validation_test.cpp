// Every malformed scenario is rejected with kInvalidInput and a "FILE:LINE:COL: FIELD: PROBLEM" line
// pointing at the offending value.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "scenarios/parser.h"

namespace perfgate {
namespace {

struct Malformed {
  const char* what;
  std::string text;
  std::string anchor;   // first occurrence of this text is where the error must point
  std::string field;    // dotted field path in the message
  std::string problem;  // a substring of the problem
};

std::string doc(const std::string& endpoints,
                const std::string& load = R"({"model": "open", "stages": [{"duration": "10s", "target_rps": 5}]})",
                const std::string& extra = "", const std::string& target = R"({"base_url": "http://127.0.0.1:8080"})") {
  return "{\n  \"name\": \"t\",\n  \"target\": " + target + ",\n  \"load\": " + load + ",\n" + extra +
         "  \"endpoints\": [\n    " + endpoints + "\n  ]\n}\n";
}

std::string request(const std::string& body) { return R"({"name": "e", "request": )" + body + "}"; }

std::string position_of(const std::string& text, const std::string& anchor) {
  const size_t at = text.find(anchor);
  EXPECT_NE(at, std::string::npos) << "anchor not in text: " << anchor;
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

const std::string kOpenLoad = R"({"model": "open", "stages": [{"duration": "10s", "target_rps": 5}]})";
const std::string kPlain = request(R"({"path": "/x"})");

std::vector<Malformed> cases() {
  return {
      {"negative target",
       doc(kPlain,
           R"({"model": "open", "stages": [{"duration": "10s", "target_rps": 5}, {"duration": "5s", "target_rps": -5}]})"),
       "-5", "load.stages[1].target_rps", "must be >= 0 (got -5)"},
      {"zero duration", doc(kPlain, R"({"stages": [{"duration": "0s", "target_rps": 5}]})"), "\"0s\"",
       "load.stages[0].duration", "must be > 0"},
      {"duration without unit", doc(kPlain, R"({"stages": [{"duration": 30, "target_rps": 5}]})"), "30",
       "load.stages[0].duration", "duration string with a unit"},
      {"bad duration text", doc(kPlain, R"({"stages": [{"duration": "ten", "target_rps": 5}]})"), "\"ten\"",
       "load.stages[0].duration", "invalid duration"},
      {"empty stages", doc(kPlain, R"({"model": "open", "stages": []})"), "[]", "load.stages", "at least one stage"},
      {"missing stages", doc(kPlain, R"({"model": "open"})"), "{\"model\": \"open\"}", "load.stages",
       "required field is missing"},
      {"unknown model", doc(kPlain, R"({"model": "poisson", "stages": [{"duration": "1s", "target_rps": 1}]})"),
       "\"poisson\"", "load.model", "must be \"open\""},
      {"vus in open model", doc(kPlain, R"({"model": "open", "stages": [{"duration": "1s", "target_vus": 1}]})"), "1}",
       "load.stages[0].target_vus", "does not apply to the open model"},
      {"think time in open model",
       doc(kPlain, R"({"model": "open", "think_time": "1s", "stages": [{"duration": "1s", "target_rps": 1}]})"),
       "\"1s\"", "load.think_time", "only applies to the closed model"},
      {"fractional users", doc(kPlain, R"({"model": "closed", "stages": [{"duration": "1s", "target_vus": 2.5}]})"),
       "2.5", "load.stages[0].target_vus", "whole number"},
      {"unknown top-level field", doc(kPlain, kOpenLoad, "  \"tagret\": {},\n"), "{},", "tagret",
       "unknown field; did you mean \"target\"?"},
      {"unknown stage field", doc(kPlain, R"({"stages": [{"duration": "1s", "target_rps": 1, "phaze": "x"}]})"),
       "\"x\"", "load.stages[0].phaze", "did you mean \"phase\"?"},
      {"unknown request field", doc(request(R"({"path": "/x", "methd": "GET"})")), "\"GET\"",
       "endpoints[0].request.methd", "did you mean \"method\"?"},
      {"base url without scheme", doc(kPlain, kOpenLoad, "", R"({"base_url": "127.0.0.1:8080"})"), "\"127.0.0.1:8080\"",
       "target.base_url", "must be http(s)://host[:port]"},
      {"base url with path", doc(kPlain, kOpenLoad, "", R"({"base_url": "http://h:80/api"})"), "\"http://h:80/api\"",
       "target.base_url", "without a path"},
      {"base url bad port", doc(kPlain, kOpenLoad, "", R"({"base_url": "http://h:99999"})"), "\"http://h:99999\"",
       "target.base_url", "port out of range"},
      {"missing target",
       "{\n  \"name\": \"t\",\n  \"load\": " + kOpenLoad + ",\n  \"endpoints\": [" + kPlain + "]\n}\n", "{", "target",
       "required field is missing"},
      {"bad method", doc(request(R"({"method": "FETCH", "path": "/x"})")), "\"FETCH\"", "endpoints[0].request.method",
       "must be one of GET"},
      {"relative path", doc(request(R"({"path": "reports"})")), "\"reports\"", "endpoints[0].request.path",
       "must start with /"},
      {"zero weight", doc(R"({"name": "e", "weight": 0, "request": {"path": "/x"}})"), "0,", "endpoints[0].weight",
       "must be > 0 (got 0)"},
      {"zero timeout", doc(request(R"({"path": "/x", "timeout": "0ms"})")), "\"0ms\"", "endpoints[0].request.timeout",
       "must be > 0"},
      {"request and flow", doc(R"({"name": "e", "request": {"path": "/x"}, "flow": []})"),
       "{\"name\": \"e\", \"request\"", "endpoints[0]", "exactly one of \"request\", \"flow\""},
      {"duplicate endpoint", doc(kPlain + ",\n    " + R"({"name": "e", "weight": 2, "request": {"path": "/y"}})"),
       "\"e\", \"weight\"", "endpoints[1].name", "duplicate endpoint name"},
      {"bad status", doc(request(R"({"path": "/x", "expect_status": [200, 700]})")), "[200, 700]",
       "endpoints[0].request.expect_status", "100..599"},
      {"regex without group", doc(request(R"({"path": "/x", "extract": [{"variable": "id", "regex": "id=\\d+"}]})")),
       "\"id=", "endpoints[0].request.extract[0].regex", "exactly 1 capture group (got 0"},
      {"invalid regex", doc(request(R"({"path": "/x", "extract": [{"variable": "id", "regex": "id=(\\d+"}]})")),
       "\"id=", "endpoints[0].request.extract[0].regex", "invalid regex"},
      {"two extraction sources",
       doc(request(R"({"path": "/x", "extract": [{"variable": "id", "header": "X", "json_pointer": "/id"}]})")),
       "{\"variable\": \"id\"", "endpoints[0].request.extract[0]",
       "exactly one of \"json_pointer\", \"header\", \"regex\""},
      {"bad json pointer", doc(request(R"({"path": "/x", "extract": [{"variable": "id", "json_pointer": "job/id"}]})")),
       "\"job/id\"", "endpoints[0].request.extract[0].json_pointer", "must be a JSON pointer"},
      {"poll interval beyond deadline",
       doc(request(R"({"path": "/x", "poll": {"interval": "5s", "deadline": "1s", "until": [{"status": 200}]}})")),
       "\"5s\"", "endpoints[0].request.poll.interval", "shorter than the deadline"},
      {"poll without until", doc(request(R"({"path": "/x", "poll": {"interval": "1s"}})")), "{\"interval\"",
       "endpoints[0].request.poll.until", "required field is missing"},
      {"bad stream format", doc(request(R"({"path": "/x", "stream": {"format": "websocket"}})")), "\"websocket\"",
       "endpoints[0].request.stream.format", "\"sse\" or \"chunked\""},
      {"cancel after zero events", doc(request(R"({"path": "/x", "stream": {"cancel_after_events": 0}})")), "0}",
       "endpoints[0].request.stream.cancel_after_events", "must be > 0"},
      {"tally without source", doc(request(R"({"path": "/x", "tallies": [{"name": "cache"}]})")),
       "{\"name\": \"cache\"}", "endpoints[0].request.tallies[0]", "exactly one of \"header\", \"json_pointer\""},
      {"random min above max",
       doc(kPlain, kOpenLoad, "  \"random\": [{\"variable\": \"n\", \"min\": 9, \"max\": 3}],\n"), "3}",
       "random[0].max", "must be >= min (got min 9, max 3)"},
      {"undefined variable",
       doc(request(R"({"path": "/users/{{user}}"})"), kOpenLoad, "  \"variables\": {\"usr\": 1},\n"), "\"/users/",
       "endpoints[0].request.path", "step 'e' uses {{user}} but nothing defines it"},
      {"variable extracted by a later step",
       doc(R"({"name": "f", "flow": [{"name": "a", "path": "/a/{{job}}"}, {"name": "b", "path": "/b", "extract": [{"variable": "job", "header": "X"}]}]})"),
       "\"/a/", "endpoints[0].flow[0].path", "step 'a' uses {{job}}"},
      {"check with equals and no target", doc(request(R"({"path": "/x", "checks": [{"status": 200, "equals": "x"}]})")),
       "{\"status\": 200", "endpoints[0].request.checks[0]", "only apply to json_pointer and header"},
      {"env var missing", doc(request(R"({"path": "/x/${PERFGATE_TEST_SURELY_UNSET}"})")), "\"/x/$",
       "endpoints[0].request.path", "environment variable PERFGATE_TEST_SURELY_UNSET is not set"},
      {"string where number expected", doc(R"({"name": "e", "weight": "3", "request": {"path": "/x"}})"), "\"3\"",
       "endpoints[0].weight", "must be a number (got \"3\")"},
      {"missing feeder file", doc(kPlain, kOpenLoad, "  \"feeders\": [{\"file\": \"no-such.csv\"}],\n"),
       "\"no-such.csv\"", "feeders[0].file", "cannot read CSV feeder"},
      {"run_if_defined unknown", doc(request(R"({"path": "/x", "run_if_defined": "job"})")), "\"job\"",
       "endpoints[0].request.run_if_defined", "no earlier step extracts it"},
  };
}

TEST(ScenarioValidation, ReportsEachMalformedScenarioAtTheOffendingValue) {
  const auto all = cases();
  ASSERT_GE(all.size(), 30u);
  for (const Malformed& c : all) {
    SCOPED_TRACE(c.what);
    auto result = parse_scenario(c.text, "scenarios/t.json");
    ASSERT_FALSE(result.ok()) << c.text;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
    const std::string expected = "scenarios/t.json:" + position_of(c.text, c.anchor) + ": " + c.field + ": ";
    EXPECT_NE(result.error().message.find(expected), std::string::npos)
        << "expected prefix: " << expected << "\nmessage: " << result.error().message << "\ntext:\n"
        << c.text;
    EXPECT_NE(result.error().message.find(c.problem), std::string::npos) << result.error().message;
  }
}

TEST(ScenarioValidation, ReportsEveryProblemNotOnlyTheFirst) {
  const std::string text = doc(R"({"name": "e", "weight": -1, "request": {"method": "FETCH", "path": "x"}})",
                               R"({"stages": [{"duration": "1s", "target_rps": -5}]})");
  auto result = parse_scenario(text, "p.json");
  ASSERT_FALSE(result.ok());
  const std::string& m = result.error().message;
  EXPECT_NE(m.find("p.json:4:"), std::string::npos) << m;
  EXPECT_NE(m.find("load.stages[0].target_rps: must be >= 0 (got -5)"), std::string::npos) << m;
  EXPECT_NE(m.find("endpoints[0].weight: must be > 0 (got -1)"), std::string::npos) << m;
  EXPECT_NE(m.find("endpoints[0].request.method"), std::string::npos) << m;
  EXPECT_NE(m.find("endpoints[0].request.path"), std::string::npos) << m;
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 3) << m;
}

TEST(ScenarioValidation, PointsAtTheExactLineAndColumnOfANegativeStageTarget) {
  const std::string text =
      "{\n"
      "  \"name\": \"peak\",\n"
      "  \"target\": {\"base_url\": \"http://127.0.0.1:8080\"},\n"
      "  \"load\": {\n"
      "    \"stages\": [\n"
      "      {\"duration\": \"1m\", \"target_rps\": 10},\n"
      "      {\"duration\": \"1m\", \"target_rps\": 20},\n"
      "      {\"duration\": \"1m\",\n"
      "        \"target_rps\": -5}\n"
      "    ]\n"
      "  },\n"
      "  \"endpoints\": [{\"name\": \"h\", \"request\": {\"path\": \"/health\"}}]\n"
      "}\n";
  auto result = parse_scenario(text, "scenarios/peak.json");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "scenarios/peak.json:9:23: load.stages[2].target_rps: must be >= 0 (got -5)");
}

TEST(ScenarioValidation, ReportsInvalidJsonWithItsPosition) {
  auto result = parse_scenario("{\n  \"name\": \"t\",\n  \"load\": {]\n}\n", "bad.json");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(result.error().message.rfind("bad.json:3:12: not valid JSON:", 0), 0u) << result.error().message;
}

}  // namespace
}  // namespace perfgate

namespace perfgate {
namespace {

TEST(ScenarioValidation, RejectsEveryTruncationOfABundledScenarioAsInvalidInput) {
  auto scenario = load_scenario_file("async-report");
  ASSERT_TRUE(scenario.ok()) << scenario.error().message;
  std::ifstream in(scenario->source_path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(text.size(), 100u);
  const size_t end = text.find_last_of('}');
  for (size_t cut = 0; cut < end; cut += 7) {
    auto result = parse_scenario(text.substr(0, cut), "cut.json");
    ASSERT_FALSE(result.ok()) << "accepted a truncation at " << cut;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(result.error().message.rfind("cut.json:", 0), 0u) << result.error().message;
  }
}

}  // namespace
}  // namespace perfgate
