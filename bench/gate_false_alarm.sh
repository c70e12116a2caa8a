#!/usr/bin/env bash
# The gate's live protocol: how often does `perfgate gate --baseline` cry wolf on this machine, and
# how often does it catch a real slowdown? Every pair is two real `perfgate run` quick-mode runs
# (200 req/s, 12 s, 1 thread) against perfgate_delay_server on 127.0.0.1:
#   A/A: baseline and run against the same 8 ms server       -> must not fail (exit 0) in >= 19 of 20
#   A/B: the same baseline against a 9.6 ms server (+20%)     -> must fail (exit 1) in >= 9 of 10
# Each repetition runs baseline, A, then (first 10 repetitions) B; the server restarts on the same
# port between A and B so the scenario (and its hash) stays the same.
# Usage: bench/gate_false_alarm.sh [BUILD_DIR] [AA_PAIRS] [AB_PAIRS]     (~10 minutes at 20/10)
set -euo pipefail

build=${1:-build}
aa_pairs=${2:-20}
ab_pairs=${3:-10}
port=18093
rate=200
duration=12s
delay_ms=8
slow_delay_ms=9.6

[[ -x $build/bin/perfgate && -x $build/bench/perfgate_delay_server ]] || ninja -C "$build" perfgate perfgate_delay_server

work=$(mktemp -d)
server_pid=
cleanup() { if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

serve() {
  if [[ -n $server_pid ]]; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
  "$build/bench/perfgate_delay_server" "$port" --delay-ms "$1" &
  server_pid=$!
  for _ in $(seq 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "delay server did not start on port $port" >&2
  exit 3
}

run() {
  "$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --rate "$rate" --duration "$duration" --threads 1 \
    --quiet --out "$1" >/dev/null
}

# Gates RUN against BASE; prints "exit verdict p95_change p_value p50_change late_shares".
# late_shares: the share of requests each run (baseline/run) sent over 1 ms late; over 2.5% the
# comparison is inconclusive by design (docs/budgets.md).
gate() {
  local code=0
  "$build/bin/perfgate" gate "$2" --baseline "$1" --out "$work/gate.json" >/dev/null 2>&1 || code=$?
  python3 - "$work/gate.json" "$code" "$1" "$2" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
def check(suffix):
    return next((c for c in g["checks"] if c["id"].endswith(suffix) and c.get("phase", "") == ""), {})
def late(path):
    r = json.load(open(path))
    n = sum(e["requests"] for e in r["endpoints"] if e.get("kind", "request") != "step")
    return f'{100 * r["generator"]["requests_behind"] / max(n, 1):.1f}%'
p95, p50 = check(":p95_shift"), check(":p50_shift")
print(sys.argv[2], g["overall"], f'{p95.get("change", 0) * 100:+.1f}%', f'{p95.get("p_value", 1):.2g}',
      f'{p50.get("change", 0) * 100:+.1f}%', f'{late(sys.argv[3])}/{late(sys.argv[4])}')
PY
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "protocol: $aa_pairs A/A + $ab_pairs A/B pairs, $rate req/s for $duration, delay $delay_ms ms vs $slow_delay_ms ms"
printf '%-5s %-4s %-5s %-13s %-9s %-8s %-9s %s\n' pair kind exit verdict p95_shift p95_p p50_shift late

aa_alarms=0 aa_inconclusive=0 ab_caught=0 ab_inconclusive=0
for ((i = 1; i <= aa_pairs || i <= ab_pairs; i++)); do
  serve "$delay_ms"
  run "$work/base.json"
  if ((i <= aa_pairs)); then
    run "$work/a.json"
    read -r code verdict change p change50 late < <(gate "$work/base.json" "$work/a.json")
    printf '%-5s %-4s %-5s %-13s %-9s %-8s %-9s %s\n' "$i" A/A "$code" "$verdict" "$change" "$p" "$change50" "$late"
    if ((code == 1)); then aa_alarms=$((aa_alarms + 1)); fi
    if [[ $verdict == inconclusive ]]; then aa_inconclusive=$((aa_inconclusive + 1)); fi
  fi
  if ((i <= ab_pairs)); then
    serve "$slow_delay_ms"
    run "$work/b.json"
    read -r code verdict change p change50 late < <(gate "$work/base.json" "$work/b.json")
    printf '%-5s %-4s %-5s %-13s %-9s %-8s %-9s %s\n' "$i" A/B "$code" "$verdict" "$change" "$p" "$change50" "$late"
    if ((code == 1)); then ab_caught=$((ab_caught + 1)); fi
    if [[ $verdict == inconclusive ]]; then ab_inconclusive=$((ab_inconclusive + 1)); fi
  fi
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A/A false alarms (exit 1): $aa_alarms of $aa_pairs (inconclusive: $aa_inconclusive)"
echo "A/B detections   (exit 1): $ab_caught of $ab_pairs (inconclusive: $ab_inconclusive; caught among conclusive: $ab_caught of $((ab_pairs - ab_inconclusive)))"
status=0
if ((aa_alarms > aa_pairs / 20)); then echo "FAIL: more than 1 in 20 A/A pairs raised an alarm"; status=1; fi
if ((ab_caught * 10 < ab_pairs * 9)); then echo "FAIL: fewer than 9 in 10 A/B pairs were caught"; status=1; fi
exit $status
