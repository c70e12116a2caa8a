// SIGINT and SIGTERM in the middle of a run stop it promptly and gracefully: the result is still
// written, marked partial, with what was measured up to the signal.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "core/run_result_io.h"
#include "loadgen/support/test_server.h"
#include "reliability/support/perfgate_process.h"

namespace perfgate {
namespace {

using std::chrono::milliseconds;

class Interrupt : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("perfgate-interrupt-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_P(Interrupt, StopsTheRunAndWritesAPartialResult) {
  testing::TestServerOptions so;
  so.delay = milliseconds(2);
  auto server = testing::TestServer::start(so);
  ASSERT_TRUE(server.ok());
  const std::string out = (dir_ / "partial.json").string();
  testing::PerfgateProcess p({"run", "--url", (*server)->url(), "--rate", "50", "--duration", "30s", "--timeout", "1s",
                              "--quiet", "--out", out},
                             dir_.string());
  std::this_thread::sleep_for(milliseconds(1200));
  p.send_signal(GetParam());
  const auto o = p.finish();
  EXPECT_FALSE(o.signalled) << "the first signal stops gracefully, it does not kill";
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_LT(o.wall, milliseconds(1200 + 1000 + 5000)) << "did not stop promptly";
  auto result = read_run_result(out);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result->partial);
  EXPECT_EQ(result->status, RunStatus::kPartial);
  EXPECT_GT(result->total_requests(), 20);
  EXPECT_LT(result->total_requests(), 500);
  EXPECT_EQ(result->total_errors(), 0);
}

INSTANTIATE_TEST_SUITE_P(Reliability, Interrupt, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& s) {
                           return s.param == SIGINT ? "Sigint" : "Sigterm";
                         });

}  // namespace
}  // namespace perfgate
