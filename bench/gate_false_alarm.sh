#!/usr/bin/env bash
# The gate's live protocol (issue 13): does `perfgate gate --baseline` cry wolf, does it catch real
# slowdowns, and does it ever pass one? Every run is a real quick-mode `perfgate run` (100 req/s,
# 1 thread) against perfgate_delay_server on 127.0.0.1 with a 20 ms service delay. Each repetition:
#   12 s baseline against the 20 ms server, then candidates gated against it:
#     A/A   12 s, 20 ms          -> must never fail (exit 1)
#     +15%  12 s, 23 ms          -> must fail in >= 9 of 10
#     +5%   12 s, 21 ms          -> must never pass (fail or inconclusive or warn)
#   and a 30 s baseline with a 30 s candidate:
#     +10%  30 s, 22 ms          -> must fail in >= 9 of 10
# Every other candidate runs against the server restarted on another port (another target, the same
# workload: a preview deployment), so the target-independent workload hash is exercised too.
# Repetitions past AB_PAIRS run only the A/A pair.
# Usage: bench/gate_false_alarm.sh [BUILD_DIR] [AA_PAIRS] [AB_PAIRS]   (~45 minutes at 40/10)
set -euo pipefail

build=${1:-build}
aa_pairs=${2:-40}
ab_pairs=${3:-10}
ports=(18093 18094)
rate=100
delay_ms=20

[[ -x $build/bin/perfgate && -x $build/bench/perfgate_delay_server ]] || ninja -C "$build" perfgate perfgate_delay_server

work=$(mktemp -d)
server_pid=
port=${ports[0]}
cleanup() { if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

# serve DELAY_MS PORT: (re)starts the delay server.
serve() {
  if [[ -n $server_pid ]]; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  port=$2
  "$build/bench/perfgate_delay_server" "$port" --delay-ms "$1" &
  server_pid=$!
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "delay server did not start on port $port" >&2
  exit 3
}

# run OUT DURATION
run() {
  "$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --rate "$rate" --duration "$2" --threads 1 \
    --quiet --out "$1" >/dev/null
}

# Gates RUN against BASE; prints "exit verdict p50_change p50_interval p95_change p95_interval late".
gate() {
  local code=0
  "$build/bin/perfgate" gate "$2" --baseline "$1" --out "$work/gate.json" >/dev/null 2>&1 || code=$?
  python3 - "$work/gate.json" "$code" "$1" "$2" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
def check(suffix):
    return next((c for c in g["checks"] if c["id"].endswith(suffix) and c.get("phase", "") == ""), {})
def pct(v):
    return "?" if v is None else f'{v * 100:+.1f}%'
def interval(c):
    return f'[{pct(c.get("change_low"))},{pct(c.get("change_high"))}]'
def late(path):
    r = json.load(open(path))
    n = sum(e["requests"] for e in r["endpoints"] if e.get("kind", "request") != "step")
    return f'{100 * r["generator"]["requests_behind"] / max(n, 1):.1f}%'
p50, p95 = check(":p50_shift"), check(":p95_shift")
print(sys.argv[2], g["overall"], pct(p50.get("change", 0)), interval(p50), pct(p95.get("change", 0)), interval(p95),
      f'{late(sys.argv[3])}/{late(sys.argv[4])}')
PY
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "protocol: $aa_pairs A/A + $ab_pairs x (+15% 12 s, +5% 12 s, +10% 30 s) pairs, $rate req/s, delay $delay_ms ms"
printf '%-4s %-5s %-4s %-13s %-7s %-17s %-7s %-17s %s\n' pair kind exit verdict p50 p50_interval p95 p95_interval late

declare -A fails passes count
record() {  # KIND CODE VERDICT
  count[$1]=$((${count[$1]:-0} + 1))
  if (($2 == 1)); then fails[$1]=$((${fails[$1]:-0} + 1)); fi
  if [[ $3 == pass ]]; then passes[$1]=$((${passes[$1]:-0} + 1)); fi
}
# pair KIND BASE DELAY DURATION I: runs a candidate (on the other port for odd I) and gates it.
pair() {
  local other=${ports[$(($5 % 2))]}
  serve "$3" "$other"
  run "$work/cand.json" "$4"
  read -r code verdict c50 i50 c95 i95 late < <(gate "$2" "$work/cand.json")
  printf '%-4s %-5s %-4s %-13s %-7s %-17s %-7s %-17s %s\n' "$5" "$1" "$code" "$verdict" "$c50" "$i50" "$c95" "$i95" "$late"
  record "$1" "$code" "$verdict"
}

for ((i = 1; i <= aa_pairs || i <= ab_pairs; i++)); do
  serve "$delay_ms" "${ports[0]}"
  run "$work/base.json" 12s
  if ((i <= aa_pairs)); then pair A/A "$work/base.json" "$delay_ms" 12s "$i"; fi
  if ((i <= ab_pairs)); then
    pair +15% "$work/base.json" 23 12s "$i"
    pair +5% "$work/base.json" 21 12s "$i"
    serve "$delay_ms" "${ports[0]}"
    run "$work/base30.json" 30s
    pair +10% "$work/base30.json" 22 30s "$i"
  fi
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for kind in A/A +15% +5% +10%; do
  echo "$kind: ${count[$kind]:-0} pairs, fail (exit 1) ${fails[$kind]:-0}, pass ${passes[$kind]:-0}"
done
if ((${fails[A/A]:-0} > 0)); then echo "FAIL: an A/A pair failed"; status=1; fi
if ((${fails[+15%]:-0} * 10 < ${count[+15%]:-0} * 9)); then echo "FAIL: fewer than 9 in 10 +15% pairs failed"; status=1; fi
if ((${fails[+10%]:-0} * 10 < ${count[+10%]:-0} * 9)); then echo "FAIL: fewer than 9 in 10 +10% pairs failed"; status=1; fi
if ((${passes[+5%]:-0} > 0)); then echo "FAIL: a +5% pair passed"; status=1; fi
exit $status
