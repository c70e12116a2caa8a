// The examples at the end of every subcommand's --help (and in the man page). Each must parse as
// written (`perfgate help --check-examples`, run by tests/cli/help_test.cpp); a new subcommand
// needs two or three here before its tests pass.
#include "cli/help_text.h"

namespace perfgate::cli {

const std::vector<CommandExamples>& command_examples() {
  static const std::vector<CommandExamples> kExamples = {
      {"",
       {"perfgate demo", "perfgate run peak --target http://127.0.0.1:8080 --time-scale 0.0333 --out results/run.json",
        "perfgate gate results/run.json --baseline perfgate-baseline.json --budgets budgets/demo.json"}},
      {"demo",
       {"perfgate demo", "perfgate demo --duration 20s --rate-scale 0.5 --out demo-out",
        "perfgate demo --strict --quiet"}},
      {"run",
       {"perfgate run peak --target http://127.0.0.1:8080 --time-scale 0.0333 --out results/run.json",
        "perfgate run --url http://127.0.0.1:8080/health --rate 50 --duration 30s --metrics-listen 127.0.0.1:9464",
        "perfgate run demo --spawn './server --port 8080' --ready http://127.0.0.1:8080/health "
        "--pg postgresql://127.0.0.1/app --git-sha \"$GITHUB_SHA\""}},
      {"inspect", {"perfgate inspect results/run.json", "perfgate inspect perfgate-results/2026-12-04T10-00-00Z.json"}},
      {"analyze",
       {"perfgate analyze --pg postgresql://127.0.0.1/app --aggregate --out findings.json",
        "perfgate analyze --pg postgresql://127.0.0.1/app --probe demo --target http://127.0.0.1:8080 "
        "--scale-param limit"}},
      {"scenario",
       {"perfgate scenario list", "perfgate scenario validate peak --time-scale 0.0333",
        "perfgate scenario import --har journey.har -o journey.json"}},
      {"scenario validate",
       {"perfgate scenario validate peak demo",
        "perfgate scenario validate peak --time-scale 0.0333 --rate-scale 0.5"}},
      {"scenario import",
       {"perfgate scenario import --har journey.har -o journey.json",
        "perfgate scenario import --openapi testbed/openapi.yaml --exclude-tag jobs -o api.json",
        "perfgate scenario import --har rec.har --host app.example.com --vus 10 --duration 5m -o journey.json"}},
      {"scenario list", {"perfgate scenario list", "perfgate scenario list | grep closed"}},
      {"profile",
       {"perfgate profile --pid 1234 --duration 60s --out profile.json",
        "perfgate profile --spawn './server --port 8080' --ready http://127.0.0.1:8080/health --duration 5m "
        "--pg postgresql://127.0.0.1/app --out profile.json"}},
      {"report",
       {"perfgate report results/run.json -o report.html",
        "perfgate report results/run.json --baseline perfgate-baseline.json --gate gate.json -o report.html",
        "perfgate report results/run.json --format markdown -o - >> \"$GITHUB_STEP_SUMMARY\""}},
      {"trend",
       {"perfgate trend perfgate-results -o trend.html",
        "perfgate trend --store perfgate-history --branch main -o trend.html"}},
      {"history",
       {"perfgate history add results/run.json --store perfgate-history", "perfgate history show --branch main"}},
      {"history add",
       {"perfgate history add results/run.json",
        "perfgate history add results/run.json --commit \"$GITHUB_SHA\" --branch main --store "
        "postgresql://127.0.0.1/perf"}},
      {"history show",
       {"perfgate history show", "perfgate history show --store perfgate-history --branch main --json"}},
      {"gate",
       {"perfgate gate results/run.json --baseline perfgate-baseline.json --budgets budgets/demo.json",
        "perfgate gate results/run.json --baseline-history main:5 --store perfgate-history --junit gate.xml "
        "--markdown gate.md",
        "perfgate gate results/run.json --budgets budgets/demo.json --findings results/run.findings.json --strict"}},
      {"baseline",
       {"perfgate baseline save results/run.json", "perfgate baseline save results/run.json --to baselines/main.json"}},
      {"baseline save",
       {"perfgate baseline save results/run.json", "perfgate baseline save results/run.json --to baselines/main.json"}},
      {"merge",
       {"perfgate merge shard-1.json shard-2.json -o merged.json",
        "perfgate merge shards/1.json shards/2.json shards/3.json -o merged.json --profile profile.json"}},
      {"kubernetes",
       {"perfgate kubernetes render peak --shards 4 -o perfgate.yaml",
        "perfgate kubernetes render stress --shards 8 --target http://api.default.svc:8080 | kubectl apply -f -"}},
      {"kubernetes render",
       {"perfgate kubernetes render peak --shards 4 --image registry.example/perfgate:0.1 -o perfgate.yaml",
        "perfgate kubernetes render stress --shards 8 --target http://api.default.svc:8080 --budgets "
        "budgets/demo.json"}},
      {"export",
       {"perfgate export results/run.json --hlog run.hlog",
        "perfgate export results/run.json --hlog sales.hlog --endpoint reports.sales"}},
      {"help",
       {"perfgate help --man > perfgate.1 && man -l perfgate.1",
        "perfgate help --bash-completion > ~/.local/share/bash-completion/completions/perfgate",
        "perfgate help --commands"}},
  };
  return kExamples;
}

}  // namespace perfgate::cli
