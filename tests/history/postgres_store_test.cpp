#include <gtest/gtest.h>

#include <thread>

#include "core/child_processes.h"
#include "core/run_result_io.h"
#include "history/history_entry.h"
#include "history/store.h"
#include "testbed/pg_cluster.h"

namespace perfgate {
namespace {

class PostgresStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    install_child_cleanup_on_signals();
    PgClusterOptions options;
    options.create_extensions = false;
    auto started = PgCluster::start(options);
    ASSERT_TRUE(started.ok()) << started.error().message;
    cluster_ = std::move(started).value().release();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  static PgCluster* cluster_;
};
PgCluster* PostgresStoreTest::cluster_ = nullptr;

TEST_F(PostgresStoreTest, CreatesItsTableOnFirstUseAndAppendsFromTwoRunnersAtOnce) {
  ASSERT_NE(cluster_, nullptr);
  {
    auto reader = open_history_store(cluster_->uri());
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    auto empty = (*reader)->list("", WithResults::kNo);
    ASSERT_TRUE(empty.ok()) << empty.error().message;  // no table yet: an empty history, nothing created
    EXPECT_TRUE(empty->empty());
  }
  EXPECT_EQ(*cluster_->psql("select count(*) from pg_namespace where nspname = 'perfgate_history'"), "0");
  // Two runners whose first append races on CREATE SCHEMA/TABLE.
  std::vector<std::thread> writers;
  std::vector<std::string> errors(2);
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([w, &errors] {
      auto store = open_history_store(cluster_->uri());
      if (!store) {
        errors[w] = store.error().message;
        return;
      }
      for (uint64_t i = 0; i < 5; ++i) {
        auto id =
            (*store)->append(testing::synthetic_entry(static_cast<uint64_t>(w) * 10 + i, w == 0 ? "main" : "feature"));
        if (!id) errors[w] = id.error().message;
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  auto store = open_history_store(cluster_->uri());
  ASSERT_TRUE(store.ok());
  auto main = (*store)->list("main", WithResults::kYes);
  ASSERT_TRUE(main.ok()) << main.error().message;
  ASSERT_EQ(main->size(), 5u);
  for (size_t i = 1; i < main->size(); ++i) EXPECT_GT((*main)[i].summary.id, (*main)[i - 1].summary.id);
  EXPECT_EQ((*main)[0].summary.branch, "main");
  EXPECT_TRUE(run_result_from_json((*main)[0].result_json, "row").ok());
  EXPECT_EQ((*store)->list("", WithResults::kNo)->size(), 10u);
}

TEST_F(PostgresStoreTest, ACorruptRowIsNamed) {
  ASSERT_NE(cluster_, nullptr);
  auto store = open_history_store(cluster_->uri());
  ASSERT_TRUE(store.ok());
  auto id = (*store)->append(testing::synthetic_entry(99, "corrupt"));
  ASSERT_TRUE(id.ok()) << id.error().message;
  ASSERT_TRUE(
      cluster_->psql("update perfgate_history.runs set summary = '{\"id\": 1}' where id = " + std::to_string(*id))
          .ok());
  auto listed = (*store)->list("corrupt", WithResults::kNo);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(listed.error().message.find("row id=" + std::to_string(*id)), std::string::npos) << listed.error().message;
}

}  // namespace
}  // namespace perfgate
