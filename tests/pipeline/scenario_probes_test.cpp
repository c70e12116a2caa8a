#include "pipeline/scenario_probes.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

Endpoint get(const std::string& name, const std::string& path) {
  Endpoint e;
  e.name = name;
  RequestTemplate step;
  step.path = path;
  e.steps.push_back(step);
  return e;
}

Scenario scenario_with_variables() {
  Scenario s;
  s.base_url = "http://127.0.0.1:9";
  s.endpoints.push_back(get("reports.sales", "/reports/sales?limit=50"));
  s.endpoints.push_back(get("reports.by_region", "/reports/by-region?region={{region}}"));
  s.endpoints.push_back(get("reports.by_user", "/reports/by-user?user_id={{user_id}}"));
  s.endpoints.push_back(get("reports.unknown", "/x?job={{job_id}}"));
  Endpoint post = get("reports.async", "/reports/async");
  post.steps[0].method = "POST";
  s.endpoints.push_back(post);
  Endpoint stream = get("reports.stream", "/reports/export/stream");
  stream.steps[0].stream = StreamSpec{};
  s.endpoints.push_back(stream);
  s.feeders.push_back(CsvFeeder{"regions.csv", {"region"}, {{"north"}, {"south"}}, false});
  s.random.push_back(RandomRange{"user_id", 7, 200});
  return s;
}

TEST(ScenarioProbes, RendersFirstValuesAndSkipsWhatCannotBeProbedAlone) {
  const auto probes = probes_for_scenario(scenario_with_variables());
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_EQ(probes[0].url, "http://127.0.0.1:9/reports/sales?limit=50");
  EXPECT_EQ(probes[1].url, "http://127.0.0.1:9/reports/by-region?region=north");
  EXPECT_EQ(probes[2].endpoint, "reports.by_user");
  EXPECT_EQ(probes[2].url, "http://127.0.0.1:9/reports/by-user?user_id=7");
}

// The engine renders "{{ region }}" (spaces inside the braces); the probes once did not, and such an
// endpoint was silently left out of probing.
TEST(ScenarioProbes, ProbesAnEndpointWhosePlaceholderHasSpacesInsideTheBraces) {
  Scenario s;
  s.base_url = "http://127.0.0.1:9";
  s.endpoints.push_back(get("reports.by_region", "/reports/by-region?region={{ region }}&limit={{\tlimit }}"));
  s.variables["limit"] = "50";
  s.feeders.push_back(CsvFeeder{"regions.csv", {"region"}, {{"north"}, {"south"}}, false});
  const auto probes = probes_for_scenario(s);
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].endpoint, "reports.by_region");
  EXPECT_EQ(probes[0].url, "http://127.0.0.1:9/reports/by-region?region=north&limit=50");
}

TEST(ScenarioProbes, MergeKeepsOneFindingPerKindAndQuery) {
  Findings probed;
  Finding index;
  index.kind = FindingKind::kMissingIndex;
  index.query = "select * from t where a = $1";
  index.endpoint = "reports.by_region";
  probed.findings.push_back(index);
  Findings delta;
  Finding same = index;
  same.endpoint.clear();
  Finding slow;
  slow.kind = FindingKind::kSlowQuery;
  slow.query = "select pg_sleep($1)";
  delta.findings = {same, slow};
  delta.notes = {"eviction"};
  delta.inconclusive = true;
  merge_findings(probed, delta);
  ASSERT_EQ(probed.findings.size(), 2u);
  EXPECT_EQ(probed.findings[0].endpoint, "reports.by_region");
  EXPECT_EQ(probed.findings[1].kind, FindingKind::kSlowQuery);
  EXPECT_TRUE(probed.inconclusive);
  EXPECT_EQ(probed.notes.back(), "run delta: eviction");
}

}  // namespace
}  // namespace perfgate
