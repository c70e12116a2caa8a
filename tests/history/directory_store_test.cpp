#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/run_result_io.h"
#include "history/history_entry.h"
#include "history/store.h"

namespace perfgate {
namespace {

namespace fs = std::filesystem;

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("perfgate-history-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(DirectoryStoreTest, AppendsInOrderAndFiltersByBranch) {
  auto store = open_directory_store(dir_.string());
  EXPECT_TRUE(store->list("", WithResults::kNo)->empty());  // no directory yet: an empty history
  EXPECT_EQ(*store->append(testing::synthetic_entry(1, "main")), 1);
  EXPECT_EQ(*store->append(testing::synthetic_entry(2, "feature")), 2);
  EXPECT_EQ(*store->append(testing::synthetic_entry(3, "main")), 3);
  auto main = store->list("main", WithResults::kYes);
  ASSERT_TRUE(main.ok()) << main.error().message;
  ASSERT_EQ(main->size(), 2u);
  EXPECT_EQ((*main)[0].summary.id, 1);
  EXPECT_EQ((*main)[1].summary.commit, "sha3");
  EXPECT_FALSE((*main)[1].summary.recorded_at.empty());
  auto result = run_result_from_json((*main)[1].result_json, "stored");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->total_requests(), testing::make_run([] {
                                        testing::SyntheticRun s;
                                        s.seed = 3;
                                        s.seconds = 10;
                                        return s;
                                      }())
                                          .total_requests());
  EXPECT_EQ(store->list("", WithResults::kNo)->size(), 3u);
}

TEST_F(DirectoryStoreTest, TwoConcurrentWritersNeverCollideOrHalfWrite) {
  constexpr int kPerWriter = 15;
  // Entries of ~70 KiB each: far beyond what one O_APPEND write keeps whole.
  const HistoryEntry big = testing::synthetic_entry(7, "main", 200);
  ASSERT_GT(big.result_json.size(), 50'000u);  // PIPE_BUF is 4 KiB
  std::vector<pid_t> children;
  for (int w = 0; w < 2; ++w) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto store = open_directory_store(dir_.string());
      for (int i = 0; i < kPerWriter; ++i) {
        HistoryEntry e = big;
        e.summary.label = "writer" + std::to_string(w) + "-" + std::to_string(i);
        if (!store->append(e).ok()) ::_exit(1);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto store = open_directory_store(dir_.string());
  auto all = store->list("", WithResults::kYes);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u * kPerWriter);
  std::set<std::string> labels;
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].summary.id, static_cast<int64_t>(i + 1));
    EXPECT_EQ((*all)[i].result_json.size() > 40'000u, true);
    labels.insert((*all)[i].summary.label);
  }
  EXPECT_EQ(labels.size(), 2u * kPerWriter);  // every append landed once
  for (const auto& f : fs::directory_iterator(dir_))
    EXPECT_EQ(f.path().filename().string().find(".tmp-"), std::string::npos);
}

TEST_F(DirectoryStoreTest, ACorruptEntryIsNamedAndAnInterruptedWriteIsIgnored) {
  auto store = open_directory_store(dir_.string());
  ASSERT_TRUE(store->append(testing::synthetic_entry(1, "main")).ok());
  // What a writer killed before its rename leaves behind: a dot-named temporary file.
  std::ofstream(dir_ / ".00000002.json.tmp-abc123") << "{\"kind\": \"perfgate-hist";
  EXPECT_EQ(store->list("", WithResults::kNo)->size(), 1u);
  std::ofstream(dir_ / "00000002.json") << "{\"kind\": \"perfgate-history-entry\", \"id\": 2";
  auto listed = store->list("", WithResults::kNo);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(listed.error().message.find("00000002.json"), std::string::npos) << listed.error().message;
  EXPECT_NE(listed.error().message.find("remove or repair"), std::string::npos);
  std::ofstream(dir_ / "00000002.json", std::ios::trunc) << "{\"kind\": \"perfgate-history-entry\", \"id\": 2}";
  listed = store->list("", WithResults::kNo);
  ASSERT_FALSE(listed.ok());
  EXPECT_NE(listed.error().message.find("00000002.json: recorded_at"), std::string::npos) << listed.error().message;
}

TEST_F(DirectoryStoreTest, AStoreThatCannotBeCreatedFailsWithoutWritingAnything) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "not a directory";
  auto store = open_directory_store((dir_ / "file").string());
  auto id = store->append(testing::synthetic_entry(1, "main"));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kIo);
  EXPECT_NE(id.error().message.find("file"), std::string::npos);
  std::ifstream in(dir_ / "file");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "not a directory");
}

TEST(HistoryStoreSpec, PicksPostgresForAUriAndADirectoryOtherwise) {
  auto dir = open_history_store("some/dir");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ((*dir)->describe(), "directory some/dir");
  // Nothing listens on port 1: the store is unreachable, named without its password.
  auto pg = open_history_store("postgresql://u:secret@127.0.0.1:1/db?connect_timeout=2");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(pg.error().message.find("secret"), std::string::npos) << pg.error().message;
}

}  // namespace
}  // namespace perfgate
