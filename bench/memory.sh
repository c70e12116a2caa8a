#!/usr/bin/env bash
# Memory of the load generator itself, against the instant-answer server on loopback:
#   1. per open connection: peak RSS of `perfgate run` holding 64 and then 4,096 keep-alive
#      connections (closed model, one virtual user per connection), the difference divided by the
#      extra connections;
#   2. flat over a long run: `perfgate run` at 1,000 requests/s for LONG_SECONDS (default 600),
#      sampled by `perfgate profile` on its own PID every second; the profile's robust RSS slope
#      (MB/hour, with its ~95% interval) says whether memory grows.
# Usage: bench/memory.sh [BUILD_DIR] [LONG_SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
long=${2:-600}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
[[ -x $build/bin/perfgate && -x $build/bench/perfgate_instant_server ]] || ninja -C "$build" perfgate perfgate_instant_server
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
"$build/bench/perfgate_instant_server" "$port" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5
ulimit -n 65536 2>/dev/null || true

peak_kib() {  # runs a command, prints its peak RSS in KiB (GNU time's %M)
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
}
small=$(peak_kib "$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --vus 64 --connections 64 \
  --duration 10s --threads 1 --quiet --out "$work/small.json")
large=$(peak_kib "$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --vus 4096 --connections 4096 \
  --duration 10s --threads 1 --quiet --out "$work/large.json")
per_conn=$(( (large - small) * 1024 / (4096 - 64) ))
echo "peak RSS: 64 connections ${small} KiB, 4096 connections ${large} KiB -> ${per_conn} bytes per connection"

"$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --rate 1000 --duration "${long}s" --quiet \
  --out "$work/long.json" &
gen=$!
sleep 1
"$build/bin/perfgate" profile --pid "$gen" --duration "$((long - 5))s" --interval 1s --out "$work/profile.json" >/dev/null
wait $gen
python3 - "$work/profile.json" "$work/long.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["profile"]
r = json.load(open(sys.argv[2]))
s = p["processes"][0]["samples"]
rss = [x["rss_bytes"] / 2**20 for x in s]
print(f"long run: {r['achieved_rps']:.0f} req/s achieved over {r['duration_s']:.0f} s, {r['endpoints'][0]['requests']} requests")
print(f"RSS first minute {max(rss[:60]):.1f} MiB, last minute {max(rss[-60:]):.1f} MiB, peak {max(rss):.1f} MiB")
print(f"RSS slope {p['summary']['rss_slope_mb_per_hour']:.2f} +- {p['summary']['rss_slope_ci_mb_per_hour']:.2f} MB/hour")
PY
