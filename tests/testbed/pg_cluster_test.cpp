#include "testbed/pg_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/child_processes.h"
#include "support/temp_dir.h"

namespace perfgate {
namespace {

bool process_exists(long pid) { return kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH; }

std::unique_ptr<PgCluster> start_or_fail() {
  auto cluster = PgCluster::start();
  EXPECT_TRUE(cluster.ok()) << (cluster.ok() ? "" : cluster.error().message);
  if (!cluster.ok()) return nullptr;
  return std::move(cluster).value();
}

TEST(PgCluster, RecordsQueriesInPgStatStatementsAndSupportsHypotheticalIndexes) {
  auto cluster = start_or_fail();
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(
      cluster->psql("create table t(a int, b text); insert into t select g, 'x' from generate_series(1, 1000) g;")
          .ok());
  ASSERT_TRUE(cluster->psql("select pg_stat_statements_reset()").ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cluster->psql("select count(*) from t where a = " + std::to_string(i)).ok());

  auto calls = cluster->psql(
      "select coalesce(sum(calls), 0) from pg_stat_statements where query like 'select count(*) from t where a = %'");
  ASSERT_TRUE(calls.ok()) << calls.error().message;
  EXPECT_EQ(*calls, "3");

  // Hypothetical indexes live in the session, so creating and using one is a single psql call.
  auto plan = cluster->psql(
      "analyze t; select indexname from hypopg_create_index('create index on t(a)'); "
      "explain select * from t where a = 5");
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_NE(plan->find("Index Scan using \"<"), std::string::npos) << *plan;
  EXPECT_NE(plan->find("btree_t_a"), std::string::npos) << *plan;
}

TEST(PgCluster, StopKillsTheServerAndRemovesItsDirectoryAndIsIdempotent) {
  auto cluster = start_or_fail();
  ASSERT_NE(cluster, nullptr);
  const long pid = cluster->pid();
  const std::string dir = cluster->root_dir();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(process_exists(pid));
  ASSERT_TRUE(std::filesystem::exists(dir + "/data/PG_VERSION"));

  cluster->stop();
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_EQ(cluster->pid(), 0);
  cluster->stop();
  EXPECT_FALSE(cluster->psql("select 1").ok());
}

TEST(PgCluster, DestructionStopsTheServer) {
  long pid = 0;
  std::string dir;
  {
    auto cluster = start_or_fail();
    ASSERT_NE(cluster, nullptr);
    pid = cluster->pid();
    dir = cluster->root_dir();
  }
  EXPECT_FALSE(process_exists(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(PgCluster, TwoClustersRunSideBySideOnDifferentPorts) {
  auto first = start_or_fail();
  auto second = start_or_fail();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(first->port(), second->port());
  EXPECT_NE(first->root_dir(), second->root_dir());
  ASSERT_TRUE(first->psql("create table only_in_first(x int)").ok());
  EXPECT_TRUE(first->psql("select count(*) from only_in_first").ok());
  EXPECT_FALSE(second->psql("select count(*) from only_in_first").ok());
  EXPECT_EQ(*second->psql("show port"), std::to_string(second->port()));
}

TEST(PgCluster, SigtermToTheOwnerStopsItsClustersAndRemovesTheirDirectories) {
  int report[2];
  ASSERT_EQ(pipe(report), 0);
  const pid_t owner = fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    install_child_cleanup_on_signals();
    auto cluster = PgCluster::start();
    if (!cluster.ok()) _exit(1);
    const std::string line = std::to_string((*cluster)->pid()) + " " + (*cluster)->root_dir() + "\n";
    if (write(report[1], line.data(), line.size()) < 0) _exit(1);
    for (;;) pause();
  }
  close(report[1]);
  std::string line;
  char c = 0;
  while (read(report[0], &c, 1) == 1 && c != '\n') line += c;
  close(report[0]);
  ASSERT_FALSE(line.empty()) << "the owner process could not start a cluster";
  const long server_pid = std::stol(line);
  const std::string dir = line.substr(line.find(' ') + 1);
  ASSERT_TRUE(process_exists(server_pid));

  kill(owner, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(owner, &status, 0), owner);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_FALSE(process_exists(server_pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// initdb takes seconds; a SIGTERM while it fills the cluster's directory used to leave that
// directory in /tmp (it was registered for cleanup only once the server started).
TEST(PgCluster, SigtermDuringInitdbLeavesNoDirectoryBehind) {
  const testing::TempDir temp("initdb-test");
  const std::string parent = temp.path().string();
  chmod(parent.c_str(), 0755);  // the cluster's directory is handed to the postgres user
  const pid_t owner = fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    setenv("TMPDIR", parent.c_str(), 1);
    install_child_cleanup_on_signals();
    auto cluster = PgCluster::start();
    _exit(cluster.ok() ? 0 : 1);
  }
  // Wait until initdb has begun writing the data directory (bounded: the owner may also finish).
  bool seen = false;
  for (int i = 0; i < 60000 && !seen; ++i) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
      seen = seen || std::filesystem::exists(entry.path() / "data", ec);
    }
    if (!seen) usleep(1000);
  }
  EXPECT_TRUE(seen) << "initdb never started";
  kill(owner, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(owner, &status, 0), owner);
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(parent)) left.push_back(entry.path().string());
  EXPECT_TRUE(left.empty()) << left.front();
}

TEST(PgCluster, MissingBinariesAreReportedAsUnavailableNamingThePackage) {
  PgClusterOptions options;
  options.bin_dir = "/nonexistent/postgresql/bin";
  auto cluster = PgCluster::start(options);
  ASSERT_FALSE(cluster.ok());
  EXPECT_EQ(cluster.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(cluster.error().message.find("postgresql-15"), std::string::npos) << cluster.error().message;
}

TEST(PgCluster, ExtraSettingsReachTheServer) {
  PgClusterOptions options;
  options.settings["work_mem"] = "7MB";
  options.max_connections = 42;
  auto cluster = PgCluster::start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  EXPECT_EQ(*(*cluster)->psql("show work_mem"), "7MB");
  EXPECT_EQ(*(*cluster)->psql("show max_connections"), "42");
  EXPECT_EQ(*(*cluster)->psql("show pg_stat_statements.track"), "all");
  EXPECT_EQ(*(*cluster)->psql("show listen_addresses"), "127.0.0.1");
}

}  // namespace
}  // namespace perfgate
