#include "flow_rules.h"

#include <gtest/gtest.h>

#include "flow_capture.h"
#include "flow_plan.h"
#include "poll_state.h"
#include "scenarios/template.h"

namespace perfgate {
namespace {

using std::chrono::milliseconds;

TEST(Template, FoldsConstantsAndRendersPerIterationVariables) {
  VariableTable vars;
  const Template t = Template::compile("/r/{{ user }}?region={{region}}&k={{k}}", {{"region", "eu"}}, vars);
  EXPECT_FALSE(t.is_constant());
  ASSERT_EQ(vars.size(), 2u);
  VariableValues values(vars.size());
  values[vars.find("user")] = "42";
  std::string out;
  EXPECT_FALSE(t.render(values, out));
  values[vars.find("k")] = "x";
  ASSERT_TRUE(t.render(values, out));
  EXPECT_EQ(out, "/r/42?region=eu&k=x");
  const Template constant = Template::compile("/c/{{region}}", {{"region", "eu"}}, vars);
  EXPECT_TRUE(constant.is_constant());
  EXPECT_EQ(constant.text(), "/c/eu");
}

TEST(FlowVariables, SequentialFeedersWrapAndRangesStayInBounds) {
  FlowVariables v;
  FlowVariables::Feeder f;
  f.columns = {v.table.intern("region")};
  f.rows = {{"a"}, {"b"}};
  v.feeders.push_back(f);
  v.ranges.push_back(FlowVariables::Range{v.table.intern("n"), 3, 5});
  std::mt19937_64 rng(1);
  VariableValues values;
  for (int64_t i = 0; i < 50; ++i) {
    v.begin_iteration(i, rng, values);
    EXPECT_EQ(*values[0], i % 2 == 0 ? "a" : "b");
    const int n = std::stoi(*values[1]);
    EXPECT_GE(n, 3);
    EXPECT_LE(n, 5);
  }
}

RequestTemplate step_with(std::vector<Extraction> extract, std::vector<Condition> checks) {
  RequestTemplate r;
  r.extract = std::move(extract);
  r.checks = std::move(checks);
  return r;
}

TEST(ResponseRules, ExtractsByJsonPointerHeaderAndRegex) {
  VariableTable vars;
  auto rules = ResponseRules::compile(step_with({{"job", Extraction::Source::kJsonPointer, "/job/id", false},
                                                 {"etag", Extraction::Source::kHeader, "ETag", false},
                                                 {"token", Extraction::Source::kRegex, "token=([a-z0-9]+)", false},
                                                 {"maybe", Extraction::Source::kJsonPointer, "/absent", true}},
                                                {}),
                                      vars, "s");
  ASSERT_TRUE(rules.ok());
  CapturedResponse r;
  r.status = 200;
  r.headers = {{"etag", "\"v1\""}};
  r.body = R"({"job":{"id":17},"note":"token=ab12 here"})";
  VariableValues values(vars.size());
  const Evaluation ev = evaluate(*rules, r, values);
  EXPECT_TRUE(ev.extracted);
  EXPECT_EQ(*values[vars.find("job")], "17");
  EXPECT_EQ(*values[vars.find("etag")], "\"v1\"");
  EXPECT_EQ(*values[vars.find("token")], "ab12");
  EXPECT_FALSE(values[vars.find("maybe")].has_value());
  r.body = "not json";
  EXPECT_FALSE(evaluate(*rules, r, values).extracted);
}

TEST(ResponseRules, ChecksEachConditionKindAndFailsWhenOneDoesNot) {
  VariableTable vars;
  auto rules = ResponseRules::compile(step_with({}, {{Condition::Kind::kStatus, "", "200"},
                                                     {Condition::Kind::kBodyContains, "", "done"},
                                                     {Condition::Kind::kJsonEquals, "/status", "\"done\""},
                                                     {Condition::Kind::kJsonMatches, "/rows", "^[0-9]+$"},
                                                     {Condition::Kind::kHeaderEquals, "X-Cache", "hit"}}),
                                      vars, "s");
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->needs_body);
  EXPECT_TRUE(rules->needs_headers);
  CapturedResponse r;
  r.status = 200;
  r.headers = {{"x-cache", "hit"}};
  r.body = R"({"status":"done","rows":12})";
  r.contains = {true};
  VariableValues values;
  EXPECT_TRUE(evaluate(*rules, r, values).checks_passed);
  for (int broken = 0; broken < 5; ++broken) {
    CapturedResponse b = r;
    if (broken == 0) b.status = 202;
    if (broken == 1) b.contains = {false};
    if (broken == 2) b.body = R"({"status":"running","rows":12})";
    if (broken == 3) b.body = R"({"status":"done","rows":"many"})";
    if (broken == 4) b.headers = {{"X-Cache", "miss"}};
    EXPECT_FALSE(evaluate(*rules, b, values).checks_passed) << "condition " << broken;
  }
  CapturedResponse truncated = r;
  truncated.body_truncated = true;
  EXPECT_FALSE(evaluate(*rules, truncated, values).checks_passed);
}

class FakeClock : public Clock {
 public:
  MonoTime now() const override { return t; }
  MonoTime t{std::chrono::seconds(1)};
};

TEST(StepCapture, FindsANeedleSplitAcrossReadsAndTimesSseEvents) {
  ResponseRules rules;
  rules.needles = {"event: done"};
  StreamSpec stream;
  stream.progress_pointer = "/progress";
  stream.cancel_after_events = 3;
  FakeClock clock;
  StepCapture capture;
  capture.begin(&rules, &stream, &clock);
  capture.on_body("event: progress\ndata: {\"progress\":40}\n\nevent: do");
  clock.t += milliseconds(10);
  capture.on_body("ne\ndata: {\"progress\":100}\n\n");
  EXPECT_TRUE(capture.response().contains[0]);
  const StreamTimes& t = capture.stream_times();
  EXPECT_EQ(t.events, 2);
  EXPECT_EQ(*t.last_event - *t.first_event, milliseconds(10));
  EXPECT_DOUBLE_EQ(*t.progress, 100.0);
  EXPECT_FALSE(capture.cancel_requested());
  capture.on_body("data: x\n\n");
  EXPECT_TRUE(capture.cancel_requested());
}

TEST(PollState, RetriesEveryIntervalUntilTheConditionHoldsOrTheDeadlinePasses) {
  const MonoTime t0{std::chrono::seconds(10)};
  PollState p;
  p.begin(t0, milliseconds(250), milliseconds(1000));
  p.on_sent(t0);
  auto d = p.on_response(t0 + milliseconds(20), false);
  EXPECT_EQ(d.next, PollState::Next::kRetry);
  EXPECT_EQ(d.at, t0 + milliseconds(250));
  p.on_sent(d.at);
  // A response slower than the interval is followed at once.
  d = p.on_response(d.at + milliseconds(400), false);
  EXPECT_EQ(d.next, PollState::Next::kRetry);
  EXPECT_EQ(d.at, t0 + milliseconds(650));
  p.on_sent(d.at);
  d = p.on_response(d.at + milliseconds(10), true);
  EXPECT_EQ(d.next, PollState::Next::kDone);
  EXPECT_EQ(p.polls(), 3);

  p.begin(t0, milliseconds(250), milliseconds(600));
  p.on_sent(t0);
  EXPECT_EQ(p.on_response(t0 + milliseconds(1), false).next, PollState::Next::kRetry);
  p.on_sent(t0 + milliseconds(250));
  EXPECT_EQ(p.on_response(t0 + milliseconds(251), false).next, PollState::Next::kRetry);
  p.on_sent(t0 + milliseconds(500));
  d = p.on_response(t0 + milliseconds(501), false);
  EXPECT_EQ(d.next, PollState::Next::kDeadline);
  EXPECT_EQ(d.at, t0 + milliseconds(600));
}

}  // namespace
}  // namespace perfgate
