#include <gtest/gtest.h>

#include <random>

#include "core/histogram.h"

namespace perfgate {
namespace {

TEST(HistogramCodec, RoundTripKeepsEveryCount) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> d(9.0, 1.5);
  Histogram h;
  for (int i = 0; i < 50000; ++i) h.record(static_cast<int64_t>(d(rng)));
  const std::string encoded = h.to_base64();
  ASSERT_EQ(encoded.substr(0, 8), "HISTFAAA");  // the HdrHistogram V2 compressed cookie
  auto decoded = Histogram::from_base64(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->config(), h.config());
  EXPECT_EQ(decoded->total_count(), h.total_count());
  for (size_t i = 0; i < h.counts_length(); ++i) ASSERT_EQ(decoded->count_at_index(i), h.count_at_index(i)) << i;
  EXPECT_EQ(decoded->value_at_percentile(99.9), h.value_at_percentile(99.9));
}

TEST(HistogramCodec, EmptyAndCustomConfigsRoundTrip) {
  const Histogram empty;
  auto decoded = Histogram::from_base64(empty.to_base64());
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->empty());

  Histogram custom(HistogramConfig{10, 1'000'000, 2});
  custom.record(12345, 7);
  custom.record(999'999);
  auto d2 = Histogram::from_base64(custom.to_base64());
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->config(), custom.config());
  EXPECT_EQ(d2->total_count(), 8);
}

TEST(HistogramCodec, HugeCountsSurviveTheVarint) {
  Histogram h;
  h.record(100, int64_t{1} << 50);
  auto d = Histogram::from_base64(h.to_base64());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->total_count(), int64_t{1} << 50);
}

TEST(HistogramCodec, RejectsGarbageWithAReason) {
  for (const std::string bad : {"", "not base64 !!", "AAAAAAAA", "HISTFAAAAAAA"}) {
    auto r = Histogram::from_base64(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
    EXPECT_NE(r.error().message.find("histogram"), std::string::npos);
  }
}

TEST(HistogramCodec, RejectsTruncatedEncodings) {
  Histogram h;
  for (int i = 1; i < 1000; ++i) h.record(i * 37);
  const std::string encoded = h.to_base64();
  for (size_t cut = 4; cut < encoded.size(); cut += 7) {
    auto r = Histogram::from_base64(encoded.substr(0, cut));
    EXPECT_FALSE(r.ok()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace perfgate
