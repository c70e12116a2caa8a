#include "analyzers/query_shape.h"

#include <gtest/gtest.h>

namespace perfgate {
namespace {

TEST(QueryShape, ResolvesAliasesAndReadsJoinsPredicatesOrderAndLimit) {
  auto s = parse_query_shape(
      "SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id "
      "WHERE o.status = $1 AND o.created_at > $2 ORDER BY o.created_at DESC LIMIT $3");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->kind, StatementKind::kSelect);
  EXPECT_EQ(s->tables, (std::vector<std::string>{"orders", "customers"}));
  ASSERT_EQ(s->joins.size(), 1u);
  EXPECT_EQ(s->joins[0].left, (ColumnName{"customers", "id"}));
  EXPECT_EQ(s->joins[0].right, (ColumnName{"orders", "customer_id"}));
  ASSERT_EQ(s->predicates.size(), 2u);
  EXPECT_EQ(s->predicates[0].column, (ColumnName{"orders", "status"}));
  EXPECT_EQ(s->predicates[0].op, PredicateOp::kEquality);
  EXPECT_EQ(s->predicates[1].op, PredicateOp::kRange);
  ASSERT_EQ(s->order_by.size(), 1u);
  EXPECT_EQ(s->order_by[0], (ColumnName{"orders", "created_at"}));
  EXPECT_TRUE(s->has_limit);
  EXPECT_EQ(s->param_count, 3);
  EXPECT_FALSE(s->batched);
}

TEST(QueryShape, GroupsInListsOfEveryLengthButNeverWithTheSingleKeyLookup) {
  auto two = parse_query_shape("SELECT * FROM t WHERE id IN ($1, $2)");
  auto three = parse_query_shape("SELECT * FROM t WHERE id IN ($1, $2, $3)");
  auto any = parse_query_shape("SELECT * FROM t WHERE id = ANY($1)");
  auto single = parse_query_shape("SELECT * FROM t WHERE id = $1");
  ASSERT_TRUE(two.ok() && three.ok() && any.ok() && single.ok());
  EXPECT_EQ(two->group_key(), three->group_key());
  EXPECT_TRUE(two->batched);
  EXPECT_TRUE(any->batched);
  EXPECT_FALSE(single->batched);
  EXPECT_NE(single->group_key(), two->group_key());
  EXPECT_NE(single->group_key(), any->group_key());
}

TEST(QueryShape, GroupsArrayConstructorsOfEveryArity) {
  auto a = parse_query_shape("SELECT * FROM t WHERE id = ANY(ARRAY[$1, $2])");
  auto b = parse_query_shape("SELECT * FROM t WHERE id = ANY(ARRAY[$1, $2, $3, $4])");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->group_key(), b->group_key());
}

TEST(QueryShape, NumbersOrBranches) {
  auto s = parse_query_shape("SELECT * FROM t WHERE a = $1 OR b = $2");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->predicates.size(), 2u);
  EXPECT_EQ(s->predicates[0].or_group, 0);
  EXPECT_EQ(s->predicates[0].or_branch, 0);
  EXPECT_EQ(s->predicates[1].or_branch, 1);
}

TEST(QueryShape, CountsInsertValuesRows) {
  auto one = parse_query_shape("INSERT INTO audit (a, b) VALUES ($1, $2)");
  auto many = parse_query_shape("INSERT INTO audit (a, b) VALUES ($1, $2), ($3, $4)");
  ASSERT_TRUE(one.ok() && many.ok());
  EXPECT_EQ(one->kind, StatementKind::kInsert);
  EXPECT_EQ(one->tables, std::vector<std::string>{"audit"});
  EXPECT_EQ(one->single_row_values, 1);
  EXPECT_EQ(many->single_row_values, 2);
}

TEST(QueryShape, ReadsUpdateAndDeletePredicates) {
  auto s = parse_query_shape("UPDATE items SET qty = $1 WHERE id = $2");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, StatementKind::kUpdate);
  ASSERT_EQ(s->predicates.size(), 1u);
  EXPECT_EQ(s->predicates[0].column, (ColumnName{"items", "id"}));
}

TEST(QueryShape, RejectsSyntaxErrorsWithTheParsersMessage) {
  auto s = parse_query_shape("SELEC 1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(s.error().message.find("syntax error"), std::string::npos);
}

}  // namespace
}  // namespace perfgate
