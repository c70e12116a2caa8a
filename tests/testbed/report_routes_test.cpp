#include <gtest/gtest.h>

#include <string>

#include "service_fixture.h"

namespace perfgate {
namespace {

using nlohmann::json;
using testing::client_for;
using testing::shared_cluster;
using testing::start_service;

// Calls recorded by pg_stat_statements for the service's statements (psql's own query mentions
// pg_stat_statements and is excluded).
long statement_calls(const std::string& query_like) {
  auto calls = shared_cluster()->psql("select coalesce(sum(calls), 0) from pg_stat_statements where query like '" +
                                      query_like + "' and query not like '%pg_stat_statements%'");
  EXPECT_TRUE(calls.ok()) << calls.error().message;
  return calls.ok() ? std::stol(*calls) : -1;
}

TEST(ReportRoutes, SalesReportIssuesOneUserAndOneProductLookupPerRowWhileTheFixedOneIssuesOneStatement) {
  auto service = start_service();
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);

  ASSERT_TRUE(shared_cluster()->psql("select pg_stat_statements_reset()").ok());
  auto slow = client.Get("/reports/sales?limit=20");
  ASSERT_TRUE(slow);
  ASSERT_EQ(slow->status, 200) << slow->body;
  EXPECT_EQ(statement_calls("select id, name, email from users where id = $1"), 20);
  EXPECT_EQ(statement_calls("select id, name, category, price from products where id = $1"), 20);
  EXPECT_EQ(statement_calls("%"), 41);

  ASSERT_TRUE(shared_cluster()->psql("select pg_stat_statements_reset()").ok());
  auto fixed = client.Get("/reports/sales-fixed?limit=20");
  ASSERT_TRUE(fixed);
  ASSERT_EQ(fixed->status, 200) << fixed->body;
  EXPECT_EQ(statement_calls("%"), 1);

  EXPECT_EQ(slow->body, fixed->body);
  EXPECT_EQ(json::parse(fixed->body)["count"], 20);
}

TEST(ReportRoutes, RegionReportSeqScansAnUnindexedColumnWhileTheUserReportUsesAnIndex) {
  auto service = start_service();
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  auto by_region = client.Get("/reports/by-region?region=region-07");
  auto by_user = client.Get("/reports/by-user?user_id=7");
  ASSERT_TRUE(by_region && by_user);
  ASSERT_EQ(by_region->status, 200) << by_region->body;
  ASSERT_EQ(by_user->status, 200) << by_user->body;
  EXPECT_GT(json::parse(by_region->body)["count"].get<long>(), 0);
  EXPECT_GT(json::parse(by_user->body)["count"].get<long>(), 0);

  auto region_plan = shared_cluster()->psql("explain select count(*) from transactions where region = 'region-07'");
  auto user_plan = shared_cluster()->psql("explain select count(*) from transactions where user_id = 7");
  ASSERT_TRUE(region_plan.ok() && user_plan.ok());
  EXPECT_NE(region_plan->find("Seq Scan on transactions"), std::string::npos) << *region_plan;
  EXPECT_NE(user_plan->find("transactions_user_id_idx"), std::string::npos) << *user_plan;
}

TEST(ReportRoutes, PlainEndpointsAnswerWithJson) {
  auto service = start_service();
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  for (const char* path : {"/health", "/ready", "/capacity", "/users/3", "/sprints/2", "/queues/generate", "/stats"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    EXPECT_TRUE(json::accept(res->body)) << path;
  }
  EXPECT_EQ(client.Get("/users/999999")->status, 404);
  EXPECT_EQ(client.Get("/reports/sales?limit=abc")->status, 400);

  auto token = json::parse(client.Get("/auth/token?user_id=42")->body)["token"].get<std::string>();
  auto valid = client.Get("/auth/validate", httplib::Headers{{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->status, 200);
  EXPECT_EQ(json::parse(valid->body)["user_id"], 42);
  EXPECT_EQ(client.Get("/auth/validate", httplib::Headers{{"Authorization", "Bearer tok-42-1"}})->status, 401);
}

TEST(ReportRoutes, DelayKnobHoldsReportResponsesBack) {
  auto service = start_service({"--delay-ms", "300"});
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  // Wall-clock is only used to see that the knob is applied at all, with a wide margin.
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(client.Get("/reports/by-user?user_id=3")->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

// Each statement waits out the round trip before it is sent: an N+1 page of 5 rows (11 statements)
// takes at least 11 round trips, the JOIN of the same page one. Lower bounds only: a sleep never
// ends early, so this cannot flake on a loaded machine.
TEST(ReportRoutes, DbLatencyKnobAddsOneRoundTripPerStatement) {
  auto service = start_service({"--db-latency-ms", "25"});
  ASSERT_NE(service, nullptr);
  auto client = client_for(*service);
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(client.Get("/reports/sales?limit=5")->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(11 * 25));
  started = std::chrono::steady_clock::now();
  ASSERT_EQ(client.Get("/health")->status, 200);
  EXPECT_EQ(client.Get("/reports/sales-fixed?limit=5")->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(25));
}

// --fixed serves the same endpoint names with their fixes: the sales page from one statement, the
// region filter on the index it creates, the export streamed in chunks; the bodies are the ones the
// pathological implementations answer. Its own database, so the index does not reach the other tests.
TEST(ReportRoutes, FixedServiceAnswersTheSameBodiesFromOneStatementAnIndexAndAStream) {
  ASSERT_NE(shared_cluster(), nullptr);
  ASSERT_TRUE(shared_cluster()->psql("create database fixed_service", "postgres").ok());
  auto before = start_service({}, "fixed_service", 0.1);
  ASSERT_NE(before, nullptr);
  auto before_client = client_for(*before);
  auto slow_sales = before_client.Get("/reports/sales?limit=20");
  auto whole_export = before_client.Get("/reports/export?rows=2500");
  ASSERT_TRUE(slow_sales && whole_export);
  ASSERT_EQ(whole_export->status, 200) << whole_export->body;
  EXPECT_FALSE(whole_export->has_header("Transfer-Encoding"));
  before->stop();

  auto fixed = start_service({"--fixed"}, "fixed_service", 0.1);
  ASSERT_NE(fixed, nullptr);
  auto client = client_for(*fixed);
  ASSERT_TRUE(shared_cluster()->psql("select pg_stat_statements_reset()").ok());
  auto sales = client.Get("/reports/sales?limit=20");
  ASSERT_TRUE(sales);
  ASSERT_EQ(sales->status, 200) << sales->body;
  EXPECT_EQ(statement_calls("%"), 1);
  EXPECT_EQ(sales->body, slow_sales->body);

  // 2,500 rows are one 10,000-row chunk; 25,000 (more than the 20,000 the 0.1-scale table holds)
  // are two, and the document still parses with the table's row count.
  auto streamed = client.Get("/reports/export?rows=2500");
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200) << streamed->body;
  EXPECT_EQ(streamed->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(streamed->body, whole_export->body);
  auto all = client.Get("/reports/export?rows=25000");
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200);
  const json document = json::parse(all->body);
  EXPECT_EQ(document["count"], 20000);
  EXPECT_EQ(document["rows"].size(), 20000u);
  EXPECT_EQ(document["rows"][19999]["id"], 20000);
  const json stats = json::parse(client.Get("/stats")->body);
  EXPECT_EQ(stats["exports_streamed"], 2);
  EXPECT_EQ(stats["exports_in_memory"], 0);

  auto plan =
      shared_cluster()->psql("explain select count(*) from transactions where region = 'region-07'", "fixed_service");
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_NE(plan->find("transactions_region_idx"), std::string::npos) << *plan;
}

}  // namespace
}  // namespace perfgate
