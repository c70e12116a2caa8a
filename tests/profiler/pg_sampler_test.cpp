// Integration: the PostgreSQL sampler against a real throw-away cluster (a missing PostgreSQL fails).
#include "profiler/pg_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <pqxx/pqxx>
#include <thread>

#include "core/clock.h"
#include "profiler/profiler.h"
#include "testbed/pg_cluster.h"

namespace perfgate {
namespace {

using namespace std::chrono_literals;

class PgSamplerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto c = PgCluster::start();
    ASSERT_TRUE(c.ok()) << c.error().message;
    cluster_ = std::move(*c).release();
    ASSERT_TRUE(cluster_->psql("CREATE TABLE locked (id int)").ok());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static PgCluster* cluster_;
};
PgCluster* PgSamplerTest::cluster_ = nullptr;

// Samples until `done(sample)` holds (bounded: 10 s), returning the last sample.
template <typename Pred>
PgSample sample_until(PgSampler& sampler, Pred done) {
  PgSample last;
  for (int i = 0; i < 200; ++i) {
    auto s = sampler.sample(i);
    EXPECT_TRUE(s.ok()) << s.error().message;
    if (!s.ok()) break;
    last = *s;
    if (done(last)) break;
    usleep(50'000);
  }
  return last;
}

TEST_F(PgSamplerTest, SeesIdleIdleInTransactionAndLockWaitingConnectionsButNotItself) {
  ASSERT_NE(cluster_, nullptr);
  auto sampler = PgSampler::connect(cluster_->dsn());
  ASSERT_TRUE(sampler.ok()) << sampler.error().message;

  std::vector<std::unique_ptr<pqxx::connection>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<pqxx::connection>(cluster_->dsn()));
  pqxx::connection in_tx_conn(cluster_->dsn());
  pqxx::work in_tx(in_tx_conn);
  in_tx.exec("SELECT 1");
  pqxx::connection holder_conn(cluster_->dsn());
  pqxx::work holder(holder_conn);
  holder.exec("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE");
  std::thread waiter([dsn = cluster_->dsn()] {
    pqxx::connection conn(dsn);
    pqxx::work tx(conn);
    tx.exec("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE");
    tx.commit();
  });

  const PgSample s = sample_until(**sampler, [](const PgSample& x) { return x.waiting >= 1 && x.idle >= 3; });
  holder.abort();
  waiter.join();

  EXPECT_EQ(s.idle, 3);
  EXPECT_EQ(s.idle_in_transaction, 2);  // the open transaction and the lock holder
  EXPECT_EQ(s.waiting, 1);
  EXPECT_EQ(s.active, 1);  // the waiter is active, waiting on the lock
  EXPECT_EQ(s.total, 6);   // the sampler's own connection is excluded
  EXPECT_EQ(s.max_connections, 100);

  auto named = cluster_->psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'perfgate'");
  ASSERT_TRUE(named.ok()) << named.error().message;
  EXPECT_EQ(named->substr(0, 1), "1");
}

TEST_F(PgSamplerTest, OtherPerfgateConnectionsAreNotCountedAsTheApplications) {
  ASSERT_NE(cluster_, nullptr);
  pqxx::connection analyzer(cluster_->dsn() + " application_name=perfgate");
  pqxx::connection app(cluster_->dsn() + " application_name=app");
  auto sampler = PgSampler::connect(cluster_->dsn());
  ASSERT_TRUE(sampler.ok()) << sampler.error().message;
  // Backends of earlier tests may take a moment to exit, so wait for the count to settle.
  const PgSample s = sample_until(**sampler, [](const PgSample& x) { return x.total <= 1; });
  EXPECT_EQ(s.total, 1);
}

TEST_F(PgSamplerTest, ReportsCommitsAsPerIntervalDeltas) {
  ASSERT_NE(cluster_, nullptr);
  auto sampler = PgSampler::connect(cluster_->dsn());
  ASSERT_TRUE(sampler.ok()) << sampler.error().message;
  {
    pqxx::connection conn(cluster_->dsn());
    for (int i = 0; i < 25; ++i) {
      pqxx::work tx(conn);
      tx.exec("SELECT 1");
      tx.commit();
    }
  }
  // PostgreSQL publishes the counters with up to ~1 s delay, so deltas are summed until they arrive.
  int64_t commits = 0;
  sample_until(**sampler, [&](const PgSample& x) {
    commits += x.xact_commit;
    EXPECT_GE(x.xact_commit, 0);
    return commits >= 25;
  });
  EXPECT_GE(commits, 25);
  EXPECT_LT(commits, 25 + 250) << "deltas, not cumulative totals";
}

TEST_F(PgSamplerTest, ProfilerSamplesPostgresOnItsOwnInterval) {
  ASSERT_NE(cluster_, nullptr);
  pqxx::connection other(cluster_->dsn());
  ProfilerOptions o;
  o.pg_dsn = cluster_->dsn();
  o.pg_interval = 50ms;
  const Clock& clock = SteadyClock::instance();
  auto profiler = Profiler::start(o, clock, clock.now());
  ASSERT_TRUE(profiler.ok()) << profiler.error().message;
  for (int i = 0; i < 200 && (*profiler)->live().pg_connections < 1; ++i) usleep(10'000);
  const Profile p = (*profiler)->finish({}, 0);
  ASSERT_FALSE(p.postgres.empty());
  EXPECT_GE(p.summary.peak_pg_connections, 1);
  EXPECT_EQ(p.summary.max_connections, 100);
}

TEST(PgSampler, ReportsAnUnreachableServerAsUnavailableWithoutThePassword) {
  auto sampler = PgSampler::connect("host=127.0.0.1 port=1 user=x password=hunter2 connect_timeout=2");
  ASSERT_FALSE(sampler.ok());
  EXPECT_EQ(sampler.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(sampler.error().message.find("hunter2"), std::string::npos) << sampler.error().message;
}

}  // namespace
}  // namespace perfgate
