#include "cli/run_summary.h"

#include <gtest/gtest.h>

namespace perfgate::cli {
namespace {

TEST(RedactCommandLine, HidesCredentialHeadersUrlPasswordsAndSecretValues) {
  const std::string line = redact_command_line(
      {"perfgate", "run", "--url", "http://me:pw@127.0.0.1:8080/x?token=abc123", "-H", "Authorization: Bearer t0k",
       "-HCookie: sid=1", "--header", "X-Trace: keep", "--body", "key=abc123"},
      {"abc123"});
  EXPECT_EQ(line.find("t0k"), std::string::npos);
  EXPECT_EQ(line.find("sid=1"), std::string::npos);
  EXPECT_EQ(line.find("pw@"), std::string::npos);
  EXPECT_EQ(line.find("abc123"), std::string::npos);
  EXPECT_NE(line.find("'Authorization: [redacted]'"), std::string::npos);
  EXPECT_NE(line.find("'X-Trace: keep'"), std::string::npos);
  EXPECT_NE(line.find("http://127.0.0.1:8080/x?token=[redacted]"), std::string::npos);
}

}  // namespace
}  // namespace perfgate::cli
