// perfgate kubernetes render SCENARIO --shards N: the manifests of a distributed run on Kubernetes
// (docs/distributed.md). Rendering lives in distributed/kubernetes.h; this file loads and checks the
// scenario, so a bad one is refused here rather than in N pods.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "core/files.h"
#include "distributed/kubernetes.h"
#include "scenarios/parser.h"

namespace perfgate::cli {
namespace {

struct KubernetesRenderCommand {
  std::string scenario;
  KubernetesRenderOptions render;
  std::string budgets;
  std::string target;
  double time_scale = 1;
  double rate_scale = 1;
  std::string out = "-";
};

std::string scenario_path(const std::string& path_or_name) {
  std::error_code ec;
  if (std::filesystem::exists(path_or_name, ec)) return path_or_name;
  return bundled_scenarios_dir() + "/" + path_or_name + ".json";
}

std::string utc_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char id[32];
  std::strftime(id, sizeof id, "%Y%m%d-%H%M%S", &tm);
  return id;
}

// The CSV files the scenario's feeders name, as written in the file (relative to it), with their
// contents: they go into the ConfigMap beside the scenario so the shards find them.
Result<std::vector<std::pair<std::string, std::string>>> feeder_files(const std::string& path,
                                                                      const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false, true);
  if (j.is_discarded() || !j.is_object() || !j.contains("feeders") || !j["feeders"].is_array()) return out;
  for (const auto& f : j["feeders"]) {
    if (!f.is_object() || !f.contains("file") || !f["file"].is_string()) continue;
    const std::string file = f["file"].get<std::string>();
    auto content = read_file((std::filesystem::path(path).parent_path() / file).string());
    if (!content) return content.error().with_context(path + ": feeders");
    out.emplace_back(file, std::move(*content));
  }
  return out;
}

ExitCode run_kubernetes_render(KubernetesRenderCommand c) {
  auto scenario = load_scenario_file(c.scenario);
  if (!scenario) return report_error(scenario.error());
  if (!c.target.empty()) {
    if (auto st = override_target(*scenario, c.target); !st) return report_error(st.error());
    c.render.run_args.insert(c.render.run_args.end(), {"--target", c.target});
  }
  if (c.time_scale != 1 || c.rate_scale != 1) {
    if (auto st = apply_scaling(*scenario, c.time_scale, c.rate_scale); !st) return report_error(st.error());
    c.render.run_args.insert(c.render.run_args.end(), {"--time-scale", std::to_string(c.time_scale), "--rate-scale",
                                                       std::to_string(c.rate_scale)});
  }
  if (scenario->shape.model == LoadModel::kClosed) {
    double peak = scenario->shape.start_target;
    for (const auto& s : scenario->shape.stages) peak = std::max(peak, s.target);
    if (static_cast<int64_t>(peak) < c.render.shards) {
      return report_error(invalid_input("--shards: " + std::to_string(c.render.shards) +
                                        " shards but the scenario peaks at " +
                                        std::to_string(static_cast<int64_t>(peak)) +
                                        " virtual users: some shards would have none; use at most that many shards"));
    }
  }
  auto text = read_file(scenario_path(c.scenario));
  if (!text) return report_error(text.error());
  c.render.scenario_text = *text;
  if (auto files = feeder_files(scenario_path(c.scenario), *text); files)
    c.render.scenario_files = std::move(*files);
  else
    return report_error(files.error());
  if (!c.budgets.empty()) {
    auto budgets = read_file(c.budgets);
    if (!budgets) return report_error(budgets.error().with_context("--budgets"));
    c.render.budgets_text = *budgets;
  }
  c.render.run_seconds = std::chrono::duration<double>(scenario->duration()).count();
  if (c.render.run_id.empty()) c.render.run_id = utc_run_id();
  auto manifests = render_kubernetes(c.render);
  if (!manifests) return report_error(manifests.error());
  if (c.out == "-") {
    std::fputs(manifests->c_str(), stdout);
    return ExitCode::kPass;
  }
  if (auto st = write_file_atomically(c.out, *manifests); !st) return report_error(st.error());
  std::printf("wrote %s: %d shard(s) of %s; apply with 'kubectl apply -f %s'\n", c.out.c_str(), c.render.shards,
              scenario->name.c_str(), c.out.c_str());
  return ExitCode::kPass;
}

}  // namespace

void add_kubernetes_command(CLI::App& app, CommandSlot& slot) {
  CLI::App* cmd = app.add_subcommand("kubernetes", "Distributed runs on Kubernetes (docs/distributed.md)");
  cmd->require_subcommand(1);
  auto c = std::make_shared<KubernetesRenderCommand>();
  c->render.run_id.clear();
  KubernetesRenderOptions& r = c->render;
  CLI::App* render = cmd->add_subcommand(
      "render",
      "Print the manifests of a sharded run: scenario ConfigMap, results volume, shard Indexed Job, merge Job");
  render->add_option("scenario", c->scenario, "Scenario file or bundled scenario name")->required();
  render->add_option("--shards", r.shards, "Number of shards N (parallel pods)")->required();
  render->add_option("--name", r.name, "Prefix of the objects (DNS-1123 label, default perfgate)");
  render->add_option("--namespace", r.kube_namespace, "Namespace of the objects (default: kubectl's current)");
  render->add_option("--image", r.image, "Image holding perfgate (deploy/Dockerfile; default perfgate:latest)");
  render->add_option("--budgets", c->budgets, "Budgets file: the merge step gates the merged result with it");
  render->add_option("--target", c->target, "Override the scenario's base URL (as the shards reach the service)");
  render->add_option("--time-scale", c->time_scale, "Multiply every stage duration");
  render->add_option("--rate-scale", c->rate_scale, "Multiply every rate / user target");
  render->add_option("--storage-class", r.storage_class, "StorageClass of the results volume (default: the cluster's)");
  render->add_option("--storage-size", r.storage_size, "Size of the results volume (default 1Gi)");
  render->add_option("--access-mode", r.access_mode,
                     "Results volume access mode (default ReadWriteMany; ReadWriteOnce on one node)");
  render->add_option("--env-secret", r.env_secret,
                     "Secret whose keys become the shards' environment (scenario ${VARS})");
  render->add_option("--pg-secret", r.pg_secret,
                     "Secret with key 'dsn': sample PostgreSQL once for the run (profile Job)");
  render->add_option("--barrier-timeout", r.barrier_timeout_s, "Seconds the shards wait for each other (default 600)");
  render->add_option("--run-id", r.run_id,
                     "Results directory of this run under /results/NAME (default: UTC timestamp)");
  render->add_option("-o,--out", c->out, "Write the manifests here (default '-': standard output)");
  render->callback([c, &slot] { slot.run = [c] { return run_kubernetes_render(*c); }; });
}

}  // namespace perfgate::cli
