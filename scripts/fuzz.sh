#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (default 20 s) on a copy
# of its corpus. A crash fails the script and its input is saved into fuzz/corpus/<target>/ so it
# becomes a regression test (tests replay every corpus file).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-20}
shift || true
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DPERFGATE_FUZZ=ON -DPERFGATE_BUILD_TESTS=OFF \
  -DPERFGATE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=("$@")
if ((${#targets[@]} == 0)); then
  mapfile -t targets < <(sed -n 's/^perfgate_add_fuzzer(\([a-z_]*\) .*/\1/p' fuzz/CMakeLists.txt)
fi
cmake --build "$BUILD_DIR" -j "$(nproc)" --target "${targets[@]}"

status=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s"
  if ! (cd "$work" && "$OLDPWD/$BUILD_DIR/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$work/" "$work" 2>"$work/log.txt"); then
    status=1
    echo "fuzz: $t FOUND A CRASH"
    tail -40 "$work/log.txt"
    for crash in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
      [[ -f $crash ]] && cp "$crash" "fuzz/corpus/$t/" && echo "fuzz: saved $(basename "$crash") to fuzz/corpus/$t/"
    done
  else
    grep -E 'stat::number_of_executed_units' "$work/log.txt" | sed "s/^/fuzz: $t /" || true
  fi
  rm -rf "$work"
done
exit $status
