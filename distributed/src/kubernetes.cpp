#include "distributed/kubernetes.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

namespace perfgate {
namespace {

using nlohmann::ordered_json;

constexpr int kMaxShards = 1000;
constexpr const char* kResults = "/results";
constexpr const char* kScenarioDir = "/etc/perfgate";

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

ordered_json metadata(const KubernetesRenderOptions& o, const std::string& suffix, const std::string& component) {
  ordered_json m{{"name", o.name + "-" + suffix}};
  if (!o.kube_namespace.empty()) m["namespace"] = o.kube_namespace;
  m["labels"] = ordered_json{{"app.kubernetes.io/name", "perfgate"},
                             {"app.kubernetes.io/instance", o.name},
                             {"app.kubernetes.io/component", component}};
  return m;
}

// ConfigMap keys cannot hold '/', so every file gets a flat key and the volume's items put it back
// at its relative path.
ordered_json config_items(const KubernetesRenderOptions& o) {
  ordered_json items = ordered_json::array({ordered_json{{"key", "scenario.json"}, {"path", "scenario.json"}}});
  if (!o.budgets_text.empty()) items.push_back(ordered_json{{"key", "budgets.json"}, {"path", "budgets.json"}});
  for (size_t i = 0; i < o.scenario_files.size(); ++i) {
    items.push_back(ordered_json{{"key", "file-" + std::to_string(i)}, {"path", o.scenario_files[i].first}});
  }
  return items;
}

ordered_json volumes(const KubernetesRenderOptions& o) {
  return ordered_json::array(
      {ordered_json{{"name", "scenario"}, {"configMap", {{"name", o.name + "-scenario"}, {"items", config_items(o)}}}},
       ordered_json{{"name", "results"}, {"persistentVolumeClaim", {{"claimName", o.name + "-results"}}}}});
}

ordered_json mounts() {
  return ordered_json::array({ordered_json{{"name", "scenario"}, {"mountPath", kScenarioDir}, {"readOnly", true}},
                              ordered_json{{"name", "results"}, {"mountPath", kResults}}});
}

// A container running `script` with sh: the shards need shell arithmetic for K = index + 1, and the
// merge step waits for the shards' exit markers.
ordered_json container(const KubernetesRenderOptions& o, const std::string& name, const std::string& script) {
  return ordered_json{{"name", name},
                      {"image", o.image},
                      {"command", ordered_json::array({"/bin/sh", "-c", script})},
                      {"volumeMounts", mounts()},
                      {"securityContext", {{"allowPrivilegeEscalation", false}}}};
}

ordered_json job(const KubernetesRenderOptions& o, const std::string& suffix, const std::string& component,
                 ordered_json spec_extra, ordered_json pod_container) {
  // The image runs as an unprivileged user (deploy/Dockerfile); fsGroup lets it write the results volume.
  ordered_json pod_spec{{"restartPolicy", "Never"},
                        {"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 10001}, {"fsGroup", 10001}}},
                        {"containers", ordered_json::array({std::move(pod_container)})},
                        {"volumes", volumes(o)}};
  ordered_json spec = std::move(spec_extra);
  // A shard that failed must not be retried: a retry would offer its slice late and alone, so the
  // merge names it instead. The same holds for the merge and profile steps, which are cheap to rerun.
  spec["backoffLimit"] = 0;
  spec["template"] =
      ordered_json{{"metadata", {{"labels", metadata(o, suffix, component)["labels"]}}}, {"spec", pod_spec}};
  return ordered_json{
      {"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", metadata(o, suffix, component)}, {"spec", spec}};
}

std::string run_dir(const KubernetesRenderOptions& o) { return std::string(kResults) + "/" + o.name + "/" + o.run_id; }

std::string shard_script(const KubernetesRenderOptions& o) {
  const std::string dir = run_dir(o);
  const std::string n = std::to_string(o.shards);
  std::string args;
  for (const auto& a : o.run_args) args += " " + quoted(a);
  // JOB_COMPLETION_INDEX is 0-based; segments are 1-based. The exit marker tells the merge step
  // this shard is done, whatever its exit code; a pod killed outright leaves none, and the merge
  // names its segment as missing once the wait is over.
  return "set -u\nK=$((JOB_COMPLETION_INDEX + 1))\nmkdir -p " + dir + "\nperfgate run " + std::string(kScenarioDir) +
         "/scenario.json --segment \"$K/" + n + "\" --barrier " + dir + "/barrier --barrier-timeout " +
         std::to_string(o.barrier_timeout_s) + "s --quiet --out " + dir + "/shard-$K.json" + args +
         "\nrc=$?\necho \"$rc\" > " + dir + "/exit-$K\nexit \"$rc\"\n";
}

int wait_seconds(const KubernetesRenderOptions& o) {
  return o.barrier_timeout_s + static_cast<int>(std::ceil(o.run_seconds)) + 120;
}

std::string merge_script(const KubernetesRenderOptions& o) {
  const std::string dir = run_dir(o);
  const std::string n = std::to_string(o.shards);
  std::string shards;
  for (int k = 1; k <= o.shards; ++k) shards += " " + dir + "/shard-" + std::to_string(k) + ".json";
  std::string script = "set -u\nmkdir -p " + dir + "\ndeadline=$(( $(date +%s) + " + std::to_string(wait_seconds(o)) +
                       " ))\n"
                       "while [ \"$(ls " +
                       dir + "/exit-* 2>/dev/null | wc -l)\" -lt " + n +
                       " ] && [ \"$(date +%s)\" -lt \"$deadline\" ]; do sleep 5; done\n";
  std::string profile;
  std::string findings;
  if (!o.pg_secret.empty()) {
    script += "while [ ! -e " + dir + "/profile.json ] && [ \"$(date +%s)\" -lt \"$deadline\" ]; do sleep 5; done\n";
    profile = " $( [ -e " + dir + "/profile.json ] && echo --profile " + dir + "/profile.json )";
    findings = " $( [ -e " + dir + "/findings.json ] && echo --findings " + dir + "/findings.json )";
  }
  script += "perfgate merge" + shards + " -o " + dir + "/merged.json" + profile + " || exit $?\n";
  if (!o.pg_secret.empty()) {
    // The run-delta of pg_stat_statements, divided by the merged requests (the profile Job took
    // the "before" snapshot when the shards met at the barrier).
    script += "[ -e " + dir + "/pg-before.json ] && perfgate analyze --pg \"$PERFGATE_PG_DSN\" --since " + dir +
              "/pg-before.json --result " + dir + "/merged.json --out " + dir + "/findings.json\n";
  }
  // Stale barrier files would make the next run with this name refuse to start.
  script += "rm -rf " + dir + "/barrier\n";
  if (o.budgets_text.empty()) {
    script += "perfgate report " + dir + "/merged.json -o " + dir + "/report.html\n";
  } else {
    script += "perfgate gate " + dir + "/merged.json --budgets " + std::string(kScenarioDir) + "/budgets.json" +
              findings + " --out " + dir + "/gate.json --junit " + dir +
              "/junit.xml\nrc=$?\n"
              "perfgate report " +
              dir + "/merged.json --gate " + dir + "/gate.json -o " + dir +
              "/report.html\n"
              "exit \"$rc\"\n";
  }
  return script;
}

std::string profile_script(const KubernetesRenderOptions& o) {
  const std::string dir = run_dir(o);
  // Starts when every shard has announced itself at the barrier, so the samples cover the run
  // (the shards start 2 s after the last announcement) and its drain.
  return "set -u\nmkdir -p " + dir + "/barrier\ndeadline=$(( $(date +%s) + " + std::to_string(o.barrier_timeout_s) +
         " ))\nwhile [ \"$(ls " + dir + "/barrier/ready-* 2>/dev/null | wc -l)\" -lt " + std::to_string(o.shards) +
         " ] && [ \"$(date +%s)\" -lt \"$deadline\" ]; do sleep 1; done\n"
         "perfgate analyze --pg \"$PERFGATE_PG_DSN\" --snapshot-out " +
         dir +
         "/pg-before.json\n"
         "exec perfgate profile --pg \"$PERFGATE_PG_DSN\" --duration " +
         std::to_string(static_cast<int>(std::ceil(o.run_seconds)) + 15) + "s --out " + dir + "/profile.json\n";
}

ordered_json pg_env(const KubernetesRenderOptions& o) {
  return ordered_json::array({ordered_json{
      {"name", "PERFGATE_PG_DSN"}, {"valueFrom", {{"secretKeyRef", {{"name", o.pg_secret}, {"key", "dsn"}}}}}}});
}

Status validate(const KubernetesRenderOptions& o) {
  static const std::regex kLabel("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  if (o.name.empty() || o.name.size() > 40 || !std::regex_match(o.name, kLabel)) {
    return invalid_input("--name: \"" + o.name +
                         "\" must be 1..40 characters of a-z, 0-9 and '-', starting and ending "
                         "with a letter or digit (a Kubernetes DNS-1123 label; suffixes are added)");
  }
  if (!o.kube_namespace.empty() && (o.kube_namespace.size() > 63 || !std::regex_match(o.kube_namespace, kLabel))) {
    return invalid_input("--namespace: \"" + o.kube_namespace +
                         "\" is not a Kubernetes namespace name (DNS-1123 label)");
  }
  if (o.shards < 1 || o.shards > kMaxShards) {
    return invalid_input("--shards: must be in 1.." + std::to_string(kMaxShards) + " (got " + std::to_string(o.shards) +
                         ")");
  }
  if (o.image.empty()) return invalid_input("--image: must not be empty");
  if (o.run_id.empty() || o.run_id.size() > 63 || !std::regex_match(o.run_id, kLabel)) {
    return invalid_input("--run-id: \"" + o.run_id + "\" must be 1..63 characters of a-z, 0-9 and '-'");
  }
  if (o.scenario_text.empty()) return invalid_input("scenario: the file is empty");
  if (!(o.run_seconds > 0)) return invalid_input("scenario: the load shape has no duration");
  if (o.access_mode != "ReadWriteMany" && o.access_mode != "ReadWriteOnce" && o.access_mode != "ReadWriteOncePod") {
    return invalid_input("--access-mode: \"" + o.access_mode +
                         "\" must be ReadWriteMany, ReadWriteOnce or ReadWriteOncePod");
  }
  for (const auto& [path, content] : o.scenario_files) {
    if (path.empty() || path.front() == '/' || path.find("..") != std::string::npos || path == "scenario.json" ||
        path == "budgets.json") {
      return invalid_input("scenario: file \"" + path + "\" must be a relative path below the scenario's directory");
    }
  }
  for (const std::string* secret : {&o.env_secret, &o.pg_secret}) {
    if (!secret->empty() && (secret->size() > 253 || !std::regex_match(*secret, kLabel))) {
      return invalid_input("--env-secret / --pg-secret: \"" + *secret + "\" is not a Kubernetes Secret name");
    }
  }
  return {};
}

}  // namespace

Result<std::string> render_kubernetes(const KubernetesRenderOptions& o) {
  if (auto st = validate(o); !st) return st.error();
  ordered_json items = ordered_json::array();

  ordered_json data{{"scenario.json", o.scenario_text}};
  if (!o.budgets_text.empty()) data["budgets.json"] = o.budgets_text;
  for (size_t i = 0; i < o.scenario_files.size(); ++i) data["file-" + std::to_string(i)] = o.scenario_files[i].second;
  items.push_back(ordered_json{
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", metadata(o, "scenario", "scenario")}, {"data", data}});

  ordered_json pvc_spec{{"accessModes", ordered_json::array({o.access_mode})},
                        {"resources", {{"requests", {{"storage", o.storage_size}}}}}};
  if (!o.storage_class.empty()) pvc_spec["storageClassName"] = o.storage_class;
  items.push_back(ordered_json{{"apiVersion", "v1"},
                               {"kind", "PersistentVolumeClaim"},
                               {"metadata", metadata(o, "results", "results")},
                               {"spec", pvc_spec}});

  ordered_json shard = container(o, "shard", shard_script(o));
  if (!o.env_secret.empty())
    shard["envFrom"] = ordered_json::array({ordered_json{{"secretRef", {{"name", o.env_secret}}}}});
  items.push_back(job(o, "shards", "shard",
                      ordered_json{{"completionMode", "Indexed"}, {"completions", o.shards}, {"parallelism", o.shards}},
                      std::move(shard)));

  if (!o.pg_secret.empty()) {
    ordered_json profiler = container(o, "profile", profile_script(o));
    profiler["env"] = pg_env(o);
    items.push_back(job(o, "profile", "profile", ordered_json::object(), std::move(profiler)));
  }
  ordered_json merger = container(o, "merge", merge_script(o));
  if (!o.pg_secret.empty()) merger["env"] = pg_env(o);
  items.push_back(job(o, "merge", "merge", ordered_json::object(), std::move(merger)));

  return ordered_json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}}.dump(2) + "\n";
}

}  // namespace perfgate
