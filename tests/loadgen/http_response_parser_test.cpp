#include "loadgen/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace perfgate {
namespace {

using State = HttpResponseParser::State;

struct Recorder : ResponseSink {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  void on_header(std::string_view n, std::string_view v) override { headers.emplace_back(n, v); }
  void on_body(std::string_view b) override { body += b; }
};

struct Parsed {
  State state;
  int status;
  bool keep_alive;
  int64_t body_bytes;
  size_t consumed;
  std::string body;
};

// Feeds `text` split at the given cut points, then EOF if `eof`.
Parsed parse(const std::string& text, std::vector<size_t> cuts, bool eof = false,
             BodyExpectation expectation = BodyExpectation::kPerHeaders) {
  HttpResponseParser p;
  Recorder sink;
  p.reset(expectation, &sink);
  size_t consumed = 0;
  size_t from = 0;
  cuts.push_back(text.size());
  for (size_t cut : cuts) {
    if (p.state() != State::kInProgress) break;
    consumed += p.feed(text.data() + from, cut - from);
    from = cut;
  }
  if (eof) p.on_eof();
  return Parsed{p.state(), p.status(), p.keep_alive(), p.body_bytes(), consumed, sink.body};
}

// Every split of `text` into two pieces, and byte by byte, must give the same answer as one piece.
void expect_same_at_every_boundary(const std::string& text, bool eof = false) {
  const Parsed whole = parse(text, {}, eof);
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    const Parsed split = parse(text, {cut}, eof);
    EXPECT_EQ(split.state, whole.state) << "cut " << cut;
    EXPECT_EQ(split.status, whole.status) << "cut " << cut;
    EXPECT_EQ(split.body, whole.body) << "cut " << cut;
    EXPECT_EQ(split.keep_alive, whole.keep_alive) << "cut " << cut;
    EXPECT_EQ(split.consumed, whole.consumed) << "cut " << cut;
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < text.size(); ++i) every.push_back(i);
  const Parsed bytes = parse(text, every, eof);
  EXPECT_EQ(bytes.state, whole.state);
  EXPECT_EQ(bytes.body, whole.body);
}

TEST(HttpResponseParser, ParsesAContentLengthResponseSplitAtEveryByte) {
  const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello";
  const Parsed p = parse(r, {});
  EXPECT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.status, 200);
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.body_bytes, 5);
  EXPECT_EQ(p.body, "hello");
  expect_same_at_every_boundary(r);
}

TEST(HttpResponseParser, DecodesChunkedBodiesWithExtensionsAndTrailersAtEveryByte) {
  const std::string r =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n";
  const Parsed p = parse(r, {});
  EXPECT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.body, "hello0123456789");
  EXPECT_EQ(p.body_bytes, 15);
  EXPECT_EQ(p.consumed, r.size());
  expect_same_at_every_boundary(r);
}

TEST(HttpResponseParser, CloseDelimitedBodyCompletesOnlyAtEof) {
  const std::string r = "HTTP/1.1 200 OK\r\nX: y\r\n\r\nstream of bytes";
  EXPECT_EQ(parse(r, {}).state, State::kInProgress);
  const Parsed p = parse(r, {}, true);
  EXPECT_EQ(p.state, State::kComplete);
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(p.body, "stream of bytes");
  expect_same_at_every_boundary(r, true);
}

TEST(HttpResponseParser, StopsAtTheEndOfTheResponseAndLeavesTheRest) {
  const std::string r = "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\nHTTP/1.1 200";
  const Parsed p = parse(r, {});
  EXPECT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.status, 204);
  EXPECT_EQ(p.body_bytes, 0);
  EXPECT_EQ(p.consumed, r.find("HTTP/1.1 200"));
}

TEST(HttpResponseParser, HeadResponsesHaveNoBodyDespiteContentLength) {
  const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", {}, false, BodyExpectation::kNone);
  EXPECT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.body_bytes, 0);
}

TEST(HttpResponseParser, SkipsInterimResponses) {
  const std::string r = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
  const Parsed p = parse(r, {});
  EXPECT_EQ(p.state, State::kComplete);
  EXPECT_EQ(p.status, 201);
  expect_same_at_every_boundary(r);
}

TEST(HttpResponseParser, ConnectionHeadersDecideKeepAlive) {
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", {}).keep_alive);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", {}).keep_alive);
  EXPECT_TRUE(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n", {}).keep_alive);
  EXPECT_TRUE(parse("HTTP/1.1 200 OK\ncontent-length: 0\n\n", {}).keep_alive);
}

TEST(HttpResponseParser, MalformedInputsAreParseErrors) {
  const std::vector<std::string> bad = {
      "HTTP/2 200 OK\r\n\r\n",
      "HTTX/1.1 200 OK\r\n\r\n",
      "HTTP/1.1 2x0 OK\r\n\r\n",
      "HTTP/1.1 200OK\r\n\r\n",
      "HTTP/1.1 099 Low\r\n\r\n",
      "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
      "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
      "HTTP/1.1 200 OK\r\nName : space\r\n\r\n",
      "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX: " + std::string(HttpResponseParser::kMaxLine, 'a') + "\r\n\r\n",
  };
  for (const auto& text : bad) {
    for (size_t cut = 0; cut <= text.size(); cut += (text.size() > 200 ? 97 : 1)) {
      const Parsed p = parse(text, {cut});
      EXPECT_EQ(p.state, State::kError) << text.substr(0, 60) << " cut " << cut;
      EXPECT_FALSE(p.keep_alive);
    }
  }
}

TEST(HttpResponseParser, EofBeforeTheEndIsAnError) {
  HttpResponseParser p;
  p.reset();
  EXPECT_FALSE(p.started());
  EXPECT_EQ(p.on_eof(), State::kError);
  const std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
  EXPECT_EQ(parse(partial, {}, true).state, State::kError);
}

TEST(HttpResponseParser, SinkSeesTrimmedHeaders) {
  HttpResponseParser p;
  Recorder sink;
  p.reset(BodyExpectation::kPerHeaders, &sink);
  const std::string r = "HTTP/1.1 200 OK\r\nX-Cache:   hit  \r\nContent-Length: 0\r\n\r\n";
  p.feed(r.data(), r.size());
  ASSERT_EQ(sink.headers.size(), 2u);
  EXPECT_EQ(sink.headers[0].first, "X-Cache");
  EXPECT_EQ(sink.headers[0].second, "hit");
}

TEST(HttpResponseParser, ResetAllowsTheNextResponseOnTheSameConnection) {
  HttpResponseParser p;
  const std::string r = "HTTP/1.1 500 Oops\r\nContent-Length: 1\r\n\r\nx";
  for (int i = 0; i < 3; ++i) {
    p.reset();
    EXPECT_EQ(p.feed(r.data(), r.size()), r.size());
    EXPECT_EQ(p.state(), State::kComplete);
    EXPECT_EQ(p.status(), 500);
  }
}

}  // namespace
}  // namespace perfgate
