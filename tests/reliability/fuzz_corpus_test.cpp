// Replays the corpora of the parser fuzz targets (fuzz/) in the normal build, so inputs that once
// crashed a parser (scripts/fuzz.sh saves them there) stay regression tests, with the same checks
// the fuzz targets make.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "analyzers/budget.h"
#include "core/files.h"
#include "loadgen/http_response_parser.h"
#include "scenarios/parser.h"

namespace perfgate {
namespace {

std::vector<std::string> corpus(const std::string& target) {
  std::vector<std::string> files;
  const auto dir = std::filesystem::path(PERFGATE_SOURCE_DIR) / "fuzz" / "corpus" / target;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(FuzzCorpus, ScenarioParserRejectsEveryBadCorpusInputNamingTheSource) {
  const auto files = corpus("scenario_parser_fuzz");
  ASSERT_FALSE(files.empty());
  int accepted = 0;
  for (const auto& f : files) {
    auto text = read_file(f);
    ASSERT_TRUE(text.ok());
    auto s = parse_scenario(*text, "fuzz.json");
    if (s.ok())
      ++accepted;
    else
      EXPECT_EQ(s.error().message.rfind("fuzz.json", 0), 0u) << f << ": " << s.error().message;
  }
  EXPECT_GT(accepted, 0) << "the bundled scenarios in the corpus parse";
}

TEST(FuzzCorpus, BudgetsParserRejectsEveryBadCorpusInputNamingTheSource) {
  const auto files = corpus("budgets_parser_fuzz");
  ASSERT_FALSE(files.empty());
  int accepted = 0;
  for (const auto& f : files) {
    auto text = read_file(f);
    ASSERT_TRUE(text.ok());
    auto b = budgets_from_json(*text, "fuzz.json");
    if (b.ok())
      ++accepted;
    else
      EXPECT_EQ(b.error().message.rfind("fuzz.json", 0), 0u) << f << ": " << b.error().message;
    (void)parse_budget_rule(std::string_view(*text).substr(0, 256));
  }
  EXPECT_GT(accepted, 0);
}

struct Parsed {
  HttpResponseParser::State state;
  int status;
  int64_t body_bytes;
};

Parsed parse_in_pieces(std::string_view input, size_t piece, BodyExpectation expectation, bool eof) {
  auto parser = std::make_unique<HttpResponseParser>();
  parser->reset(expectation);
  size_t used = 0;
  while (used < input.size() && parser->state() == HttpResponseParser::State::kInProgress) {
    const size_t n = std::min(piece, input.size() - used);
    const size_t took = parser->feed(input.data() + used, n);
    used += took;
    if (took < n) break;
  }
  if (eof && parser->state() == HttpResponseParser::State::kInProgress) parser->on_eof();
  return Parsed{parser->state(), parser->status(), parser->body_bytes()};
}

TEST(FuzzCorpus, HttpResponseParserReachesTheSameEndWhateverTheSplit) {
  const auto files = corpus("http_response_parser_fuzz");
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    auto text = read_file(f);
    ASSERT_TRUE(text.ok());
    if (text->size() < 2) continue;
    // Same framing as the fuzz target: byte 0 picks the piece size, byte 1 HEAD and EOF.
    const auto flags = static_cast<unsigned char>((*text)[1]);
    const auto expectation = (flags & 1) != 0 ? BodyExpectation::kNone : BodyExpectation::kPerHeaders;
    const bool eof = (flags & 2) != 0;
    const std::string_view input = std::string_view(*text).substr(2);
    const Parsed whole = parse_in_pieces(input, input.size() + 1, expectation, eof);
    for (size_t piece = 1; piece <= 64; ++piece) {
      const Parsed split = parse_in_pieces(input, piece, expectation, eof);
      EXPECT_EQ(split.state, whole.state) << f << " in pieces of " << piece;
      EXPECT_EQ(split.status, whole.status) << f;
      EXPECT_EQ(split.body_bytes, whole.body_bytes) << f;
    }
  }
}

}  // namespace
}  // namespace perfgate
