#pragma once
// A throw-away PostgreSQL with the analyzer's fixture schema, shared by a test suite.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "testbed/pg_cluster.h"

namespace perfgate::testing {

// Tables sized so that costing, not guessing, decides: unindexed foreign keys, a tiny table, a
// low-cardinality column, an index whose prefix covers a lookup, an invalid and a duplicate index.
inline constexpr const char* kFixtureSql = R"(
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, region text NOT NULL);
INSERT INTO customers (name, region) SELECT 'c' || g, (ARRAY['n','s','e','w'])[g % 4 + 1] FROM generate_series(1, 20000) g;
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers (id), status text NOT NULL,
                     created_at timestamptz NOT NULL, total numeric NOT NULL);
INSERT INTO orders (customer_id, status, created_at, total)
  SELECT g % 20000 + 1, (ARRAY['new','paid','shipped'])[g % 3 + 1], now() - g * interval '1 minute', g % 1000
  FROM generate_series(1, 100000) g;
CREATE TABLE order_items (id serial PRIMARY KEY, order_id int NOT NULL REFERENCES orders (id), sku text NOT NULL,
                          batch text NOT NULL, qty int NOT NULL);
INSERT INTO order_items (order_id, sku, batch, qty)
  SELECT g % 100000 + 1, 'sku' || g, 'b' || (g * 7), 1 FROM generate_series(1, 100000) g;
CREATE TABLE tiny (id int PRIMARY KEY, code text NOT NULL);
INSERT INTO tiny SELECT g, 'k' || g FROM generate_series(1, 20) g;
CREATE TABLE events (id serial PRIMARY KEY, account_id int NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO events (account_id, created_at) SELECT g % 5000, now() - g * interval '1 second' FROM generate_series(1, 50000) g;
CREATE INDEX events_account_created ON events (account_id, created_at);
CREATE INDEX events_account_dup ON events (account_id);
CREATE TABLE payments (id serial PRIMARY KEY, account_id int NOT NULL, ref text NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO payments (account_id, ref, created_at)
  SELECT g % 200, 'r' || g, now() - g * interval '1 second' FROM generate_series(1, 100000) g;
CREATE INDEX payments_ref_broken ON payments (ref);
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'payments_ref_broken'::regclass;
ANALYZE;
)";

/// Starts one cluster with the fixture for a whole suite; a missing PostgreSQL fails the suite.
class PgFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = PgCluster::start();
    ASSERT_TRUE(c.ok()) << c.error().message;
    cluster_ = std::move(c).value();
    auto r = cluster_->psql(kFixtureSql);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  static void TearDownTestSuite() { cluster_.reset(); }
  void SetUp() override { ASSERT_NE(cluster_, nullptr) << "PostgreSQL did not start"; }

  static void sql(const std::string& text) {
    auto r = cluster_->psql(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  static std::string query(const std::string& text) {
    auto r = cluster_->psql(text);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : "";
  }

  static inline std::unique_ptr<PgCluster> cluster_;
};

}  // namespace perfgate::testing
