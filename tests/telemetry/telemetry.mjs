// Live metrics out of a real run (docs/ecosystem.md), checked by the real consumers:
//   promtool   `promtool check metrics` on a live scrape and on --metrics-file; the file's counters
//              equal the result's; a metrics port in use is exit 3 before any request
//   prometheus a Prometheus server (Debian's prometheus) scrapes a ~10 s run every second; its
//              counters, read over its HTTP API, equal the result file's totals
//   otlp       a loopback OTLP/HTTP receiver checks the JSON payload's structure and final counts;
//              a collector that goes away mid-run leaves the run complete and the failures noted
// Usage: node telemetry.mjs PERFGATE_BINARY promtool|prometheus|otlp
import { execFile, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assert, check, fail, finish, tempDir } from "../js/check.mjs";

const [perfgate, mode] = process.argv.slice(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const dir = tempDir("perfgate-telemetry-");

// The system under test: /fast answers at once, /slow after a few ms, /fail with 500 every 5th time.
let served = 0;
const target = createServer((req, res) => {
  served++;
  if (req.url.startsWith("/fail")) {
    res.statusCode = served % 5 === 0 ? 500 : 200;
    res.end("x");
  } else {
    setTimeout(() => res.end("ok"), req.url.startsWith("/slow") ? 3 + (served % 4) : 0);
  }
});
const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));
const targetPort = await listen(target);

async function freePort() {
  const s = createTcpServer();
  const port = await listen(s);
  await new Promise((resolve) => s.close(resolve));
  return port;
}
function scenario(seconds, rps) {
  const path = join(dir, `scenario-${seconds}s.json`);
  writeFileSync(path, JSON.stringify({
    name: "telemetry-check",
    target: { base_url: `http://127.0.0.1:${targetPort}` },
    load: { model: "open", start_rps: rps, stages: [{ duration: `${seconds}s`, target_rps: rps, phase: "steady" }] },
    endpoints: [
      { name: "fast", weight: 2, request: { method: "GET", path: "/fast" } },
      { name: "slow", weight: 1, request: { method: "GET", path: "/slow" } },
      { name: "fail", weight: 1, request: { method: "GET", path: "/fail", expect_status: [200] } },
    ],
  }));
  return path;
}
// perfgate runs beside this process's event loop (which serves the target), never blocking it.
function perfgateRun(args, onStderr) {
  return new Promise((resolve) => {
    const child = execFile(perfgate, args, { maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ status: err ? err.code : 0, stdout, stderr }));
    if (onStderr) child.stderr.on("data", (d) => onStderr(String(d)));
  });
}
function promtool(text) {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  assert(!r.error, `promtool not runnable (Debian package prometheus): ${r.error && r.error.message}`);
  return r;
}
// "name{a="b",c="d"} value" lines into [{name, labels, value}].
function parseExposition(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/);
    assert(m, `unparsable line ${line}`);
    const labels = {};
    for (const l of (m[3] || "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}
const sample = (samples, name, labels) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
function compareWithResult(samples, result, label) {
  for (const e of result.endpoints) {
    const requests = sample(samples, "perfgate_http_requests_total", { endpoint: e.name });
    assert(requests && requests.value === e.requests, `${label}: ${e.name} requests ${requests && requests.value}, result ${e.requests}`);
    const count = sample(samples, "perfgate_http_request_duration_seconds_count", { endpoint: e.name });
    assert(count && count.value === e.requests, `${label}: ${e.name} histogram count ${count && count.value}`);
    const inf = sample(samples, "perfgate_http_request_duration_seconds_bucket", { endpoint: e.name, le: "+Inf" });
    assert(inf && inf.value === e.requests, `${label}: ${e.name} +Inf bucket ${inf && inf.value}`);
    for (const [category, n] of Object.entries(e.errors)) {
      if (category === "total") continue;
      const s = sample(samples, "perfgate_http_request_errors_total", { endpoint: e.name, category });
      assert(s && s.value === n, `${label}: ${e.name} ${category} errors ${s && s.value}, result ${n}`);
    }
    const errors = samples.filter((s) => s.name === "perfgate_http_request_errors_total" && s.labels.endpoint === e.name)
      .reduce((a, s) => a + s.value, 0);
    assert(errors === e.errors.total, `${label}: ${e.name} errors ${errors}, result ${e.errors.total}`);
  }
  assert(result.endpoints.find((e) => e.name === "fail").errors.status_5xx > 0, `${label}: no 5xx to count`);
}

async function promtoolMode() {
  const out = join(dir, "run.json");
  const metricsFile = join(dir, "final.prom");
  let address = null;
  let live = null;
  const run = perfgateRun(["run", scenario(4, 80), "--quiet", "--out", out, "--metrics-listen", "127.0.0.1:0",
    "--metrics-file", metricsFile, "--metrics-linger", "0s"], (text) => {
    const m = text.match(/serving metrics on (http:\/\/[^\s]+)/);
    if (m) address = m[1];
  });
  for (let i = 0; i < 60 && !live; i++) {
    await sleep(100);
    if (address && i > 20) live = await (await fetch(address)).text();
  }
  const finished = await run;
  await check("the run passes with --metrics-listen and --metrics-file", () =>
    assert(finished.status === 0, `exit ${finished.status}: ${finished.stderr}`));
  await check("promtool check metrics passes on a live scrape", () => {
    assert(live && live.includes("perfgate_http_requests_total{endpoint=\"fast\"}"), `scrape: ${live}`);
    const r = promtool(live);
    assert(r.status === 0, `promtool: ${r.stdout}${r.stderr}`);
  });
  const text = readFileSync(metricsFile, "utf8");
  const result = JSON.parse(readFileSync(out, "utf8"));
  await check("promtool check metrics passes on the metrics file", () => {
    const r = promtool(text);
    assert(r.status === 0, `promtool: ${r.stdout}${r.stderr}`);
  });
  await check("the metrics file's counters equal the result's totals", () => compareWithResult(parseExposition(text), result, "file"));
  await check("the histogram's buckets are cumulative and the summary's quantiles ordered", () => {
    const samples = parseExposition(text);
    for (const e of ["fast", "slow"]) {
      const buckets = samples.filter((s) => s.name === "perfgate_http_request_duration_seconds_bucket" && s.labels.endpoint === e);
      assert(buckets.length === 16, `${buckets.length} buckets`);
      for (let i = 1; i < buckets.length; i++) assert(buckets[i].value >= buckets[i - 1].value, `${e}: not cumulative`);
      const q = (x) => sample(samples, "perfgate_http_request_latency_seconds", { endpoint: e, quantile: x }).value;
      assert(q("0.5") <= q("0.99") && q("0.99") <= q("0.999"), `${e}: quantiles out of order`);
      const p50 = result.endpoints.find((x) => x.name === e).latency_us.p50 / 1e6;
      assert(Math.abs(q("0.5") - p50) <= 0.02 * p50 + 2e-6, `${e}: p50 ${q("0.5")} s, result ${p50} s`);
    }
    assert(sample(samples, "perfgate_http_request_duration_seconds_sum", { endpoint: "slow" }).value >
      sample(samples, "perfgate_http_request_duration_seconds_sum", { endpoint: "fast" }).value / 10, "sums");
  });
  await check("the result names the run id and where the metrics went", () => {
    assert(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/.test(result.telemetry.run_id), `run id ${result.telemetry.run_id}`);
    assert(result.telemetry.metrics_file === metricsFile, JSON.stringify(result.telemetry));
    assert(/^127\.0\.0\.1:\d+$/.test(result.telemetry.metrics_listen), JSON.stringify(result.telemetry));
    assert(text.includes(`run_id="${result.telemetry.run_id}"`), "run id not in perfgate_run_info");
  });
  await check("a metrics port in use is exit 3 before any request is sent", async () => {
    const holder = createTcpServer();
    const port = await listen(holder);
    const before = served;
    const r = await perfgateRun(["run", scenario(2, 50), "--quiet", "--out", join(dir, "never.json"),
      "--metrics-listen", `127.0.0.1:${port}`]);
    holder.close();
    assert(r.status === 3, `exit ${r.status}: ${r.stderr}`);
    assert(r.stderr.includes(`--metrics-listen 127.0.0.1:${port}: cannot listen`), r.stderr);
    assert(served === before, `${served - before} requests reached the target`);
  });
  await check("a malformed --metrics-listen is exit 2", async () => {
    const r = await perfgateRun(["run", scenario(2, 50), "--quiet", "--out", join(dir, "never.json"), "--metrics-listen", "9464"]);
    assert(r.status === 2, `exit ${r.status}: ${r.stderr}`);
  });
}

async function prometheusMode() {
  const metricsPort = await freePort();
  const webPort = await freePort();
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, [
    "global:", "  scrape_interval: 1s", "  scrape_timeout: 1s", "scrape_configs:", "  - job_name: perfgate",
    "    static_configs:", `      - targets: ["127.0.0.1:${metricsPort}"]`, ""].join("\n"));
  let log = "";
  const prometheus = spawn("prometheus", [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${webPort}`], { stdio: ["ignore", "pipe", "pipe"] });
  prometheus.stderr.on("data", (d) => (log += d));
  prometheus.on("error", (e) => (log += `cannot start prometheus (Debian package prometheus): ${e.message}`));
  const api = `http://127.0.0.1:${webPort}`;
  try {
    let ready = false;
    for (let i = 0; i < 300 && !ready && prometheus.exitCode === null; i++) {
      await sleep(100);
      ready = await fetch(`${api}/-/ready`).then((r) => r.ok, () => false);
    }
    assert(ready, `prometheus did not become ready: ${log.slice(-2000)}`);
    const out = join(dir, "run.json");
    const r = await perfgateRun(["run", scenario(10, 60), "--quiet", "--out", out,
      "--metrics-listen", `127.0.0.1:${metricsPort}`, "--metrics-linger", "5s"]);
    await check("the run passes while Prometheus scrapes it", () => assert(r.status === 0, `exit ${r.status}: ${r.stderr}`));
    const result = JSON.parse(readFileSync(out, "utf8"));
    // A range selector skips the staleness marker written once the run's endpoint went away.
    const query = async (q) => {
      const body = await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json();
      assert(body.status === "success", JSON.stringify(body));
      return body.data.result.map((s) => ({ name: q, labels: s.metric, value: Number(s.value[1]) }));
    };
    await check("Prometheus scraped the run several times", async () => {
      const scrapes = await query("count_over_time(perfgate_run_info[5m])");
      assert(scrapes.length === 1 && scrapes[0].value >= 5, `scrapes ${JSON.stringify(scrapes)}`);
    });
    await check("Prometheus's counters equal the result file's totals", async () => {
      const samples = [];
      for (const name of ["perfgate_http_requests_total", "perfgate_http_request_errors_total",
        "perfgate_http_request_duration_seconds_count", "perfgate_http_request_duration_seconds_bucket"]) {
        for (const s of await query(`max_over_time(${name}[5m])`)) samples.push({ ...s, name });
      }
      compareWithResult(samples, result, "prometheus");
      const total = (await query("sum(max_over_time(perfgate_http_requests_total[5m]))"))[0].value;
      assert(total === result.endpoints.reduce((a, e) => a + e.requests, 0), `total ${total}`);
    });
    await check("Prometheus saw the offered rate near the planned 60/s", async () => {
      const rate = await query("max_over_time(perfgate_target_rate_requests_per_second[5m])");
      assert(rate.length === 1 && Math.abs(rate[0].value - 60) < 1, JSON.stringify(rate));
    });
  } finally {
    prometheus.kill("SIGTERM");
    if (prometheus.exitCode === null) await new Promise((resolve) => prometheus.on("exit", resolve));
  }
}

async function otlpMode() {
  const pushes = [];
  let refuse = false;
  const collector = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      pushes.push({ url: req.url, type: req.headers["content-type"], body });
      res.setHeader("Content-Type", "application/json");
      res.end("{}");
      // The collector goes away after its second push: later ones cannot connect.
      if (refuse && pushes.length === 2) collector.close(), collector.closeAllConnections();
    });
  });
  const port = await listen(collector);
  const out = join(dir, "run.json");
  const r = await perfgateRun(["run", scenario(3, 60), "--quiet", "--out", out, "--otlp-endpoint",
    `http://127.0.0.1:${port}`, "--otlp-interval", "1s"]);
  await check("the run passes with --otlp-endpoint", () => assert(r.status === 0, `exit ${r.status}: ${r.stderr}`));
  const result = JSON.parse(readFileSync(out, "utf8"));
  await check("every push is OTLP/HTTP JSON to /v1/metrics, the result counts them", () => {
    assert(pushes.length >= 3, `${pushes.length} pushes`);
    assert(pushes.every((p) => p.url === "/v1/metrics" && p.type === "application/json"), JSON.stringify(pushes[0]).slice(0, 200));
    assert(result.telemetry.otlp_pushes === pushes.length && result.telemetry.otlp_failed_pushes === 0,
      JSON.stringify(result.telemetry));
  });
  const last = JSON.parse(pushes[pushes.length - 1].body);
  await check("the resource names service, scenario and run id", () => {
    const attrs = Object.fromEntries(last.resourceMetrics[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
    assert(attrs["service.name"] === "perfgate", JSON.stringify(attrs));
    assert(attrs["perfgate.scenario"] === "telemetry-check", JSON.stringify(attrs));
    assert(attrs["perfgate.run.id"] === result.telemetry.run_id, JSON.stringify(attrs));
  });
  const metrics = last.resourceMetrics[0].scopeMetrics[0].metrics;
  const metric = (name) => metrics.find((m) => m.name === name);
  const point = (m, endpoint, extra = {}) => m.dataPoints.find((p) => {
    const a = Object.fromEntries(p.attributes.map((x) => [x.key, x.value.stringValue]));
    return a.endpoint === endpoint && Object.entries(extra).every(([k, v]) => a[k] === v);
  });
  await check("counters are cumulative monotonic sums with string integers equal to the result's", () => {
    const m = metric("perfgate.http.requests");
    assert(m && m.unit === "{request}" && m.sum.isMonotonic === true && m.sum.aggregationTemporality === 2, JSON.stringify(m).slice(0, 300));
    for (const e of result.endpoints) {
      const p = point(m.sum, e.name);
      assert(typeof p.asInt === "string" && Number(p.asInt) === e.requests, `${e.name}: ${p.asInt} vs ${e.requests}`);
      assert(/^\d+$/.test(p.timeUnixNano) && BigInt(p.startTimeUnixNano) < BigInt(p.timeUnixNano), "timestamps");
    }
    const errors = point(metric("perfgate.http.request.errors").sum, "fail", { category: "status_5xx" });
    assert(Number(errors.asInt) === result.endpoints.find((e) => e.name === "fail").errors.status_5xx, "5xx errors");
  });
  await check("the latency histogram has per-bucket counts adding up to its count", () => {
    const m = metric("perfgate.http.request.duration");
    assert(m.unit === "s" && m.histogram.aggregationTemporality === 2, "histogram header");
    for (const e of result.endpoints) {
      const p = point(m.histogram, e.name);
      assert(p.bucketCounts.length === p.explicitBounds.length + 1, "bucket count length");
      const sum = p.bucketCounts.reduce((a, c) => a + Number(c), 0);
      assert(sum === e.requests && Number(p.count) === e.requests, `${e.name}: buckets ${sum}, count ${p.count}`);
      assert(p.min <= p.max && p.sum > 0, "min/max/sum");
    }
    const q = metric("perfgate.http.request.latency").summary.dataPoints[0].quantileValues;
    assert(q.length === 5 && q[0].quantile === 0.5, JSON.stringify(q));
  });
  await check("gauges carry the rates, lag and in-flight", () => {
    for (const name of ["perfgate.rate.target", "perfgate.rate.offered", "perfgate.rate.achieved",
      "perfgate.generator.lag", "perfgate.requests.in_flight"]) {
      assert(metric(name) && typeof metric(name).gauge.dataPoints[0].asDouble === "number", `${name} missing`);
    }
  });
  await check("a collector that goes away mid-run: the run completes and the result notes the failures", async () => {
    pushes.length = 0;
    refuse = true;
    const r2 = await perfgateRun(["run", scenario(4, 60), "--quiet", "--out", join(dir, "run2.json"),
      "--otlp-endpoint", `http://127.0.0.1:${port}/`, "--otlp-interval", "1s"]);
    assert(r2.status === 0, `exit ${r2.status}: ${r2.stderr}`);
    const result2 = JSON.parse(readFileSync(join(dir, "run2.json"), "utf8"));
    assert(result2.status === "complete", result2.status);
    const t = result2.telemetry;
    assert(t.otlp_pushes >= 4 && t.otlp_failed_pushes >= 2 && t.otlp_failed_pushes === t.otlp_pushes - 2, JSON.stringify(t));
    assert(t.otlp_last_error.length > 0, JSON.stringify(t));
    assert(r2.stdout.includes(`otlp: ${t.otlp_failed_pushes} of ${t.otlp_pushes} pushes`), r2.stdout);
  });
}

try {
  if (mode === "promtool") await promtoolMode();
  else if (mode === "prometheus") await prometheusMode();
  else if (mode === "otlp") await otlpMode();
  else throw new Error(`unknown mode ${mode}`);
} catch (e) {
  fail(mode, e);
} finally {
  target.close();
  target.closeAllConnections();
}
finish();
