// Nothing lost on bad input: malformed scenarios, budgets, results, findings and flags given to the
// built binary each exit 2 with a message naming the file (with line:col where there is one) and
// the field, and never create or replace an output: --out / -o files stay absent and an existing
// baseline stays byte-identical.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "core/files.h"
#include "reliability/support/perfgate_process.h"

namespace perfgate {
namespace {

// A valid result file (written by perfgate) that the cases below corrupt.
std::string good_result() {
  static const std::string kText = [] {
    auto t = read_file(std::string(PERFGATE_SOURCE_DIR) + "/fuzz/corpus/result_reader_fuzz/full_result.json");
    return t.ok() ? *t : std::string();
  }();
  return kText;
}

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string garbage_histogram() {
  const std::string s = good_result();
  const size_t start = s.find("\"HISTF");
  const size_t end = s.find('"', start + 1);
  return s.substr(0, start) + "\"HISTFnot-base64!!\"" + s.substr(end + 1);
}

std::string truncated_histogram() {
  const std::string s = good_result();
  const size_t start = s.find("\"HISTF");
  return s.substr(0, start) + "\"HISTFAAAAGJ4nJNpmSzMwMC6hgECmKE0\"" + s.substr(s.find('"', start + 1) + 1);
}

std::string scenario(const std::string& stages, const std::string& endpoints,
                     const std::string& base_url = "http://127.0.0.1:1") {
  return "{\n  \"name\": \"bad\",\n  \"target\": {\"base_url\": \"" + base_url + "\"},\n  \"load\": {\"stages\": [" +
         stages + "]},\n  \"endpoints\": [" + endpoints + "]\n}\n";
}
const std::string kStage = R"({"duration": "1s", "target_rps": 5})";
const std::string kEndpoint = R"({"name": "a", "request": {"path": "/"}})";

std::string budgets(const std::string& entries, int version = 1) {
  return "{\n  \"schema_version\": " + std::to_string(version) + ",\n  \"budgets\": [\n    " + entries + "\n  ]\n}\n";
}

std::string findings(const std::string& list, int version = 1) {
  return "{\n  \"schema_version\": " + std::to_string(version) + ",\n  \"findings\": " + list + "\n}\n";
}

struct BadInput {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  // written into the scratch directory
  std::vector<std::string> args;                           // "@x": scratch-directory path x; "@@x": "@" + that path
  std::vector<std::string> mentions;                       // in stderr; "@" prefixes a scratch path
};

std::vector<BadInput> cases() {
  const std::string good = good_result();
  std::vector<BadInput> c;
  auto run_scenario = [&](std::string name, std::string text, std::vector<std::string> mentions) {
    c.push_back({std::move(name),
                 {{"s.json", text}},
                 {"run", "@s.json", "--quiet", "--out", "@out.json"},
                 std::move(mentions)});
  };
  // Scenarios.
  run_scenario("ScenarioNotJson", "{\"name\": ", {"@s.json:1:10", "not valid JSON"});
  run_scenario("ScenarioEmpty", "", {"@s.json:1:1"});
  run_scenario("ScenarioBinaryGarbage", std::string("\x00\x01\xff{", 4), {"@s.json:1:1"});
  run_scenario("ScenarioTrailingText", scenario(kStage, kEndpoint) + "trailing", {"@s.json:7:"});
  run_scenario("ScenarioNegativeRate", scenario(R"({"duration": "1s", "target_rps": -5})", kEndpoint),
               {"@s.json:4:56", "load.stages[0].target_rps", "must be >= 0"});
  run_scenario("ScenarioUnknownField", scenario(kStage, R"({"name": "a", "request": {"path": "/", "methd": "GET"}})"),
               {"@s.json:5:", "endpoints[0].request.methd", "did you mean \"method\""});
  run_scenario("ScenarioBadDuration", scenario(R"({"duration": "10 parsecs", "target_rps": 5})", kEndpoint),
               {"@s.json:4:", "load.stages[0].duration"});
  run_scenario("ScenarioFtpBaseUrl", scenario(kStage, kEndpoint, "ftp://127.0.0.1:1"),
               {"@s.json:3:", "target.base_url"});
  run_scenario("ScenarioWeightNotANumber",
               scenario(kStage, R"({"name": "a", "weight": "heavy", "request": {"path": "/"}})"),
               {"@s.json:5:", "endpoints[0].weight"});
  run_scenario("ScenarioNoEndpoints", scenario(kStage, ""), {"@s.json:", "endpoints"});
  run_scenario("ScenarioUnsetVariable",
               scenario(kStage, R"({"name": "a", "request": {"path": "/${PERFGATE_NO_SUCH_VAR}"}})"),
               {"@s.json:5:", "endpoints[0].request.path", "PERFGATE_NO_SUCH_VAR"});
  run_scenario("ScenarioNoStages", scenario("", kEndpoint), {"@s.json:", "load.stages"});
  run_scenario("ScenarioNotAnObject", "[1, 2]", {"@s.json:1:1"});
  run_scenario("ScenarioNumberOverflow", scenario(R"({"duration": "1s", "target_rps": 1e999})", kEndpoint),
               {"@s.json", "number overflow", "1e999"});
  c.push_back({"ScenarioValidateBad",
               {{"s.json", scenario(kStage, R"({"name": "a", "weight": -1, "request": {"path": "/"}})")}},
               {"scenario", "validate", "@s.json"},
               {"@s.json:5:", "endpoints[0].weight"}});
  c.push_back({"ScenarioIsADirectory",
               {{"dir/x", ""}},
               {"run", "@dir", "--quiet", "--out", "@out.json"},
               {"@dir", "directory"}});
  c.push_back({"ScenarioMissing",
               {},
               {"run", "@missing.json", "--quiet", "--out", "@out.json"},
               {"@missing.json", "No such file"}});

  // Budgets files (gate with a valid result).
  auto gate_budgets = [&](std::string name, std::string text, std::vector<std::string> mentions) {
    c.push_back({std::move(name),
                 {{"r.json", good}, {"b.json", text}},
                 {"gate", "@r.json", "--budgets", "@b.json", "--out", "@out.json", "--junit", "@out.xml"},
                 std::move(mentions)});
  };
  gate_budgets("BudgetsNotJson", "{\"schema_version\": 1, \"budgets\": [", {"@b.json:1:35", "not valid JSON"});
  gate_budgets("BudgetsEmptyFile", "", {"@b.json:1:1"});
  gate_budgets("BudgetsWrongSchemaVersion", budgets("", 99), {"@b.json:2:21", "schema_version"});
  gate_budgets("BudgetsBadOperator", budgets(R"({"rules": ["p95 <<< 1s"]})"), {"@b.json:4:", "budgets[0].rules[0]"});
  gate_budgets("BudgetsBadDuration", budgets(R"({"endpoint": "a", "p95": "fast"})"), {"@b.json:4:", "budgets[0].p95"});
  gate_budgets("BudgetsUnknownField", budgets(R"({"endpoint": "a", "p59": "1s"})"),
               {"@b.json:4:", "budgets[0].p59", "unknown field"});
  gate_budgets("BudgetsNotAnArray", "{\n  \"schema_version\": 1,\n  \"budgets\": {\"p95\": \"1s\"}\n}\n",
               {"@b.json:3:", "budgets"});
  gate_budgets("BudgetsNegativeTolerance", budgets(R"({"tolerance": -1, "p95": "1s"})"),
               {"@b.json:4:", "budgets[0].tolerance"});
  gate_budgets("BudgetsBadSeverity", budgets(R"({"rules": [{"rule": "p95 < 1s", "severity": "maybe"}]})"),
               {"@b.json:4:", "budgets[0].rules[0].severity"});
  gate_budgets("BudgetsBadShare", budgets(R"({"rules": ["error_rate <= lots"]})"),
               {"@b.json:4:", "budgets[0].rules[0]"});
  gate_budgets("BudgetsNumberOverflow", budgets(R"({"tolerance": 1e999, "p95": "1s"})"),
               {"@b.json", "number overflow"});
  gate_budgets("BudgetsRuleNotAString", budgets(R"({"rules": [42]})"), {"@b.json:4:", "budgets[0].rules[0]"});
  c.push_back({"BudgetsMissing",
               {{"r.json", good}},
               {"gate", "@r.json", "--budgets", "@nob.json", "--out", "@out.json"},
               {"@nob.json", "No such file"}});
  c.push_back({"BudgetsIsADirectory",
               {{"r.json", good}, {"bd/x", ""}},
               {"gate", "@r.json", "--budgets", "@bd", "--out", "@out.json"},
               {"@bd", "directory"}});

  // Result files, through every command that reads one.
  const std::vector<std::pair<std::string, std::pair<std::string, std::vector<std::string>>>> bad_results = {
      {"Truncated", {good.substr(0, 1500), {"@r.json:", "not valid JSON"}}},
      {"WrongSchemaVersion",
       {replace_first(good, "\"schema_version\": 1", "\"schema_version\": 7"), {"@r.json:2:21", "schema_version"}}},
      {"HistogramGarbage", {garbage_histogram(), {"@r.json:86:24", "histogram", "not base64"}}},
      {"HistogramTruncated", {truncated_histogram(), {"@r.json:86:24", "histogram"}}},
      {"WrongType",
       {replace_first(good, "\"duration_s\": 10.0", "\"duration_s\": \"long\""), {"@r.json:20:17", "duration_s"}}},
      {"NegativeCount",
       {replace_first(good, "\"requests\": 500", "\"requests\": -3"), {"@r.json:45:19", "endpoints[0].requests"}}},
      {"NotAnObject", {"[1, 2, 3]", {"@r.json:1:1", "JSON object"}}},
      {"NumberOverflow",
       {replace_first(good, "\"duration_s\": 10.0", "\"duration_s\": 1e999"), {"@r.json", "number overflow"}}},
  };
  for (const auto& [what, bad] : bad_results) {
    const auto& [text, mentions] = bad;
    c.push_back({"InspectResult" + what, {{"r.json", text}}, {"inspect", "@r.json"}, mentions});
    c.push_back({"BaselineSaveResult" + what,
                 {{"r.json", text}},
                 {"baseline", "save", "@r.json", "--to", "@baseline.json"},
                 mentions});
    c.push_back({"ReportResult" + what, {{"r.json", text}}, {"report", "@r.json", "-o", "@out.html"}, mentions});
  }
  c.push_back({"GateTruncatedResult",
               {{"r.json", good.substr(0, 1500)}, {"b.json", budgets(R"({"p95": "1s"})")}},
               {"gate", "@r.json", "--budgets", "@b.json", "--out", "@out.json"},
               {"@r.json:", "not valid JSON"}});
  c.push_back({"GateCorruptBaseline",
               {{"r.json", good}, {"base.json", garbage_histogram()}},
               {"gate", "@r.json", "--baseline", "@base.json", "--out", "@out.json"},
               {"@base.json:86:24", "histogram"}});
  c.push_back({"TrendCorruptResult",
               {{"r.json", good.substr(0, 1500)}},
               {"trend", "@r.json", "-o", "@out.html"},
               {"@r.json:"}});
  c.push_back({"ReportCorruptBaseline",
               {{"r.json", good}, {"base.json", good.substr(0, 900)}},
               {"report", "@r.json", "--baseline", "@base.json", "-o", "@out.html"},
               {"@base.json:"}});
  c.push_back({"BaselineSavePartialResult",
               {{"r.json", replace_first(replace_first(good, "\"partial\": false", "\"partial\": true"),
                                         "\"status\": \"complete\"", "\"status\": \"partial\"")}},
               {"baseline", "save", "@r.json", "--to", "@baseline.json"},
               {"@r.json", "partial"}});
  c.push_back({"BaselineSaveDirectory",
               {{"rd/x", ""}},
               {"baseline", "save", "@rd", "--to", "@baseline.json"},
               {"@rd", "directory"}});
  c.push_back({"InspectMissing", {}, {"inspect", "@nothing.json"}, {"@nothing.json", "No such file"}});

  // Findings files.
  auto report_findings = [&](std::string name, std::string text, std::vector<std::string> mentions) {
    c.push_back({std::move(name),
                 {{"r.json", good}, {"f.json", text}},
                 {"report", "@r.json", "--findings", "@f.json", "-o", "@out.html"},
                 std::move(mentions)});
  };
  report_findings("FindingsNotJson", "{\"schema_version\": 1, \"findings\": [", {"@f.json:1:36", "not valid JSON"});
  report_findings("FindingsWrongSchemaVersion", findings("[]", 5), {"@f.json:2:21", "schema_version"});
  report_findings("FindingsNotAnArray", findings("\"none\""), {"@f.json:3:15", "findings"});
  report_findings("FindingsNumberOverflow", "{\n  \"schema_version\": 1e999,\n  \"findings\": []\n}\n",
                  {"@f.json", "number overflow"});
  report_findings("FindingsUnknownKind", findings(R"([{"kind": "teleport"}])"), {"@f.json:3:", "findings[0].kind"});
  c.push_back({"GateFindingsCorrupt",
               {{"r.json", good}, {"b.json", budgets(R"({"rules": ["no n_plus_one"]})")}, {"f.json", "{"}},
               {"gate", "@r.json", "--budgets", "@b.json", "--findings", "@f.json", "--out", "@out.json"},
               {"@f.json:"}});
  // Files of the wrong kind: read as findings, a result or a gate report holds none and every
  // "no KIND" rule would pass on nothing.
  const std::string gate_report =
      "{\"schema_version\": 1, \"overall\": \"pass\", \"result\": \"other.json\", \"result_id\": "
      "\"2026-01-01T00:00:00Z "
      "elsewhere 0123456789abcdef 7\", \"checks\": []}";
  const std::string no_n_plus_one = budgets(R"({"endpoint": "reports.sales", "rules": ["no n_plus_one"]})");
  c.push_back({"GateFindingsIsARunResult",
               {{"r.json", good}, {"b.json", no_n_plus_one}, {"f.json", good}},
               {"gate", "@r.json", "--budgets", "@b.json", "--findings", "@f.json", "--out", "@out.json"},
               {"@f.json", "expected a findings file", "got a run result"}});
  c.push_back({"GateFindingsIsAGateReport",
               {{"r.json", good}, {"b.json", no_n_plus_one}, {"f.json", gate_report}},
               {"gate", "@r.json", "--budgets", "@b.json", "--findings", "@f.json", "--out", "@out.json"},
               {"@f.json", "expected a findings file", "got a gate report"}});
  report_findings("ReportFindingsIsARunResult", good, {"@f.json", "expected a findings file", "got a run result"});
  c.push_back({"ReportGateIsARunResult",
               {{"r.json", good}},
               {"report", "@r.json", "--gate", "@r.json", "-o", "@out.html"},
               {"@r.json", "expected a gate report", "got a run result"}});
  c.push_back({"ReportGateIsFindings",
               {{"r.json", good}, {"f.json", findings("[]")}},
               {"report", "@r.json", "--gate", "@f.json", "-o", "@out.html"},
               {"@f.json", "expected a gate report", "findings"}});
  c.push_back({"ReportGateOfAnotherRun",
               {{"r.json", good}, {"g.json", gate_report}},
               {"report", "@r.json", "--gate", "@g.json", "-o", "@out.html"},
               {"@g.json", "judged another run", "other.json"}});
  c.push_back({"FindingsMissing",
               {{"r.json", good}},
               {"report", "@r.json", "--findings", "@nof.json", "-o", "@out.html"},
               {"@nof.json"}});

  // Flags.
  auto run_flags = [&](std::string name, std::vector<std::string> flags, std::vector<std::string> mentions) {
    std::vector<std::string> args{"run", "--quiet", "--out", "@out.json"};
    args.insert(args.end(), flags.begin(), flags.end());
    c.push_back({std::move(name), {}, args, std::move(mentions)});
  };
  const std::string url = "http://127.0.0.1:1";
  run_flags("FlagUnknown", {"--url", url, "--rat", "5"}, {"--rat"});
  run_flags("FlagBadDuration", {"--url", url, "--rate", "5", "--duration", "soon"}, {"--duration", "soon"});
  run_flags("FlagRateNotANumber", {"--url", url, "--rate", "fast"}, {"--rate", "fast"});
  run_flags("FlagNegativeRate", {"--url", url, "--rate", "-5"}, {"--rate", "-5"});
  run_flags("FlagZeroDuration", {"--url", url, "--rate", "5", "--duration", "0s"}, {"--duration"});
  run_flags("FlagBadTimeout", {"--url", url, "--rate", "5", "--timeout", "abc"}, {"--timeout", "abc"});
  run_flags("FlagNegativeThreads", {"--url", url, "--rate", "5", "--threads", "-1"}, {"--threads"});
  run_flags("FlagNegativeConnections", {"--url", url, "--rate", "5", "--connections", "-1"}, {"--connections"});
  run_flags("FlagZeroUsers", {"--url", url, "--vus", "0"}, {"--vus"});
  run_flags("FlagUnknownMethod", {"--url", url, "--rate", "5", "--method", "FETCH"}, {"--method", "FETCH"});
  run_flags("FlagBodyFileMissing", {"--url", url, "--rate", "5", "--body", "@@nobody.txt"}, {"--body", "@nobody.txt"});
  c.push_back({"FlagBodyIsADirectory",
               {{"bodydir/x", ""}},
               {"run", "--quiet", "--out", "@out.json", "--url", url, "--rate", "5", "--body", "@@bodydir"},
               {"--body", "@bodydir", "directory"}});
  run_flags("FlagHeaderWithoutColon", {"--url", url, "--rate", "5", "-H", "NoColon"}, {"--header"});
  run_flags("FlagFtpUrl", {"--url", "ftp://127.0.0.1/", "--rate", "5"}, {"--url"});
  run_flags("FlagZeroTimeScale", {"demo", "--time-scale", "0"}, {"--time-scale"});
  run_flags("FlagScenarioAndUrl", {"demo", "--url", url, "--rate", "5"}, {"--url"});
  run_flags("FlagNothingToRun", {}, {"SCENARIO"});
  // Flags that do not apply, loads beyond their bounds, outputs that cannot be written (issue #20).
  const std::string tiny = scenario(kStage, kEndpoint);
  auto with_scenario = [&](std::string name, std::vector<std::string> flags, std::vector<std::string> mentions) {
    std::vector<std::string> args{"run", "@s.json", "--quiet", "--out", "@out.json"};
    args.insert(args.end(), flags.begin(), flags.end());
    c.push_back({std::move(name), {{"s.json", tiny}}, args, std::move(mentions)});
  };
  with_scenario("FlagRateWithScenario", {"--rate", "5"}, {"--rate:", "quick mode", "--rate-scale"});
  with_scenario("FlagDurationWithScenario", {"--duration", "5s"}, {"--duration:", "quick mode", "--time-scale"});
  with_scenario("FlagMethodWithScenario", {"--method", "POST"}, {"--method:", "quick mode"});
  with_scenario("FlagBodyWithScenario", {"--body", "x"}, {"--body:", "quick mode"});
  with_scenario("FlagRateScaleAboveBound", {"--rate-scale", "1e6"}, {"--rate-scale", "above the bound of 1000000"});
  with_scenario("FlagTimeScaleAboveBound", {"--time-scale", "1e6"}, {"--time-scale", "168h"});
  run_flags("FlagRateAboveBound", {"--url", url, "--rate", "1e9"}, {"--rate", "at most 1000000"});
  run_flags("FlagRateInfinite", {"--url", url, "--rate", "inf"}, {"--rate", "at most 1000000"});
  run_flags("FlagUsersAboveBound", {"--url", url, "--vus", "1000000"}, {"--vus", "at most 100000"});
  run_flags("FlagDurationAboveBound", {"--url", url, "--rate", "5", "--duration", "169h"},
            {"--duration", "at most 168h"});
  run_flags("FlagTimeoutAboveBound", {"--url", url, "--rate", "5", "--timeout", "2h"}, {"--timeout", "at most 1h"});
  run_flags("FlagConnectionsAboveBound", {"--url", url, "--rate", "5", "--connections", "1000000"},
            {"--connections", "at most 100000"});
  run_flags("FlagThreadsAboveBound", {"--url", url, "--rate", "5", "--threads", "5000"}, {"--threads", "0..1024"});
  run_flags("FlagBadGiveUpAfter", {"--url", url, "--rate", "5", "--give-up-after", "never"}, {"--give-up-after"});
  run_scenario("ScenarioRateAboveBound", scenario(R"({"duration": "1s", "target_rps": 1e9})", kEndpoint),
               {"@s.json:4:", "load.stages[0].target_rps", "at most 1000000"});
  run_scenario(
      "ScenarioUsersAboveBound",
      "{\"name\": \"u\", \"target\": {\"base_url\": \"http://127.0.0.1:1\"}, \"load\": {\"model\": \"closed\", "
      "\"stages\": [{\"duration\": \"1s\", \"target_vus\": 200000}]}, \"endpoints\": [" +
          kEndpoint + "]}",
      {"@s.json:1:", "target_vus", "at most 100000"});
  run_scenario("ScenarioTooLong",
               scenario(R"({"duration": "100h", "target_rps": 1}, {"duration": "100h", "target_rps": 1})", kEndpoint),
               {"@s.json:4:", "load.stages", "168h"});
  const std::string absolute = R"({"name": "a", "request": {"path": "http://127.0.0.1:2/other"}})";
  run_scenario("ScenarioAbsoluteUrlPath", scenario(kStage, absolute),
               {"@s.json:5:", "endpoints[0].request.path", "absolute URLs are not supported"});
  c.push_back({"ScenarioValidateAbsoluteUrlPath",
               {{"s.json", scenario(kStage, absolute)}},
               {"scenario", "validate", "@s.json"},
               {"@s.json:5:", "endpoints[0].request.path", "absolute URLs are not supported"}});
  c.push_back({"ScenarioValidateRateAboveBound",
               {{"s.json", scenario(R"({"duration": "1s", "target_rps": 1e9})", kEndpoint)}},
               {"scenario", "validate", "@s.json"},
               {"@s.json:4:", "target_rps", "at most 1000000"}});
  c.push_back({"OutIsADirectory",
               {{"outdir/x", ""}},
               {"run", "--quiet", "--out", "@outdir", "--url", url, "--rate", "5"},
               {"@outdir", "--out", "is a directory"}});
  c.push_back({"OutInProc",
               {},
               {"run", "--quiet", "--out", "/proc/x.json", "--url", url, "--rate", "5"},
               {"--out /proc/x.json", "cannot write"}});
  c.push_back({"ProfileOutIsADirectory",
               {{"outdir/x", ""}},
               {"profile", "--pattern", "no-such-process-xyz", "--duration", "1s", "--out", "@outdir"},
               {"@outdir", "--out", "is a directory"}});
  c.push_back({"GateOutIsADirectory",
               {{"r.json", good}, {"b.json", budgets(R"({"p95": "1s"})")}, {"gd/x", ""}},
               {"gate", "@r.json", "--budgets", "@b.json", "--junit", "@gd"},
               {"@gd", "--junit", "is a directory"}});
  c.push_back({"ReportOutIsADirectory",
               {{"r.json", good}, {"rd/x", ""}},
               {"report", "@r.json", "-o", "@rd"},
               {"@rd", "-o", "is a directory"}});
  c.push_back({"FindingsOutIsADirectory",
               {{"fdir/x", ""}},
               {"run", "--quiet", "--out", "@out.json", "--url", url, "--rate", "5", "--pg", "host=127.0.0.1 port=1",
                "--findings-out", "@fdir"},
               {"@fdir", "--findings-out", "is a directory"}});
  c.push_back({"ReportUnknownFormat",
               {{"r.json", good}},
               {"report", "@r.json", "-o", "@out.html", "--format", "pdf"},
               {"--format", "pdf"}});
  return c;
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("perfgate-bad-input-" + std::to_string(::getpid()) + "-" + GetParam().name);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string expand(const std::string& s) const {
    if (s.rfind("@@", 0) == 0) return "@" + (dir_ / s.substr(2)).string();
    return !s.empty() && s[0] == '@' ? (dir_ / s.substr(1)).string() : s;
  }
  std::filesystem::path dir_;
};

TEST_P(BadInputTest, ExitsTwoNamingTheFileAndFieldAndWritesNothing) {
  const BadInput& input = GetParam();
  ASSERT_FALSE(good_result().empty());
  for (const auto& [name, text] : input.files) {
    const auto file = dir_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }
  // An existing baseline must survive any failed save byte for byte.
  const std::string baseline = (dir_ / "baseline.json").string();
  const std::string baseline_bytes = good_result() + "\n";
  std::ofstream(baseline, std::ios::binary) << baseline_bytes;

  std::vector<std::string> args;
  for (const auto& a : input.args) args.push_back(expand(a));
  const auto o = testing::run_perfgate(args, dir_.string());
  EXPECT_FALSE(o.signalled) << o.err;
  EXPECT_EQ(o.exit_code, 2) << o.err;
  for (const auto& m : input.mentions)
    EXPECT_NE(o.err.find(expand(m)), std::string::npos) << "no '" << expand(m) << "' in: " << o.err;
  for (const char* out : {"out.json", "out.xml", "out.html"}) EXPECT_FALSE(std::filesystem::exists(dir_ / out)) << out;
  auto after = read_file(baseline);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, baseline_bytes) << "the existing baseline was replaced";
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << "left behind " << entry.path();
  }
}

INSTANTIATE_TEST_SUITE_P(Reliability, BadInputTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<BadInput>& c) { return c.param.name; });

TEST(BadInputTable, HoldsAtLeastFiftyCases) { EXPECT_GE(cases().size(), 50u); }

}  // namespace
}  // namespace perfgate
