// Probing a real HTTP service (cpp-httplib on loopback) backed by a real PostgreSQL: one endpoint
// with an N+1 plus fixed lookups, one with the batched fix.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "analyzers/pg_fixture.h"
#include "analyzers/query_session.h"

namespace perfgate {
namespace {

class ReportService {
 public:
  explicit ReportService(const std::string& dsn) : db_(dsn) {
    server_.Get("/orders", [this](const httplib::Request& req, httplib::Response& res) { orders(req, res, false); });
    server_.Get("/lazy", [this](const httplib::Request& req, httplib::Response& res) { lazy(req, res); });
    server_.Get("/batched", [this](const httplib::Request& req, httplib::Response& res) { orders(req, res, true); });
    // Bound and listening here, so requests queue until the accept loop runs.
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~ReportService() {
    server_.stop();
    thread_.join();
  }
  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  void orders(const httplib::Request& req, httplib::Response& res, bool batched) {
    const int limit = std::stoi(req.get_param_value("limit"));
    std::lock_guard lock(mutex_);
    pqxx::nontransaction tx(db_);
    const auto rows = tx.exec_params("SELECT id, customer_id FROM orders ORDER BY id LIMIT $1", limit);
    std::string body, ids;
    if (batched) {
      for (const auto& r : rows) ids += (ids.empty() ? "" : ",") + r[1].as<std::string>();
      for (const auto& c : tx.exec_params("SELECT name FROM customers WHERE id = ANY($1::int[])", "{" + ids + "}")) {
        body += c[0].as<std::string>() + "\n";
      }
    } else {
      for (const auto& r : rows) {
        body +=
            tx.exec_params("SELECT name FROM customers WHERE id = $1", r[1].as<int>())[0][0].as<std::string>() + "\n";
      }
    }
    // A fixed number of lookups per request whatever the page size: not an N+1.
    for (int id = 1; id <= 6; ++id) tx.exec_params("SELECT code FROM tiny WHERE id = $1", id);
    tx.exec("SELECT count(*) FROM tiny");
    res.set_content(body, "text/plain");
  }

  // A view lazy-loading two associations of each row, as an ORM does: two N+1s, not one.
  void lazy(const httplib::Request& req, httplib::Response& res) {
    const int limit = std::stoi(req.get_param_value("limit"));
    std::lock_guard lock(mutex_);
    pqxx::nontransaction tx(db_);
    std::string body;
    for (const auto& r : tx.exec_params("SELECT id, customer_id FROM orders ORDER BY id LIMIT $1", limit)) {
      body += tx.exec_params("SELECT name FROM customers WHERE id = $1", r[1].as<int>())[0][0].as<std::string>();
      body +=
          tx.exec_params("SELECT sku FROM order_items WHERE id = $1", r[0].as<int>())[0][0].as<std::string>() + "\n";
    }
    res.set_content(body, "text/plain");
  }

  pqxx::connection db_;
  std::mutex mutex_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

using QueryProbe = testing::PgFixture;

TEST_F(QueryProbe, ConfirmsTheNPlusOneAtTwoScalesAndClearsTheBatchedAndConstantLookups) {
  ReportService service(cluster_->dsn());
  AnalyzeRequest r;
  r.dsn = cluster_->dsn();
  r.probe.urls = {service.url("/orders?limit=10"), service.url("/batched?limit=10")};
  r.probe.requests = 5;
  r.probe.scale_param = "limit";
  r.probe.idle_window = std::chrono::milliseconds(50);
  auto f = analyze_database(r);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->source, "probe");
  std::vector<Finding> n1;
  for (const auto& x : f->findings) {
    if (x.kind == FindingKind::kNPlusOne) n1.push_back(x);
  }
  ASSERT_EQ(n1.size(), 1u) << findings_summary(*f);
  EXPECT_EQ(n1[0].endpoint, "GET /orders?limit=10");
  EXPECT_EQ(n1[0].table, "customers");
  EXPECT_EQ(n1[0].columns, std::vector<std::string>{"id"});
  EXPECT_DOUBLE_EQ(n1[0].calls_per_request, 10);
  EXPECT_EQ(n1[0].confidence, Confidence::kConfirmed) << findings_summary(*f);
  EXPECT_DOUBLE_EQ(n1[0].evidence.at("parent_rows_per_request"), 10);
  EXPECT_DOUBLE_EQ(f->queries_per_request.at("GET /orders?limit=10"), 18);
  EXPECT_DOUBLE_EQ(f->queries_per_request.at("GET /batched?limit=10"), 9);
  EXPECT_FALSE(f->inconclusive);
}

TEST_F(QueryProbe, ALazyViewOfTwoAssociationsIsTwoConfirmedNPlusOnesEachWithItsTableAndFix) {
  ReportService service(cluster_->dsn());
  AnalyzeRequest r;
  r.dsn = cluster_->dsn();
  r.probe.urls = {service.url("/lazy?limit=200")};
  r.probe.requests = 3;
  r.probe.scale_param = "limit";
  r.probe.idle_window = std::chrono::milliseconds(50);
  auto f = analyze_database(r);
  ASSERT_TRUE(f.ok()) << f.error().message;
  std::map<std::string, Finding> by_table;
  for (const auto& x : f->findings) {
    if (x.kind == FindingKind::kNPlusOne) by_table[x.table] = x;
  }
  ASSERT_EQ(by_table.size(), 2u) << findings_summary(*f);
  for (const auto& [table, x] : by_table) {
    EXPECT_EQ(x.endpoint, "GET /lazy?limit=200");
    EXPECT_DOUBLE_EQ(x.calls_per_request, 200) << table;
    EXPECT_EQ(x.confidence, Confidence::kConfirmed) << findings_summary(*f);
    EXPECT_EQ(x.suggestion.find('\n'), std::string::npos);
    EXPECT_NE(x.suggestion.find("FROM " + table + " WHERE"), std::string::npos) << x.suggestion;
  }
  EXPECT_TRUE(by_table.contains("customers"));
  EXPECT_TRUE(by_table.contains("order_items"));
  EXPECT_EQ(by_table["order_items"].columns, std::vector<std::string>{"id"});
}

}  // namespace
}  // namespace perfgate
