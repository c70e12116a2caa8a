#include "sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace perfgate {
namespace {

struct Event {
  std::string type, data, id;
  bool operator==(const Event&) const = default;
};

struct Collector : SseListener {
  std::vector<Event> events;
  void on_event(std::string_view type, std::string_view data, std::string_view id) override {
    events.push_back(Event{std::string(type), std::string(data), std::string(id)});
  }
};

std::vector<Event> parse_split(const std::string& stream, size_t split) {
  Collector c;
  SseParser p;
  p.reset(&c);
  p.feed(std::string_view(stream).substr(0, split));
  p.feed(std::string_view(stream).substr(split));
  return c.events;
}

TEST(SseParser, ParsesEventsIdenticallyAtEverySplitPoint) {
  const std::string stream =
      "\xEF\xBB\xBF: a comment\r\n"
      "event: rows\r\n"
      "data: {\"a\":1}\r\n"
      "data:second line\r\n"
      "id: 7\r\n"
      "\r\n"
      "data: plain\r\r"
      "event: progress\n"
      "data: {\"progress\":50}\n"
      "\n"
      "event: empty\n"
      "\n"
      "data\n"
      "\n";
  const std::vector<Event> expected = {{"rows", "{\"a\":1}\nsecond line", "7"},
                                       {"message", "plain", "7"},
                                       {"progress", "{\"progress\":50}", "7"},
                                       {"message", "", "7"}};
  for (size_t split = 0; split <= stream.size(); ++split) {
    EXPECT_EQ(parse_split(stream, split), expected) << "split at " << split;
  }
}

TEST(SseParser, ParsesByteByByte) {
  Collector c;
  SseParser p;
  p.reset(&c);
  const std::string stream = "event: done\ndata: {\"rows\":3}\n\n";
  for (char ch : stream) p.feed(std::string_view(&ch, 1));
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0], (Event{"done", "{\"rows\":3}", ""}));
}

TEST(SseParser, AnEventWithoutItsBlankLineIsNotDispatched) {
  Collector c;
  SseParser p;
  p.reset(&c);
  p.feed("data: half\n");
  EXPECT_TRUE(c.events.empty());
}

}  // namespace
}  // namespace perfgate
