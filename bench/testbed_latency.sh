#!/usr/bin/env bash
# 100 sequential GET /health requests to perfgate-testbed over ONE keep-alive connection (curl reuses
# it), printing p50 / p99 / max of curl's time_total. /health does not touch the database, so the
# figure is the service's own HTTP overhead; before TCP_NODELAY 3 of 5 requests took ~40 ms.
# Usage: bench/testbed_latency.sh [BUILD_DIR]   (default: build)
set -euo pipefail
build=${1:-build}
log=$(mktemp)
"$build/bin/perfgate-testbed" --dsn "host=127.0.0.1 port=1" --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 50); do grep -q listening "$log" && break; sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$log")
urls=()
for _ in $(seq 1 100); do urls+=(-o /dev/null "http://127.0.0.1:$port/health"); done
curl -s -w '%{time_total}\n' "${urls[@]}" | sort -n |
  awk '{ v[NR] = $1 * 1000 } END { printf "requests %d  p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", NR, v[int(NR * 0.5)], v[int(NR * 0.99)], v[NR] }'
