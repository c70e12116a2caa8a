// The built `perfgate analyze` binary against a real PostgreSQL: output file, exit codes, redaction.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "analyzers/pg_fixture.h"
#include "core/findings.h"

namespace perfgate {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string output;
};

CommandRun perfgate(const std::string& args) {
  CommandRun r;
  FILE* p = popen((std::string(PERFGATE_BINARY) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

using AnalyzeCommand = testing::PgFixture;

TEST_F(AnalyzeCommand, WritesFindingsAndExitsZeroWhateverItFinds) {
  sql("SELECT * FROM orders WHERE customer_id = 7");
  const auto out =
      (std::filesystem::temp_directory_path() / ("perfgate_findings_" + std::to_string(getpid()) + ".json")).string();
  const CommandRun r = perfgate("analyze --aggregate --pg '" + cluster_->dsn() + " password=hunter2' --out " + out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("missing_index"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("hunter2"), std::string::npos) << r.output;
  auto f = read_findings(out);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->source, "aggregate");
  EXPECT_NE(f->database.find("password=***"), std::string::npos) << f->database;
  std::filesystem::remove(out);
}

TEST_F(AnalyzeCommand, ADatabaseAloneIsAnalysedAsAWorkloadSayingEndpointsNeedProbes) {
  sql("SELECT * FROM orders WHERE customer_id = 8");
  const CommandRun r = perfgate("analyze --pg '" + cluster_->dsn() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(aggregate)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("missing_index"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("attributing findings to endpoints needs probes"), std::string::npos) << r.output;
}

TEST_F(AnalyzeCommand, ExitsTwoOnBadInputAndThreeWhenTheDatabaseIsUnreachable) {
  EXPECT_EQ(perfgate("analyze --pg '" + cluster_->dsn() + "' --aggregate --probe-url http://127.0.0.1:1/x").exit_code,
            2);
  EXPECT_EQ(perfgate("analyze --pg '" + cluster_->dsn() + "' --probe-url http://127.0.0.1:1/x --requests 0").exit_code,
            2);
  EXPECT_EQ(perfgate("analyze --pg '" + cluster_->dsn() + "' --probe-url http://127.0.0.1:1/x?a=1 --scale-param limit")
                .exit_code,
            2);
  const CommandRun down =
      perfgate("analyze --aggregate --pg 'host=127.0.0.1 port=1 password=hunter2 connect_timeout=2'");
  EXPECT_EQ(down.exit_code, 3) << down.output;
  EXPECT_EQ(down.output.find("hunter2"), std::string::npos) << down.output;
}

}  // namespace
}  // namespace perfgate
