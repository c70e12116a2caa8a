#include "scenarios/csv_feeder.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

TEST(ParseCsvFeeder, ReadsHeaderRowsQuotesAndCrlf) {
  auto feeder = parse_csv_feeder("id,name\r\n1,\"a \"\"quoted\"\", name\"\r\n\r\n2,\"multi\nline\"\r\n", "u.csv");
  ASSERT_TRUE(feeder.ok()) << feeder.error().message;
  EXPECT_EQ(feeder->columns, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(feeder->rows.size(), 2u);
  EXPECT_EQ(feeder->rows[0][1], "a \"quoted\", name");
  EXPECT_EQ(feeder->rows[1][1], "multi\nline");
}

TEST(ParseCsvFeeder, KeepsEmptyTrailingFields) {
  auto feeder = parse_csv_feeder("a,b\n1,\n", "u.csv");
  ASSERT_TRUE(feeder.ok()) << feeder.error().message;
  EXPECT_EQ(feeder->rows[0], (std::vector<std::string>{"1", ""}));
}

TEST(ParseCsvFeeder, NamesTheLineOfARaggedRow) {
  auto feeder = parse_csv_feeder("a,b\n1,2\n\"x\ny\",2\n3,4,5\n", "data/u.csv");
  ASSERT_FALSE(feeder.ok());
  EXPECT_EQ(feeder.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(feeder.error().message,
            "data/u.csv:5: row has 3 fields but the header has 2; every row needs one value per column");
}

TEST(ParseCsvFeeder, RequiresAHeaderAndData) {
  EXPECT_EQ(parse_csv_feeder("", "e.csv").error().message,
            "e.csv:1: empty file; a header row naming the columns is required");
  EXPECT_EQ(parse_csv_feeder("a,b\n", "e.csv").error().message, "e.csv:1: no data rows after the header");
  EXPECT_EQ(parse_csv_feeder("a,,b\n1,2,3\n", "e.csv").error().message, "e.csv:1: empty column name in the header row");
  EXPECT_EQ(parse_csv_feeder("a,a\n1,2\n", "e.csv").error().message, "e.csv:1: duplicate column \"a\"");
  EXPECT_EQ(parse_csv_feeder("a\n\"open\n", "e.csv").error().message, "e.csv:2: unterminated quoted field");
}

}  // namespace
}  // namespace perfgate
