#include "core/files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

namespace perfgate {
namespace {

namespace fs = std::filesystem;

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("perfgate-files-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FilesTest, WritesAtomicallyCreatingDirectoriesAndLeavingNoTempFiles) {
  const std::string path = (dir_ / "a" / "b" / "out.json").string();
  ASSERT_TRUE(write_file_atomically(path, "first").ok());
  ASSERT_TRUE(write_file_atomically(path, "second").ok());
  EXPECT_EQ(*read_file(path), "second");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "a" / "b")) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(FilesTest, FailedWriteLeavesThePreviousFileIntact) {
  const std::string path = (dir_ / "keep.json").string();
  ASSERT_TRUE(write_file_atomically(path, "good").ok());
  // A file-size limit makes the write fail even for root (EFBIG instead of SIGXFSZ).
  rlimit old_limit{};
  getrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, SIG_IGN);
  rlimit small{1024, old_limit.rlim_max};
  setrlimit(RLIMIT_FSIZE, &small);
  const Status s = write_file_atomically(path, std::string(64 * 1024, 'x'));
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, SIG_DFL);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_EQ(*read_file(path), "good");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(FilesTest, RenameOntoADirectoryFailsWithoutDebris) {
  const fs::path target = dir_ / "is-a-dir";
  fs::create_directories(target / "child");
  const Status s = write_file_atomically(target.string(), "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_NE(s.error().message.find(target.string()), std::string::npos);
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST_F(FilesTest, ReadingAMissingFileNamesItAsInputError) {
  auto r = read_file((dir_ / "nope.json").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().message.find("nope.json: cannot read"), std::string::npos);
}

}  // namespace
}  // namespace perfgate
