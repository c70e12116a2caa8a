#include "core/units.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

using std::chrono::microseconds;

TEST(Units, ParsesDurationsUsersWrite) {
  EXPECT_EQ(*parse_duration("500ms"), microseconds(500'000));
  EXPECT_EQ(*parse_duration("15s"), microseconds(15'000'000));
  EXPECT_EQ(*parse_duration("1.5m"), microseconds(90'000'000));
  EXPECT_EQ(*parse_duration("1h30m"), microseconds(5'400'000'000));
  EXPECT_EQ(*parse_duration("250us"), microseconds(250));
}

TEST(Units, RejectsAmbiguousOrBrokenDurations) {
  for (const char* bad : {"", "15", "abc", "5 parsecs", "-3s", "1.2.3s"}) {
    auto r = parse_duration(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_NE(parse_duration("15").error().message.find("missing unit"), std::string::npos);
}

TEST(Units, ParsesSizes) {
  EXPECT_EQ(*parse_bytes("2GB"), 2'000'000'000);
  EXPECT_EQ(*parse_bytes("512 MiB"), 512LL * 1024 * 1024);
  EXPECT_FALSE(parse_bytes("lots").ok());
}

TEST(Units, FormatsForPeople) {
  EXPECT_EQ(format_duration_us(850), "850us");
  EXPECT_EQ(format_duration_us(12'345), "12.3ms");
  EXPECT_EQ(format_duration_us(1'200'000), "1.20s");
  EXPECT_EQ(format_duration_us(125'000'000), "2m05s");
  EXPECT_EQ(format_bytes(12.0 * 1024 * 1024), "12.0 MiB");
}

}  // namespace
}  // namespace perfgate
