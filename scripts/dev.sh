#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then runs
#   scripts/dev.sh demo   -> perfgate demo (the bundled report service on a throw-away PostgreSQL)
#   scripts/dev.sh test   -> the whole test suite through ctest
#   scripts/dev.sh build  -> set-up and build only
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release), JOBS (default nproc).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:-demo}
BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-Release}
JOBS=${JOBS:-$(nproc)}

# Build and run dependencies, all from Debian 12.
packages=(
  cmake ninja-build g++ pkg-config git ca-certificates
  libcurl4-openssl-dev libssl-dev zlib1g-dev libpqxx-dev libpq-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev libpg-query-dev libcpp-httplib-dev
  postgresql-15 postgresql-contrib postgresql-15-hypopg
  procps util-linux
)
if [[ $mode == test ]]; then
  # The HTML report is checked in a real browser.
  packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "dev.sh: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPERFGATE_WERROR=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"

case $mode in
  build) ;;
  test)
    ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 600
    ;;
  demo)
    shift || true
    exec "$BUILD_DIR/bin/perfgate" demo "$@"
    ;;
  *)
    echo "usage: scripts/dev.sh demo|test|build" >&2
    exit 2
    ;;
esac
