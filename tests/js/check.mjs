// What the Node test scripts (tests/hdrlog, tests/kubernetes, tests/telemetry) share: named checks
// that are counted and reported without stopping at the first failure, a temporary directory that
// is removed however the script ends, and the summary line with the exit code ctest reads.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let passed = 0;
let failed = 0;

/** A failed assert: reported by its message alone (any other exception with its stack). */
class CheckFailure extends Error {}

/** Throws a CheckFailure with `message` unless `condition` holds. */
export function assert(condition, message) {
  if (!condition) throw new CheckFailure(message);
}

/** Counts a failure of `name` caused by `error` and prints it as "FAILED name: ...". */
export function fail(name, error) {
  failed++;
  console.log(`FAILED ${name}: ${error instanceof CheckFailure ? error.message : error.stack || error.message}`);
}

/**
 * Runs `fn` as the check `name`: passed when it returns (or its promise resolves), failed when it
 * throws (or rejects). A synchronous `fn` is counted before check returns; await the returned
 * promise for an asynchronous one.
 */
export function check(name, fn) {
  try {
    const outcome = fn();
    if (outcome && typeof outcome.then === "function") {
      return outcome.then(() => { passed++; }, (e) => fail(name, e));
    }
    passed++;
  } catch (e) {
    fail(name, e);
  }
  return Promise.resolve();
}

const tempDirs = [];
const removeTempDirs = () => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};
process.on("exit", removeTempDirs);  // also after an uncaught exception
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.log(`FAILED: stopped by ${signal}`);
    process.exit(1);
  });
}

/** A new directory under the system's temporary directory, named `prefix` + random characters,
 *  removed with everything in it when the process exits (normally, by an uncaught exception, or by
 *  SIGINT/SIGTERM). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Prints "N passed, M failed" and exits: 0 when nothing failed and something passed, else 1. */
export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
