#include "cli/run_observers.h"

#include <gtest/gtest.h>

namespace perfgate::cli {
namespace {

TEST(DefaultFindingsPath, SitsNextToTheResultWithTheJsonExtensionReplaced) {
  EXPECT_EQ(default_findings_path("out/run.json"), "out/run.findings.json");
  EXPECT_EQ(default_findings_path("run"), "run.findings.json");
  EXPECT_EQ(default_findings_path(".json"), ".json.findings.json");
}

TEST(DsnPassword, IsFoundInKeywordAndUriForms) {
  EXPECT_EQ(dsn_password("host=db user=app password=s3cret dbname=shop"), "s3cret");
  EXPECT_EQ(dsn_password("host=db password = 'with space' dbname=shop"), "with space");
  EXPECT_EQ(dsn_password("postgresql://app:s3cret@db:5432/shop"), "s3cret");
  EXPECT_EQ(dsn_password("postgres://app@db/shop"), "");
  EXPECT_EQ(dsn_password("host=db user=app dbname=shop"), "");
  EXPECT_EQ(dsn_password("host=db oldpassword=x"), "");
}

TEST(RequestsInAllPhases, CountsWarmUpAndSkipsFlowSteps) {
  RunResult r;
  EndpointStats request;
  request.requests = 10;
  EndpointStats step;
  step.kind = "step";
  step.requests = 30;
  r.phase_stats = {PhaseStats{"warm-up", {request}}, PhaseStats{"steady", {request, step}}};
  EXPECT_EQ(requests_in_all_phases(r), 20);
}

TEST(ObserverChain, ForwardsEveryHookToEachObserverInOrder) {
  struct Recorder : RunObserver {
    std::string* log;
    char id;
    Recorder(std::string* l, char i) : log(l), id(i) {}
    void on_start(const std::vector<PhaseInfo>&) override { *log += std::string("s") + id; }
    void on_interval(const LiveStatus&) override { *log += std::string("i") + id; }
    void on_phase_change(const PhaseInfo&) override { *log += std::string("p") + id; }
    void on_finish(RunResult&) override { *log += std::string("f") + id; }
  };
  std::string log;
  Recorder a(&log, 'a');
  Recorder b(&log, 'b');
  ObserverChain chain;
  chain.add(&a);
  chain.add(nullptr);
  chain.add(&b);
  RunResult r;
  chain.on_start({});
  chain.on_phase_change({});
  chain.on_interval({});
  chain.on_finish(r);
  EXPECT_EQ(log, "sasbpapbiaibfafb");
}

}  // namespace
}  // namespace perfgate::cli
