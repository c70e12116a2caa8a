#pragma once
// Kubernetes manifests for a distributed run (`perfgate kubernetes render`, docs/distributed.md):
// the scenario in a ConfigMap, a results volume, an Indexed Job whose pods are the N shards
// (JOB_COMPLETION_INDEX + 1 is K), a merge Job that merges, gates and reports once the shards are
// done, and optionally a profile Job that samples PostgreSQL once for the whole run.

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace perfgate {

/// What to render. Names follow Kubernetes' DNS-1123 label rules.
struct KubernetesRenderOptions {
  std::string name = "perfgate";  ///< prefix of every object; 1..40 of [a-z0-9-], starting and ending alphanumeric
  std::string kube_namespace;     ///< "" : no namespace field (kubectl's current one)
  std::string image = "perfgate:latest";  ///< image with /usr/local/bin/perfgate (deploy/Dockerfile)
  int shards = 1;                         ///< N, 1..1000
  std::string scenario_text;              ///< the scenario file, verbatim, for the ConfigMap
  std::string budgets_text;               ///< budgets file for the gate; "" : the merge step only reports
  /// Files the scenario reads (CSV feeders): path relative to the scenario file -> content, mounted
  /// at the same relative place beside it. Paths must be relative and stay below the scenario's directory.
  std::vector<std::pair<std::string, std::string>> scenario_files;
  std::vector<std::string> run_args;  ///< extra `perfgate run` flags for every shard (--target, --time-scale, ...)
  double run_seconds = 0;             ///< planned length of the schedule (after --time-scale), > 0
  std::string storage_class;          ///< "" : the cluster's default
  std::string storage_size = "1Gi";
  std::string access_mode = "ReadWriteMany";  ///< shards on several nodes need ReadWriteMany
  std::string env_secret;                     ///< "" or a Secret whose keys become environment variables of the shards
  std::string pg_secret;        ///< "" or a Secret with key `dsn`: render the central PostgreSQL profile Job
  int barrier_timeout_s = 600;  ///< how long shards wait for each other (image pulls, scheduling)
  std::string run_id = "run";   ///< results go to /results/NAME/RUN_ID, fresh for each rendered run; [a-z0-9-]
};

/// Renders the manifests as one JSON `List` (kubectl apply -f accepts it). Errors (kInvalidInput,
/// naming the option): a name that is not a DNS-1123 label or too long, shards out of 1..1000, an
/// empty scenario or image, run_seconds <= 0, an access mode Kubernetes does not define, a scenario
/// file path that is absolute or leaves the scenario's directory.
Result<std::string> render_kubernetes(const KubernetesRenderOptions& options);

}  // namespace perfgate
