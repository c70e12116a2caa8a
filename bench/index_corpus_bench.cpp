// Precision and recall of the index advisor per pattern class, on the corpus of
// tests/analyzers/index_corpus.h and a throw-away PostgreSQL with hypopg. Prints a Markdown table
// (docs/analyzer.md holds its output). Usage: perfgate_bench_index_corpus
#include <cstdio>
#include <map>

#include "analyzers/index_corpus.h"
#include "testbed/pg_cluster.h"

int main() {
  using namespace perfgate;
  auto cluster = PgCluster::start();
  if (!cluster) {
    std::fprintf(stderr, "cannot start PostgreSQL: %s\n", cluster.error().message.c_str());
    return 3;
  }
  if (auto loaded = (*cluster)->psql(corpus::kSchemaSql); !loaded) {
    std::fprintf(stderr, "cannot load the corpus schema: %s\n", loaded.error().message.c_str());
    return 3;
  }
  auto all = corpus::analyse_all((*cluster)->dsn());
  if (!all) {
    std::fprintf(stderr, "analysis failed: %s\n", all.error().message.c_str());
    return 3;
  }
  struct Row {
    int statements = 0, tp = 0, fp = 0, fn = 0;
  };
  std::map<std::string, Row> rows;
  Row total;
  for (size_t i = 0; i < corpus::cases().size(); ++i) {
    const auto& c = corpus::cases()[i];
    const auto o = corpus::judge(c, (*all)[i]);
    for (Row* r : {&rows[c.pattern], &total}) {
      r->statements += 1;
      r->tp += o.true_positives;
      r->fp += o.false_positives;
      r->fn += o.false_negatives;
    }
    for (const auto& p : o.problems) std::fprintf(stderr, "[%s] %s: %s\n", c.pattern.c_str(), c.sql.c_str(), p.c_str());
  }
  auto ratio = [](int num, int den) { return den == 0 ? std::string("n/a") : std::to_string(100 * num / den) + "%"; };
  std::printf(
      "| pattern class | statements | expected suggestions | true positives | false positives | false negatives | "
      "precision | recall |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  auto print = [&](const std::string& name, const Row& r) {
    std::printf("| %s | %d | %d | %d | %d | %d | %s | %s |\n", name.c_str(), r.statements, r.tp + r.fn, r.tp, r.fp,
                r.fn, ratio(r.tp, r.tp + r.fp).c_str(), ratio(r.tp, r.tp + r.fn).c_str());
  };
  for (const auto& [name, r] : rows) print(name, r);
  print("**all**", total);
  return total.fp == 0 ? 0 : 1;
}
