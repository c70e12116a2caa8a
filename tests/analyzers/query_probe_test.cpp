#include "analyzers/query_probe.h"

#include <gtest/gtest.h>

#include <map>

#include "analyzers/fake_database.h"

namespace perfgate {
namespace {

using testing::stmt;

// A fake database where each GET of a URL adds the statements that URL's handler would run.
class FakeApp : public StatsSource, public HttpGetter {
 public:
  Result<StatsSnapshot> snapshot() override {
    StatsSnapshot s;
    for (const auto& [id, st] : totals_) s.statements.push_back(st);
    // Background noise that also happens with no requests: must be subtracted out.
    background_ += 1;
    s.statements.push_back(stmt("bg", "SELECT 1", background_, background_));
    // Work still draining from an earlier load runs the handler's statements between snapshots.
    if (!leftover.empty()) {
      add("c", "SELECT name FROM customers WHERE id = $1", leftover.front(), leftover.front());
      leftover.erase(leftover.begin());
    }
    return s;
  }
  std::vector<int64_t> leftover;  ///< calls of "c" appearing after each snapshot, then none
  Result<Schema> schema() override { return Schema{}; }
  Result<int> get(const std::string& url) override {
    ++gets;
    if (url.find("down") != std::string::npos) return unavailable(url + ": Connection refused");
    const int limit = url.find("limit=20") != std::string::npos ? 20 : 10;
    add("p", "SELECT id FROM orders LIMIT $1", 1, limit);
    add("c", "SELECT name FROM customers WHERE id = $1", limit, limit);
    return 200;
  }
  int gets = 0;

 private:
  void add(const std::string& id, const std::string& q, int64_t calls, int64_t rows) {
    auto& s = totals_[id];
    s.query_id = id;
    s.query = q;
    s.calls += calls;
    s.rows += rows;
  }
  std::map<std::string, StatementStats> totals_;
  int64_t background_ = 0;
};

TEST(ScaleUrl, MultipliesTheNamedParameterOnly) {
  EXPECT_EQ(*scale_url("http://h/a?x=1&limit=10&y=2", "limit", 2), "http://h/a?x=1&limit=20&y=2");
  EXPECT_EQ(*scale_url("http://h/a?limit=10", "limit", 2), "http://h/a?limit=20");
  EXPECT_FALSE(scale_url("http://h/a?mylimit=10", "limit", 2).ok());
  EXPECT_FALSE(scale_url("http://h/a?limit=abc", "limit", 2).ok());
}

TEST(ProbeEndpoints, AttributesStatementsPerEndpointMinusTheIdleBaseline) {
  FakeApp app;
  ProbeOptions o;
  o.urls = {"http://127.0.0.1:1/orders?limit=10"};
  o.requests = 4;
  o.scale_param = "limit";
  o.idle_window = std::chrono::milliseconds(0);
  auto w = probe_endpoints(app, app, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 1u);
  const Workload& x = (*w)[0];
  EXPECT_EQ(x.endpoint, "GET /orders?limit=10");
  EXPECT_EQ(x.requests, 4);
  ASSERT_EQ(x.delta.statements.size(), 2u);
  for (const auto& s : x.delta.statements) EXPECT_EQ(s.calls, s.query_id == "c" ? 40 : 4);
  ASSERT_TRUE(x.scaled_delta.has_value());
  for (const auto& s : x.scaled_delta->statements) {
    if (s.query_id == "c") {
      EXPECT_EQ(s.calls, 80);
    }
  }
  EXPECT_EQ(app.gets, 8);
}

// Requests a server still served after a load (the demo probes right after its "before" run) ran
// the N+1 lookup during the idle window; subtracted as background, they made 101 queries per
// request read 98.9. The idle baseline is taken once the leftovers have drained.
TEST(ProbeEndpoints, WorkLeftOverFromALoadIsNotTakenForBackground) {
  FakeApp app;
  app.leftover = {21, 5, 0, 0};
  ProbeOptions o;
  o.urls = {"http://127.0.0.1:1/orders?limit=10"};
  o.requests = 4;
  o.idle_window = std::chrono::milliseconds(0);
  auto w = probe_endpoints(app, app, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 1u);
  for (const auto& s : (*w)[0].delta.statements) EXPECT_EQ(s.calls, s.query_id == "c" ? 40 : 4) << s.query_id;

  FakeApp busy;  // never settles: the last window is the baseline, and the probe still ends
  busy.leftover = std::vector<int64_t>(100000, 1);
  for (int i = 0; i < 100000; ++i) busy.leftover[static_cast<size_t>(i)] = i % 3;
  o.settle_timeout = std::chrono::milliseconds(50);
  EXPECT_TRUE(probe_endpoints(busy, busy, o).ok());
}

TEST(ProbeEndpointName, IsTheMethodAndPathWithQueryWithoutSchemeHostPortOrFragment) {
  EXPECT_EQ(probe_endpoint_name("http://127.0.0.1:36081/reports/sales?limit=50"), "GET /reports/sales?limit=50");
  EXPECT_EQ(probe_endpoint_name("https://[::1]:8443/a/b#top"), "GET /a/b");
  EXPECT_EQ(probe_endpoint_name("http://localhost:8080"), "GET /");
  EXPECT_EQ(probe_endpoint_name("http://localhost:8080?x=1"), "GET /?x=1");
}

TEST(ProbeEndpoints, TakesGivenNamesAndNamesTheEndpointInEveryNote) {
  FakeApp app;
  ProbeOptions o;
  o.urls = {"http://127.0.0.1:1/orders?limit=10", "http://127.0.0.1:1/other"};
  o.names = {"orders.list"};
  o.requests = 2;
  o.scale_param = "limit";
  o.idle_window = std::chrono::milliseconds(0);
  auto w = probe_endpoints(app, app, o);
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ((*w)[0].endpoint, "orders.list");
  EXPECT_EQ((*w)[1].endpoint, "GET /other");
  EXPECT_EQ((*w)[1].delta.note, "GET /other: not probed at a second scale: no 'limit=' parameter");
}

TEST(ProbeEndpoints, FailsNamingTheUrlWhenEveryRequestFails) {
  FakeApp app;
  ProbeOptions o;
  o.urls = {"http://127.0.0.1:1/down"};
  o.requests = 2;
  o.idle_window = std::chrono::milliseconds(0);
  auto w = probe_endpoints(app, app, o);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(w.error().message.find("/down"), std::string::npos);
}

TEST(ProbeEndpoints, RejectsBadOptions) {
  ProbeOptions o;
  EXPECT_FALSE(validate_probe_options(o).ok());
  o.urls = {"ftp://x"};
  EXPECT_FALSE(validate_probe_options(o).ok());
  o.urls = {"http://127.0.0.1/x"};
  o.requests = 0;
  EXPECT_FALSE(validate_probe_options(o).ok());
  o.requests = 1;
  o.scale_param = "limit";
  EXPECT_EQ(validate_probe_options(o).error().code, ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace perfgate
