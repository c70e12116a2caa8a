#include "core/segment.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

TEST(Segment, ParsesOneBasedIndexOfCount) {
  auto s = parse_segment("2/4");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 4);
  EXPECT_EQ(s->to_string(), "2/4");
  EXPECT_FALSE(s->whole());
  EXPECT_TRUE(parse_segment("1/1")->whole());
}

TEST(Segment, RefusesIndexOutOfRangeAndMalformedText) {
  for (const char* bad : {"0/4", "5/4", "4", "a/b", "1/0", "-1/3", "2/", "/2", "1/4x", "1/20000"}) {
    auto s = parse_segment(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(s.error().message.find(bad), std::string::npos) << s.error().message;
  }
  EXPECT_NE(parse_segment("5/4").error().message.find("out of range 1..4"), std::string::npos);
}

TEST(Segment, SharesPartitionEveryTotalWithoutOverlap) {
  for (int n = 1; n <= 7; ++n) {
    for (int64_t total = 0; total <= 50; ++total) {
      int64_t sum = 0;
      for (int k = 1; k <= n; ++k) {
        const Segment s{k, n};
        int64_t counted = 0;
        for (int64_t i = 0; i < total; ++i) counted += i % n == k - 1 ? 1 : 0;
        EXPECT_EQ(s.share_of(total), counted) << k << "/" << n << " of " << total;
        sum += s.share_of(total);
      }
      EXPECT_EQ(sum, total);
    }
  }
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(*parse_rfc3339_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339_ms("2026-12-04T12:00:00Z"), 1'796'385'600'000);
  EXPECT_EQ(*parse_rfc3339_ms("2026-12-04T12:00:00.25Z"), 1'796'385'600'250);
  EXPECT_EQ(*parse_rfc3339_ms("2026-12-04T13:30:00+01:30"), 1'796'385'600'000);
  EXPECT_EQ(*parse_rfc3339_ms("2026-12-04T10:00:00-02:00"), 1'796'385'600'000);
  EXPECT_EQ(format_rfc3339_ms(1'796'385'600'250), "2026-12-04T12:00:00.250Z");
  EXPECT_EQ(*parse_rfc3339_ms(format_rfc3339_ms(1'234'567'890'123)), 1'234'567'890'123);
  for (const char* bad : {"", "2026-12-04", "2026-12-04 12:00:00Z", "2026-13-04T12:00:00Z", "2026-12-04T12:00:00",
                          "2026-12-04T12:00:00.Z", "tomorrow"}) {
    EXPECT_FALSE(parse_rfc3339_ms(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace perfgate
