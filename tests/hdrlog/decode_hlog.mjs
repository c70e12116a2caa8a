// Decodes the HdrHistogram interval log that `perfgate export --hlog` writes with an independent
// implementation (the hdr-histogram-js 3.0.1 npm package: HistogramLogReader and its V2 decoder) and
// compares every interval's count and percentiles with the result file perfgate wrote.
// Usage: node decode_hlog.mjs PERFGATE_BINARY
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { assert, check, finish, tempDir } from "../js/check.mjs";

const require = createRequire(import.meta.url);
const hdr = require("hdr-histogram-js");

const [perfgate] = process.argv.slice(2);

// A loopback server whose latency spreads over a few milliseconds, so percentiles differ.
let n = 0;
const server = createServer((req, res) => {
  const delay = req.url.startsWith("/slow") ? 4 + (n++ % 5) : 0;
  setTimeout(() => res.end("ok"), delay);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = server.address().port;

const dir = tempDir("perfgate-hlog-");
const scenario = join(dir, "two.json");
writeFileSync(scenario, JSON.stringify({
  name: "hlog-two",
  target: { base_url: `http://127.0.0.1:${port}` },
  load: { model: "open", start_rps: 120, stages: [{ duration: "3s", target_rps: 120, phase: "steady" }] },
  endpoints: [
    { name: "fast", weight: 1, request: { method: "GET", path: "/fast" } },
    { name: "slow", weight: 1, request: { method: "GET", path: "/slow" } },
  ],
}));
const resultPath = join(dir, "run.json");
const run = (args) => new Promise((resolve, reject) => {
  // The server answers on this process's event loop, so perfgate runs asynchronously beside it.
  import("node:child_process").then(({ execFile }) =>
    execFile(perfgate, args, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))));
});
try {
  await run(["run", scenario, "--quiet", "--out", resultPath]);
} finally {
  server.close();
}
const result = JSON.parse(readFileSync(resultPath, "utf8"));
const wholeLog = join(dir, "run.hlog");
execFileSync(perfgate, ["export", resultPath, "--hlog", wholeLog], { stdio: "pipe" });
const slowLog = join(dir, "slow.hlog");
execFileSync(perfgate, ["export", resultPath, "--hlog", slowLog, "--endpoint", "slow"], { stdio: "pipe" });

function readAll(text) {
  const reader = new hdr.HistogramLogReader(text, 64);
  const out = [];
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) out.push(h);
  return out;
}
// HdrHistogram readers report a percentile as the highest value equivalent to the recorded one;
// perfgate does the same, so the figures agree to the histogram's 2-digit precision.
function close(a, b) {
  return Math.abs(a - b) <= Math.max(1, 0.01 * Math.max(a, b));
}
function compare(label, decoded, timeline) {
  assert(decoded.length === timeline.length, `${label}: ${decoded.length} histograms for ${timeline.length} intervals`);
  for (let k = 0; k < timeline.length; k++) {
    const h = decoded[k];
    const i = timeline[k];
    assert(h.totalCount === i.requests, `${label}[${k}]: count ${h.totalCount}, result ${i.requests}`);
    if (i.requests === 0) continue;
    for (const [p, key] of [[50, "p50_us"], [90, "p90_us"], [99, "p99_us"]]) {
      const v = h.getValueAtPercentile(p);
      assert(close(v, i[key]), `${label}[${k}]: p${p} ${v} us, result ${key} ${i[key]}`);
    }
    assert(close(h.maxValue, i.max_us), `${label}[${k}]: max ${h.maxValue}, result ${i.max_us}`);
    const start = (result.start_unix_ms + i.t_ms);
    assert(Math.abs(h.startTimeStampMsec - start) < 2, `${label}[${k}]: starts at ${h.startTimeStampMsec}, result ${start}`);
  }
}

const whole = readFileSync(wholeLog, "utf8");
check("the log has the HdrHistogram headers", () => {
  assert(whole.startsWith("#[Histogram log format version 1.3]\n"), "no format version line");
  assert(/^#\[StartTime: \d+\.\d{3} \(seconds since epoch\), /m.test(whole), "no StartTime line");
  assert(/^#\[BaseTime: \d+\.\d{3} \(seconds since epoch\)\]$/m.test(whole), "no BaseTime line");
  assert(whole.includes('"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"\n'),
    "no column header line");
});
check("listTags names the whole run and both endpoints", () => {
  const tags = hdr.listTags(whole).sort();
  assert(JSON.stringify(tags) === JSON.stringify(["NO TAG", "fast", "slow"].sort()), `tags ${JSON.stringify(tags)}`);
});
const decoded = readAll(whole);
const byTag = (tag) => decoded.filter((h) => h.tag === tag);
const endpoint = (name) => result.endpoints.find((e) => e.name === name);
check("the whole run's intervals decode to the result's counts and percentiles", () =>
  compare("timeline", byTag("NO TAG"), result.timeline));
for (const name of ["fast", "slow"]) {
  check(`endpoint ${name}'s intervals decode to its timeline`, () =>
    compare(name, byTag(name), endpoint(name).timeline));
  check(`endpoint ${name}'s intervals add up to its requests`, () => {
    const acc = hdr.build({ bitBucketSize: 64 });
    for (const h of byTag(name)) acc.add(h);
    assert(acc.totalCount === endpoint(name).requests, `sum ${acc.totalCount}, requests ${endpoint(name).requests}`);
    assert(acc.totalCount > 100, `only ${acc.totalCount} requests`);
  });
}
check("--endpoint slow writes that endpoint alone, identical to its lines in the whole log", () => {
  const only = readAll(readFileSync(slowLog, "utf8"));
  assert(only.every((h) => h.tag === "slow"), "a line without the tag");
  compare("slow-only", only, endpoint("slow").timeline);
});
check("the slow endpoint is slower at p50 (the decoded data is the recorded data)", () => {
  const p = (name) => { const a = hdr.build({ bitBucketSize: 64 }); for (const h of byTag(name)) a.add(h); return a.getValueAtPercentile(50); };
  assert(p("slow") > p("fast") + 2000, `slow p50 ${p("slow")} us, fast ${p("fast")} us`);
});
check("an unknown --endpoint is a usage error naming the endpoints", () => {
  try {
    execFileSync(perfgate, ["export", resultPath, "--hlog", join(dir, "x.hlog"), "--endpoint", "nope"], { stdio: "pipe" });
    assert(false, "exit 0");
  } catch (e) {
    assert(e.status === 2, `exit ${e.status}`);
    assert(String(e.stderr).includes("fast, slow"), String(e.stderr));
  }
});
finish();
