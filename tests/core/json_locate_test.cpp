#include "core/json_locate.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

constexpr std::string_view kText = R"({
  // a comment with "quotes" and [brackets]
  "name": "peak",
  "stages": [
    {"duration": "1m", "target_rps": 10},
    {"duration": "1m", /* inline */ "target_rps": -5},
  ],
})";

TEST(JsonLocate, FindsNestedArrayMembersPastComments) {
  const TextPosition p = locate_json_pointer(kText, "/stages/1/target_rps");
  EXPECT_EQ(p.line, 6);
  EXPECT_EQ(p.column, 51);
}

TEST(JsonLocate, MissingFieldPointsAtItsParent) {
  const TextPosition p = locate_json_pointer(kText, "/stages/0/headers");
  EXPECT_EQ(p.line, 5);
  EXPECT_EQ(p.column, 5);
}

TEST(JsonLocate, FieldPathReadsLikeCode) {
  EXPECT_EQ(pointer_to_field_path("/stages/2/target_rps"), "stages[2].target_rps");
  EXPECT_EQ(pointer_to_field_path("/a~1b/0"), "a/b[0]");
  EXPECT_EQ(pointer_to_field_path(""), "");
}

TEST(JsonLocate, FormatsCompilerStyleMessages) {
  EXPECT_EQ(format_input_error("peak.json", {14, 9}, "stages[2].target_rps", "must be > 0 (got -5)"),
            "peak.json:14:9: stages[2].target_rps: must be > 0 (got -5)");
  EXPECT_EQ(format_input_error("x.json", {}, "", "not JSON"), "x.json: not JSON");
}

TEST(JsonLocate, GarbageDoesNotCrash) {
  EXPECT_EQ(locate_json_pointer("", "/a").line, 0);
  EXPECT_EQ(locate_json_pointer("{\"a\": [1, 2", "/a/5").line, 1);
  EXPECT_EQ(locate_json_pointer("{\"a\": \"unterminated", "/a/b").line, 1);
}

}  // namespace
}  // namespace perfgate
