#!/usr/bin/env bash
# Many long SSE streams from one perfgate process (issue 15): STREAMS closed-model users each hold one
# stream of bench/sse_server.cpp for SECONDS (an event every INTERVAL_MS), ramped in over RAMP seconds.
# Prints, from the result: streams that got a first event and that completed, time to first event,
# the largest gap between two events of a stream (starvation), the generator's RSS per open stream
# ((peak - idle) / streams), and the server's own worst lateness (a gap the server caused, not perfgate).
# Usage: bench/sse_streams.sh BUILD_DIR [STREAMS=10000] [SECONDS=60]
#        env: INTERVAL_MS=1000 RAMP=10 PORT=18930
set -euo pipefail

build=${1:?usage: bench/sse_streams.sh BUILD_DIR [STREAMS] [SECONDS]}
streams=${2:-10000}
seconds=${3:-60}
interval_ms=${INTERVAL_MS:-1000}
ramp=${RAMP:-10}
port=${PORT:-18930}
perfgate="$build/bin/perfgate"
server="$build/bench/perfgate_sse_server"
for b in "$perfgate" "$server"; do
  [[ -x $b ]] || { echo "sse_streams.sh: $b not built (cmake --build $build --target perfgate perfgate_sse_server)" >&2; exit 2; }
done
need=$((streams + 300))
if (( $(ulimit -Hn) < need )); then
  echo "sse_streams.sh: $streams streams need $need descriptors per process; hard limit is $(ulimit -Hn) (ulimit -Hn)" >&2
  exit 2
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The users ramp in over RAMP s (10,000 connects at one instant measure the kernel's accept queue, not
# the streams), each runs exactly one stream (iterations = users), and the schedule lasts long enough
# for the last stream to end on its own.
cat > "$work/streams.json" <<EOF
{"name": "sse-streams", "target": {"base_url": "http://127.0.0.1:$port"},
 "load": {"model": "closed", "start_vus": 0, "iterations": $streams,
          "stages": [{"duration": "${ramp}s", "target_vus": $streams},
                     {"duration": "${seconds}s", "target_vus": $streams}]},
 "endpoints": [{"name": "events", "request": {"path": "/events", "timeout": "$((seconds + ramp + 60))s",
   "expect_status": [200], "stream": {"format": "sse"}, "checks": [{"body_contains": "event: done"}]}}]}
EOF

"$server" "$port" --interval-ms "$interval_ms" --duration-s "$seconds" > "$work/server.txt" &
server_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

echo "sse_streams: $streams streams x ${seconds} s, an event every ${interval_ms} ms, ramp ${ramp} s; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
set +e
"$perfgate" run "$work/streams.json" --quiet --out "$work/result.json" > "$work/run.txt" 2>&1
rc=$?
set -e
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
if [[ $rc -ne 0 ]]; then
  cat "$work/run.txt" >&2
  echo "sse_streams.sh: perfgate exited $rc" >&2
  exit "$rc"
fi
cat "$work/server.txt"

python3 - "$work/result.json" "$streams" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
streams = int(sys.argv[2])
e = r["endpoints"][0]
m = e["metrics"]
g = r["generator"]
def ms(v): return f"{v / 1000:.1f} ms"
def line(name, key):
    h = m.get(key, {})
    if not h:
        print(f"{name:24} none")
        return
    print(f"{name:24} n={h['count']:>6}  p50 {ms(h['p50'])}  p99 {ms(h['p99'])}  max {ms(h['max'])}")
print(f"streams                  {streams} asked, {e['requests']} ended, errors {e['errors']['total']}, "
      f"completed {e.get('tallies', {}).get('stream', {}).get('completed', 0)}")
print(f"first event              {m.get('time_to_first_event_us', {}).get('count', 0)} of {streams} streams")
line("time to first event", "time_to_first_event_us")
line("completion", "completion_us")
line("largest gap per stream", "max_event_gap_us")
ev = m.get("events", {})
print(f"events per stream        min {ev.get('min', 0):.0f}  max {ev.get('max', 0):.0f}")
per = g.get("rss_per_stream_bytes")
print(f"generator                peak open {g.get('peak_open_streams', 0)}, RSS idle {g['rss_idle_bytes'] / 2**20:.1f} MiB, "
      f"peak {g['rss_peak_bytes'] / 2**20:.1f} MiB, per open stream {per / 1024:.2f} KiB (target < 20 KiB), "
      f"CPU {g['cpu_percent']:.0f}% of a core")
EOF
