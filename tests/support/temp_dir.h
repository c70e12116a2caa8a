#pragma once
// Temporary directories for tests. Each is created fresh under $TMPDIR (std::filesystem::
// temp_directory_path, /tmp when unset) as perfgate-WHAT-XXXXXX and removed with everything in it
// when its owner goes away, on every path out of a test (a failed ASSERT, an exception), and by the
// child-process registry on SIGINT/SIGTERM (a ctest timeout) where its handlers are installed
// (TempDirTest installs them). The suite leaves no perfgate-* entry behind: scripts/dev.sh test
// runs it with a fresh TMPDIR and checks.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "core/child_processes.h"

namespace perfgate::testing {

/// A new, empty directory $TMPDIR/perfgate-WHAT-XXXXXX, removed recursively by the destructor.
/// Movable, not copyable. Throws std::runtime_error when it cannot be created.
class TempDir {
 public:
  explicit TempDir(std::string_view what = "test") {
    // A file name has at most 255 bytes; a test's name can be long.
    std::string name = "perfgate-" + std::string(what.substr(0, 120)) + "-";
    std::replace(name.begin(), name.end(), '/', '_');  // a parameterised test is "Name/3"
    std::string pattern = (std::filesystem::temp_directory_path() / (name + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    }
    path_ = pattern;
    slot_ = register_directory(pattern);
  }
  ~TempDir() { remove(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})), slot_(std::exchange(other.slot_, -1)) {}
  TempDir& operator=(TempDir&& other) noexcept {
    if (this != &other) {
      remove();
      path_ = std::exchange(other.path_, {});
      slot_ = std::exchange(other.slot_, -1);
    }
    return *this;
  }

  /// The directory.
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  /// `name` inside the directory, as a string (the file need not exist).
  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  void remove() noexcept {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
    unregister_directory(slot_);
    slot_ = -1;
  }
  std::filesystem::path path_;
  int slot_ = -1;  // in the child-process registry's table of directories
};

/// The current test's name ("Suite.Name", '/' of parameterised tests as '_'), for directory names.
inline std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? "test" : std::string(info->test_suite_name()) + "." + info->name();
}

/// A fixture with a fresh temporary directory per test (dir_), removed after the test, or on
/// SIGINT/SIGTERM (it installs the registry's handlers).
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    install_child_cleanup_on_signals();
    temp_ = std::make_unique<TempDir>(current_test_name());
    dir_ = temp_->path();
  }
  void TearDown() override { temp_.reset(); }
  /// `name` inside the test's directory, as a string.
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;

 private:
  std::unique_ptr<TempDir> temp_;
};

}  // namespace perfgate::testing
