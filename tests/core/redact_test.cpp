#include "core/redact.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

TEST(RedactDsn, RemovesPasswordsInEveryLibpqForm) {
  EXPECT_EQ(redact_dsn("host=h password=s3cret dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(redact_dsn("host=h password='a b' user=u"), "host=h password=*** user=u");
  EXPECT_EQ(redact_dsn("host=h PASSWORD = s3cret"), "host=h PASSWORD = ***");
  EXPECT_EQ(redact_dsn("postgresql://bob:s3cret@127.0.0.1:5432/app"), "postgresql://bob:***@127.0.0.1:5432/app");
  EXPECT_EQ(redact_dsn("postgres://h/db?user=u&password=x"), "postgres://h/db?user=u&password=***");
  EXPECT_EQ(redact_dsn("host=127.0.0.1 port=5432 dbname=app"), "host=127.0.0.1 port=5432 dbname=app");
}

TEST(RedactUrl, DropsCredentialsFromTheAuthorityOnly) {
  EXPECT_EQ(redact_url("https://u:p@host:1/a@b"), "https://host:1/a@b");
  EXPECT_EQ(redact_url("http://u:p@host?next=a@b"), "http://host?next=a@b");
  EXPECT_EQ(redact_url("http://host/path?mail=a@b"), "http://host/path?mail=a@b");
  EXPECT_EQ(redact_url("http://host/path"), "http://host/path");
  EXPECT_EQ(redact_url("not a url @ all"), "not a url @ all");
}

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
}  // namespace perfgate
