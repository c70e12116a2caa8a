#!/usr/bin/env bash
# The limit search's accuracy protocol (bench/README.md "Finding the limit"): REPEATS searches with
# `perfgate run --url ... --find-limit` against each of two loopback servers of known capacity:
#   delay:   perfgate_delay_server --workers 4 --delay-ms 20: 4 requests in service at once, 20 ms each,
#            the rest queue => 200 requests/s; above it the queue (and p95) grows: p95 must break first.
#   testbed: perfgate-testbed --pool-size 4 --pool-hold-ms 20 --pool-timeout-ms 50 on GET /ready
#            (select 1 through the pool): ~200 requests/s less the query's own time; above it requests
#            wait 50 ms for a connection and get 503: error_rate must break first, p95 stays low.
#            POOL_TIMEOUT_MS=1000 instead lets them queue past the SLO's 250 ms: p95 must break first.
# Each search must find max_sustainable_rps within 10% of the capacity and name the right rule; the
# bar is 9 of 10 per server. A last search against a server far faster than one generator thread
# (perfgate_instant_server --json-items 2000: one send of a prebuilt ~9 KB body, while a JSON check
# makes the generator parse it) must end generator_limited rather than report the generator's ceiling.
# Usage: bench/find_limit.sh [BUILD_DIR] [REPEATS] [delay|testbed|generator ...]  (~1 min per search)
# On a busy machine run it as `chrt -f 20 bench/find_limit.sh ...` (the servers and PostgreSQL inherit
# the real-time policy); the script prints the load average and the scheduling policy beside the figures.
set -euo pipefail

build=${1:-build}
repeats=${2:-10}
shift 2 || true
parts=("${@:-delay testbed generator}")
parts=(${parts[*]})
port=18097
slo="p95 < 250ms, error_rate < 1%"
search_flags=(--find-limit-start 50 --find-limit-hold 4s --find-limit-warm-up 2s --threads 1 --quiet)

[[ -x $build/bin/perfgate && -x $build/bench/perfgate_delay_server && -x $build/bench/perfgate_testbed_serve &&
  -x $build/bench/perfgate_instant_server ]] ||
  ninja -C "$build" perfgate perfgate_delay_server perfgate_testbed_serve perfgate-testbed perfgate_instant_server

work=$(mktemp -d)
server_pid=
stop_server() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

serve_delay() { serve_epoll perfgate_delay_server "$@"; }

serve_epoll() {
  stop_server
  local binary=$1
  shift
  "$build/bench/$binary" "$port" "$@" &
  server_pid=$!
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then url="http://127.0.0.1:$port/"; return; fi
    sleep 0.1
  done
  echo "$binary did not start on port $port" >&2
  exit 3
}

serve_testbed() {
  stop_server
  PERFGATE_TESTBED_BIN="$(realpath "$build/bin/perfgate-testbed")" "$build/bench/perfgate_testbed_serve" "$@" >"$work/testbed.out" &
  server_pid=$!
  for _ in $(seq 600); do
    if grep -q '^url ' "$work/testbed.out"; then url="$(sed -n 's/^url //p' "$work/testbed.out")/ready"; return; fi
    sleep 0.1
  done
  echo "testbed did not start" >&2
  exit 3
}

# Prints "verdict max_sustainable first_failing broken_first steps" of a result file.
summary() {
  python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["limit_search"]
fmt = lambda v: "-" if v is None else f"{v:.1f}"
print(s["verdict"], fmt(s["max_sustainable_rps"]), fmt(s["first_failing_rps"]), s["broken_first"] or "-", len(s["steps"]))
PY
}

# series NAME CAPACITY EXPECTED_RULE: REPEATS searches against $url.
series() {
  local name=$1 capacity=$2 rule=$3 within=0 named=0
  echo "== $name: capacity $capacity requests/s, SLO \"$slo\", expected to break first: $rule"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); scheduling: $(chrt -p $$ | sed -n 's/.*policy: //p' | head -1)"
  echo "run verdict max_sustainable first_failing broken_first steps within10% named"
  for i in $(seq "$repeats"); do
    local code=0
    "$build/bin/perfgate" run --url "$url" --find-limit "$slo" "${search_flags[@]}" --out "$work/$name-$i.json" \
      >/dev/null || code=$?
    read -r verdict max first broken steps < <(summary "$work/$name-$i.json")
    local ok nm
    ok=$(python3 -c "print(1 if '$max' != '-' and abs(float('$max') / $capacity - 1) <= 0.10 else 0)")
    nm=$([[ $broken == "$rule" ]] && echo 1 || echo 0)
    within=$((within + ok))
    named=$((named + nm))
    echo "$i $verdict $max $first $broken $steps $ok $nm (exit $code)"
  done
  echo "$name: within 10% of capacity in $within of $repeats; $rule named first in $named of $repeats"
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
}

for part in "${parts[@]}"; do
  case $part in
    delay)
      serve_delay --delay-ms 20 --workers 4
      series delay 200 p95
      ;;
    testbed)
      pool_timeout_ms=${POOL_TIMEOUT_MS:-50}
      serve_testbed --pool-size 4 --pool-hold-ms 20 --pool-timeout-ms "$pool_timeout_ms"
      # Waiting longer than the SLO's p95 for a connection shows as latency first; a shorter wait as 503s.
      series "testbed-timeout-${pool_timeout_ms}ms" 200 "$( ((pool_timeout_ms > 250)) && echo p95 || echo error_rate)"
      ;;
    generator)
      serve_epoll perfgate_instant_server --json-items 2000
      cat >"$work/gen-scenario.json" <<JSON
{"name": "generator-bound", "target": {"base_url": "${url%/}"},
 "load": {"model": "open", "stages": [{"duration": "10s", "target_rps": 100}]},
 "endpoints": [{"name": "json", "request": {"path": "/",
                "checks": [{"json_pointer": "/rows", "matches": "^[0-9]+\$"}]}}]}
JSON
      code=0
      "$build/bin/perfgate" run "$work/gen-scenario.json" --find-limit "$slo" --find-limit-start 1000 \
        --find-limit-max 1000000 --find-limit-growth 2 --find-limit-hold 3s --find-limit-warm-up 1s --threads 1 --quiet \
        --out "$work/gen.json" >/dev/null || code=$?
      echo "== generator-bound search (instant server, ~9 KB JSON bodies the generator checks; one generator thread)"
      echo "verdict max_sustainable first_failing broken_first steps: $(summary "$work/gen.json") (exit $code)"
      python3 - "$work/gen.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["limit_search"]
for st in s["steps"]:
    g = st["generator"]
    print(f'  offered {st["offered_rps"]:.0f}/s achieved {st["achieved_rps"]:.0f}/s {st["verdict"]} {g.get("cause", "")}'
          f' cpu {g["cpu_percent"]:.0f}% io_wait {g.get("io_wait_percent", -1):.0f}%')
print("  note:", s["note"])
PY
      ;;
  esac
done
