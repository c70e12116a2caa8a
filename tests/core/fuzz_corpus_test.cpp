// Replays every fuzz corpus file of core's fuzz targets in the normal build, so inputs that once
// crashed (scripts/fuzz.sh saves them there) stay regression tests.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/files.h"
#include "core/histogram.h"
#include "core/run_result_io.h"

namespace perfgate {
namespace {

std::vector<std::string> corpus(const std::string& target) {
  std::vector<std::string> files;
  const auto dir = std::filesystem::path(PERFGATE_SOURCE_DIR) / "fuzz" / "corpus" / target;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path().string());
  return files;
}

TEST(FuzzCorpus, HistogramDecoderHandlesEveryCorpusInput) {
  const auto files = corpus("histogram_decode_fuzz");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    auto text = read_file(f);
    ASSERT_TRUE(text.ok());
    auto h = Histogram::from_base64(*text);
    if (h.ok()) {
      EXPECT_TRUE(Histogram::from_base64(h->to_base64()).ok()) << f;
    }
  }
}

TEST(FuzzCorpus, ResultReaderHandlesEveryCorpusInput) {
  const auto files = corpus("result_reader_fuzz");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    auto text = read_file(f);
    ASSERT_TRUE(text.ok());
    auto r = run_result_from_json(*text, f);
    if (r.ok()) {
      EXPECT_TRUE(run_result_from_json(run_result_to_json(*r), f).ok()) << f;
    }
  }
}

}  // namespace
}  // namespace perfgate
