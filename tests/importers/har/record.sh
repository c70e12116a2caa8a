#!/usr/bin/env bash
# Re-records testbed-journey.har: starts a throw-away PostgreSQL and perfgate-testbed (through
# bench's perfgate_testbed_serve), then runs record_journey.mjs in headless Chromium.
# Reports are slowed by 400 ms (--delay-ms) so that the asynchronous job is still running for a few
# polls, which the importer must recognise as a polling loop.
# Needs: chromium (Debian), node + npm; installs playwright-core here on first use.
# Usage: tests/importers/har/record.sh [BUILD_DIR]     (default: build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-build}" && pwd)
[[ -d $here/node_modules/playwright-core ]] || npm ci --prefix "$here" --no-audit --no-fund >/dev/null
log=$(mktemp)
PERFGATE_TESTBED_BIN="$build/bin/perfgate-testbed" "$build/bench/perfgate_testbed_serve" --delay-ms 400 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 600); do grep -q "^url " "$log" && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
url=$(sed -n 's/^url //p' "$log")
[[ -n $url ]] || { cat "$log" >&2; exit 3; }
node "$here/record_journey.mjs" "$url" "$here/testbed-journey.har"
