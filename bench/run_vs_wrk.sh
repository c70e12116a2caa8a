#!/usr/bin/env bash
# Side-by-side: wrk and `perfgate run` with the same shape (1 thread, 64 connections kept busy,
# 10 s) against the same instant-answer servers (perfgate_instant_server, then nginx), servers
# pinned to CPU 0 and clients to CPU 1. Prints req/s and client CPU microseconds per request for
# both, and perfgate's cost relative to wrk. Usage: bench/run_vs_wrk.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail

build=${1:-build}
rounds=${2:-3}
port_instant=18090
port_nginx=18091
duration=10

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || need+=(nginx-light)
command -v taskset >/dev/null || need+=(util-linux)
if ((${#need[@]})); then apt-get install -y "${need[@]}"; fi
[[ -x $build/bin/perfgate && -x $build/bench/perfgate_instant_server ]] || ninja -C "$build" perfgate perfgate_instant_server

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

taskset -c 0 "$build/bench/perfgate_instant_server" "$port_instant" &
pids+=($!)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port_nginx;
    location / { return 200 "ok"; }
  }
}
CONF
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
sleep 1

# CPU seconds (user + system) the command's process tree used, then its output.
cpu_of() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{r.ru_utime + r.ru_stime:.4f}")
print(out.stdout)
PY
}

printf '%-8s %-6s %-9s %12s %16s\n' server round client 'req/s' 'CPU us/request'
for server in instant nginx; do
  port=$port_instant
  [[ $server == nginx ]] && port=$port_nginx
  for ((round = 1; round <= rounds; round++)); do
    out=$(cpu_of taskset -c 1 wrk -t1 -c64 -d${duration}s "http://127.0.0.1:$port/")
    cpu=$(head -1 <<<"$out")
    rps=$(grep -oP 'Requests/sec:\s*\K[0-9.]+' <<<"$out")
    wrk_cost=$(python3 -c "print(f'{$cpu * 1e6 / ($rps * $duration):.2f}')")
    printf '%-8s %-6s %-9s %12.0f %16s\n' "$server" "$round" wrk "$rps" "$wrk_cost"

    out=$(cpu_of taskset -c 1 "$build/bin/perfgate" run --url "http://127.0.0.1:$port/" --vus 64 \
          --duration ${duration}s --threads 1 --quiet --out "$work/r.json")
    cpu=$(head -1 <<<"$out")
    read -r prps requests < <(python3 -c "import json; r=json.load(open('$work/r.json')); print(r['achieved_rps'], sum(e['requests'] for e in r['endpoints']))")
    pg_cost=$(python3 -c "print(f'{$cpu * 1e6 / $requests:.2f}')")
    printf '%-8s %-6s %-9s %12.0f %16s   (x%s wrk CPU per request)\n' "$server" "$round" perfgate "$prps" "$pg_cost" \
      "$(python3 -c "print(f'{$pg_cost / $wrk_cost:.2f}')")"
  done
done
