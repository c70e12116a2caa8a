#!/usr/bin/env bash
# The limit search's accuracy protocol (bench/README.md "Finding the limit"): REPEATS searches with
# `perfgate run --url ... --find-limit` against perfgate_delay_server with a worker pool, a server of
# known capacity (WORKERS / DELAY requests per second). Each search must find max_sustainable_rps
# within 10% of the capacity and name p95 as the rule that broke first; the target is 9 of 10.
# A last search against the same server without a pool (capacity far above what one generator thread
# offers) must end generator_limited.
# Usage: bench/find_limit.sh [BUILD_DIR] [REPEATS] [WORKERS] [DELAY_MS]      (~1 minute per search)
set -euo pipefail

build=${1:-build}
repeats=${2:-10}
workers=${3:-4}
delay_ms=${4:-20}
port=18097
slo="p95 < 250ms, error_rate < 1%"

[[ -x $build/bin/perfgate && -x $build/bench/perfgate_delay_server ]] || ninja -C "$build" perfgate perfgate_delay_server

work=$(mktemp -d)
server_pid=
cleanup() { if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

serve() {
  if [[ -n $server_pid ]]; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  "$build/bench/perfgate_delay_server" "$port" --delay-ms "$delay_ms" "$@" &
  server_pid=$!
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "delay server did not start on port $port" >&2
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

capacity=$(python3 -c "print($workers / ($delay_ms / 1000.0))")
echo "server: $workers workers x ${delay_ms} ms = capacity ${capacity} requests/s; SLO \"$slo\""
echo "run verdict max_sustainable first_failing broken_first steps within10% named_p95"
serve --workers "$workers"
within=0
named=0
for i in $(seq "$repeats"); do
  code=0
  "$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --find-limit "$slo" --find-limit-start 20 \
    --find-limit-hold 5s --find-limit-warm-up 2s --threads 1 --quiet --out "$work/s$i.json" >/dev/null || code=$?
  read -r verdict max first broken steps < <(summary "$work/s$i.json")
  ok=$(python3 -c "print(1 if '$max' != '-' and abs($max / $capacity - 1) <= 0.10 else 0)" 2>/dev/null || echo 0)
  nm=$([[ $broken == p95 ]] && echo 1 || echo 0)
  within=$((within + ok))
  named=$((named + nm))
  echo "$i $verdict $max $first $broken $steps $ok $nm (exit $code)"
done
echo "within 10% of capacity: $within of $repeats; p95 named first: $named of $repeats"

# Generator-bound: no pool, 1 ms answers; the generator (one thread) is the bottleneck long before
# the server. The search must say so rather than report the generator's ceiling as the server's.
delay_ms=1
serve
code=0
"$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --find-limit "p95 < 250ms" --find-limit-start 1000 \
  --find-limit-max 1000000 --find-limit-growth 4 --find-limit-hold 3s --find-limit-warm-up 1s --threads 1 \
  --quiet --out "$work/gen.json" >/dev/null || code=$?
echo "generator-bound search: $(summary "$work/gen.json") (exit $code)"
