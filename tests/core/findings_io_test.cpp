#include <gtest/gtest.h>

#include "core/findings.h"

namespace perfgate {
namespace {

TEST(FindingsIo, RoundTripsEveryField) {
  Findings in;
  in.database = "host=h password=***";
  in.source = "probe";
  in.inconclusive = true;
  in.notes = {"n"};
  in.queries_per_request["GET /a"] = 41;
  Finding f;
  f.kind = FindingKind::kNPlusOne;
  f.endpoint = "GET /a";
  f.query = "SELECT 1";
  f.queries = {"SELECT 1", "SELECT 2"};
  f.query_id = "123";
  f.calls_per_request = 20;
  f.rows_per_call = 1;
  f.table = "t";
  f.columns = {"id"};
  f.suggestion = "batch";
  f.summary = "s";
  f.evidence["round_trips_per_request"] = 20;
  f.notes = {"x"};
  f.severity = Severity::kHigh;
  f.confidence = Confidence::kConfirmed;
  in.findings.push_back(f);
  auto out = findings_from_json(findings_to_json(in), "f.json");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(findings_to_json(*out), findings_to_json(in));
  EXPECT_EQ(out->findings[0].severity, Severity::kHigh);
  EXPECT_EQ(out->findings[0].queries.size(), 2u);
}

TEST(FindingsIo, NamesFileLineAndFieldOfABadValue) {
  const std::string text = "{\n  \"schema_version\": 1,\n  \"findings\": [\n    {\"kind\": \"n_plus_two\"}\n  ]\n}\n";
  auto r = findings_from_json(text, "f.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("f.json:4:"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("findings[0].kind"), std::string::npos) << r.error().message;
}

TEST(FindingsIo, RejectsMissingKindAndBadJson) {
  EXPECT_FALSE(findings_from_json("{\"schema_version\": 1, \"findings\": [{}]}", "f").ok());
  auto r = findings_from_json("{\n\"schema_version\": 1,,\n}", "f.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("f.json:2:"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace perfgate
