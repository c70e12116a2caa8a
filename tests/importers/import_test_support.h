#pragma once
// A temporary directory per test for the importers' input files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "importers/scenario_import.h"
#include "scenarios/parser.h"

namespace perfgate::testing {

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("perfgate-import-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  // The imported scenario as JSON, after checking that the import succeeded and the scenario parser
  // accepts it; keeps its notes in notes_. A failure is a test failure and an empty JSON.
  nlohmann::json accepted(const Result<ImportedScenario>& imported) {
    EXPECT_TRUE(imported.ok()) << (imported.ok() ? "" : imported.error().message);
    if (!imported.ok()) return nlohmann::json();
    auto parsed = parse_scenario(imported->json_text, "imported.json");
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    notes_ = imported->notes;
    return nlohmann::json::parse(imported->json_text);
  }
  // The error message of an import that must fail.
  static std::string refused(const Result<ImportedScenario>& imported) {
    EXPECT_FALSE(imported.ok());
    return imported.ok() ? "" : imported.error().message;
  }
  std::filesystem::path dir_;
  std::vector<std::string> notes_;
};

}  // namespace perfgate::testing
