// libFuzzer target: the incremental HTTP response parser. The first two bytes choose where the rest
// is split into pieces; whatever the split, the parser must reach the same state, status, body size
// and consumed length as when fed everything at once, and never read outside what it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "loadgen/http_response_parser.h"

namespace {

struct Outcome {
  perfgate::HttpResponseParser::State state;
  int status;
  int64_t body_bytes;
  size_t used;
  bool keep_alive;
};

// Counts what a sink receives, to check the body it sees matches body_bytes().
class CountingSink final : public perfgate::ResponseSink {
 public:
  void on_header(std::string_view name, std::string_view value) override {
    if (name.empty() || value.size() > perfgate::HttpResponseParser::kMaxLine) std::abort();
  }
  void on_body(std::string_view bytes) override { body += static_cast<int64_t>(bytes.size()); }
  int64_t body = 0;
};

Outcome parse(std::string_view input, size_t piece, perfgate::BodyExpectation expectation, bool eof) {
  auto parser = std::make_unique<perfgate::HttpResponseParser>();
  CountingSink sink;
  parser->reset(expectation, &sink);
  size_t used = 0;
  while (used < input.size() && parser->state() == perfgate::HttpResponseParser::State::kInProgress) {
    const size_t n = std::min(piece, input.size() - used);
    const size_t took = parser->feed(input.data() + used, n);
    if (took > n) std::abort();
    used += took;
    if (took < n) break;
  }
  if (eof && parser->state() == perfgate::HttpResponseParser::State::kInProgress) parser->on_eof();
  if (sink.body != parser->body_bytes()) std::abort();
  return Outcome{parser->state(), parser->status(), parser->body_bytes(), used, parser->keep_alive()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t piece = 1 + data[0] % 64;
  const auto expectation =
      (data[1] & 1) != 0 ? perfgate::BodyExpectation::kNone : perfgate::BodyExpectation::kPerHeaders;
  const bool eof = (data[1] & 2) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const Outcome whole = parse(input, input.size() + 1, expectation, eof);
  const Outcome split = parse(input, piece, expectation, eof);
  if (whole.state != split.state || whole.status != split.status || whole.body_bytes != split.body_bytes) std::abort();
  if (whole.state != perfgate::HttpResponseParser::State::kError && whole.used != split.used) std::abort();
  if (whole.state == perfgate::HttpResponseParser::State::kComplete && whole.keep_alive != split.keep_alive)
    std::abort();
  return 0;
}
