// Offline validation of `perfgate kubernetes render` output against the Kubernetes v1.33 OpenAPI
// schemas, compiled into validators by the kubernetes-models 4.5.1 npm package (types, enums and
// required fields; unknown fields are not flagged: `kubectl apply --dry-run=server --validate=strict`
// on a real cluster checks those). Kubernetes cannot run in CI, so this is the manifests' check.
// Usage: node validate_manifests.mjs PERFGATE_BINARY REPOSITORY_ROOT
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Job } from "kubernetes-models/batch/v1/Job";
import { assert, check, finish, tempDir } from "../js/check.mjs";

const [perfgate, root] = process.argv.slice(2);
const budgets = join(root, "budgets/demo.json");
const models = { "v1/ConfigMap": ConfigMap, "v1/PersistentVolumeClaim": PersistentVolumeClaim, "batch/v1/Job": Job };

const dir = tempDir("perfgate-k8s-");
function render(args) {
  const out = join(dir, "manifests.json");
  execFileSync(perfgate, ["kubernetes", "render", ...args, "-o", out], { stdio: "pipe" });
  return JSON.parse(readFileSync(out, "utf8"));
}
function validateAll(list) {
  assert(list.apiVersion === "v1" && list.kind === "List", "not a v1 List");
  for (const item of list.items) {
    const Model = models[`${item.apiVersion}/${item.kind}`];
    assert(Model, `unexpected object ${item.apiVersion}/${item.kind}`);
    new Model(item).validate();
  }
}
const byName = (list, suffix) => list.items.find((i) => i.metadata.name.endsWith(suffix));

const configurations = [
  ["peak", "--shards", "4", "--name", "peak-test", "--namespace", "load", "--image", "registry.example/perfgate:1.0",
   "--budgets", budgets, "--pg-secret", "pg-dsn", "--env-secret", "api-token", "--storage-class", "nfs", "--run-id", "r1"],
  ["demo", "--shards", "1", "--access-mode", "ReadWriteOnce", "--target", "http://report-service:8080", "--time-scale", "0.1"],
  ["stress", "--shards", "16"],
];
for (const args of configurations) {
  check(`render ${args.join(" ")} validates`, () => {
    const list = render(args);
    validateAll(list);
    const n = Number(args[args.indexOf("--shards") + 1]);
    const shards = byName(list, "-shards");
    assert(shards.spec.completionMode === "Indexed", "the shard Job is not Indexed");
    assert(shards.spec.completions === n && shards.spec.parallelism === n, "completions/parallelism differ from N");
    const script = shards.spec.template.spec.containers[0].command.join(" ");
    assert(script.includes("K=$((JOB_COMPLETION_INDEX + 1))") && script.includes(`--segment "$K/${n}"`), "K is not the 1-based index");
    assert(byName(list, "-merge").spec.template.spec.containers[0].command.join(" ").includes("perfgate merge"), "no merge step");
    assert(byName(list, "-scenario").data["scenario.json"].length > 0, "empty scenario in the ConfigMap");
  });
}
check("peak carries its CSV feeder, its budgets and the profile Job", () => {
  const list = render(configurations[0]);
  const volume = byName(list, "-shards").spec.template.spec.volumes[0].configMap;
  assert(volume.items.some((i) => i.path === "data/regions.csv"), "the feeder CSV is not mounted");
  assert(byName(list, "-scenario").data["budgets.json"] === readFileSync(budgets, "utf8"), "budgets differ");
  assert(byName(list, "-profile").spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name === "pg-dsn", "no profile Job");
  assert(list.items.every((i) => i.metadata.namespace === "load"), "namespace missing");
});
check("the validator refuses a broken manifest (this check can fail)", () => {
  const list = render(["demo", "--shards", "2"]);
  const job = byName(list, "-shards");
  job.spec.completions = "2";
  let refused = false;
  try {
    new Job(job).validate();
  } catch {
    refused = true;
  }
  assert(refused, "a string completions count was accepted");
});
for (const [args, what] of [
  [["demo", "--shards", "0"], "--shards"],
  [["demo", "--shards", "2", "--name", "Bad_Name"], "--name"],
  [["demo", "--shards", "2", "--access-mode", "ReadMany"], "--access-mode"],
]) {
  check(`render ${args.join(" ")} exits 2 naming ${what}`, () => {
    const r = spawnSync(perfgate, ["kubernetes", "render", ...args], { encoding: "utf8" });
    assert(r.status === 2, `exit ${r.status}`);
    assert(r.stderr.includes(what), `stderr does not name ${what}: ${r.stderr}`);
  });
}
check("deploy/kubernetes/peak-4-shards.json is what render prints today", () => {
  const example = JSON.parse(readFileSync(join(root, "deploy/kubernetes/peak-4-shards.json"), "utf8"));
  validateAll(example);
  const fresh = render(["peak", "--shards", "4", "--name", "peak", "--target", "http://report-service:8080",
                        "--budgets", budgets, "--run-id", "example"]);
  assert(JSON.stringify(fresh) === JSON.stringify(example),
         "stale: regenerate it with the command in docs/distributed.md");
});
finish();
