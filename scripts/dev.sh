#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then runs
#   scripts/dev.sh demo   -> perfgate demo (the bundled report service on a throw-away PostgreSQL)
#   scripts/dev.sh test   -> the whole test suite through ctest
#   scripts/dev.sh build  -> set-up and build only
# Environment: BUILD_DIR (default build), BUILD_TYPE (default Release), JOBS (default nproc).
# `test` also runs, each skippable for a quicker local loop (all ON by default, as in CI):
#   build-asan (AddressSanitizer + UBSan, Debug): the unit tests and the engine's integration tests
#                                                     PERFGATE_SKIP_SANITIZERS=1 skips it and TSan
#   build-tsan (ThreadSanitizer): the load engine's tests       PERFGATE_SKIP_TSAN=1
#   scripts/fuzz.sh 10: every fuzz target for 10 s              PERFGATE_SKIP_FUZZ=1
#   scripts/lint.sh: clang-format + clang-tidy on the files changed since scripts/lint-base
#                                                               PERFGATE_SKIP_LINT=1
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
  libyaml-cpp-dev
  postgresql-15 postgresql-contrib postgresql-15-hypopg
  procps util-linux
)
if [[ $mode == test ]]; then
  # The HTML report is checked in a real browser; fuzz targets need clang's libFuzzer; the TLS fault
  # test makes a self-signed certificate with openssl; the rendered Kubernetes manifests are validated
  # by node with the npm package of tests/kubernetes; HdrHistogram logs are decoded by node with
  # tests/hdrlog's; the Prometheus exposition is checked by promtool and scraped by a real Prometheus.
  # clang-format and clang-tidy check the house rules (scripts/lint.sh); man renders the generated
  # perfgate.1 in tests/cli/help_test.cpp.
  packages+=(chromium clang clang-format clang-tidy openssl nodejs man-db prometheus)
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

if [[ $mode == test ]]; then
  # Debian's nodejs ships npm as its own package; a nodejs that bundles npm must not get it too.
  if ! command -v npm >/dev/null; then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  [[ -d tests/kubernetes/node_modules/kubernetes-models ]] ||
    npm ci --prefix tests/kubernetes --no-audit --no-fund >/dev/null
  [[ -d tests/hdrlog/node_modules/hdr-histogram-js ]] ||
    npm ci --prefix tests/hdrlog --no-audit --no-fund >/dev/null
fi

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DPERFGATE_WERROR=ON >/dev/null
# The demo needs only the two binaries; the test suite and benchmarks are built for `test`/`build`.
if [[ $mode == demo ]]; then
  cmake --build "$BUILD_DIR" -j "$JOBS" --target perfgate perfgate-testbed
else
  cmake --build "$BUILD_DIR" -j "$JOBS"
fi

case $mode in
  build) ;;
  test)
    timed() {
      local label=$1 start=$SECONDS
      shift
      "$@"
      echo "dev.sh: $label took $((SECONDS - start)) s"
    }
    if [[ ${PERFGATE_SKIP_LINT:-0} != 1 ]]; then
      timed "lint" env BUILD_DIR="$BUILD_DIR" JOBS="$JOBS" scripts/lint.sh
    fi
    # Tests clean up after themselves (CONTRIBUTING.md): the suite runs with a TMPDIR of its own
    # (short: PostgreSQL's socket lives there), which must hold no perfgate-* entry afterwards.
    suite_tmp=$(mktemp -d /tmp/suite.XXXXXX)
    chmod 755 "$suite_tmp"  # throw-away clusters run as the postgres user
    trap 'rm -rf "$suite_tmp"' EXIT
    timed "tests ($BUILD_DIR)" env TMPDIR="$suite_tmp" \
      ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" --timeout 600
    left=$(find "$suite_tmp" -mindepth 1 -maxdepth 1 -name 'perfgate*' | head -20)
    if [[ -n $left ]]; then
      echo "dev.sh: the tests left these behind in TMPDIR (each test must remove what it creates):"
      echo "$left"
      exit 1
    fi
    # The engine is the part that runs threads against sockets: it gets both sanitizers. The
    # integration tests of other modules (PostgreSQL, browsers) gain little from ASan and cost minutes.
    engine_tests='^(Engine|FaultMatrix|TlsFault|Transport|Worker|RunCommand|Secrets|Reliability/)'
    if [[ ${PERFGATE_SKIP_SANITIZERS:-0} != 1 ]]; then
      sanitizer_flags=(-G Ninja -DCMAKE_BUILD_TYPE=Debug -DPERFGATE_WERROR=ON -DPERFGATE_BUILD_BENCH=OFF)
      timed "asan build" bash -c "cmake -S . -B build-asan ${sanitizer_flags[*]} -DPERFGATE_SANITIZE=ON >/dev/null &&
        cmake --build build-asan -j $JOBS"
      export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
      export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
      timed "asan unit tests" ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 600 -L unit
      timed "asan engine tests" ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 600 \
        -L integration -R "$engine_tests"
      if [[ ${PERFGATE_SKIP_TSAN:-0} != 1 ]]; then
        timed "tsan build" bash -c "cmake -S . -B build-tsan ${sanitizer_flags[*]} -DPERFGATE_TSAN=ON >/dev/null &&
          cmake --build build-tsan -j $JOBS --target perfgate_loadgen_engine_tests"
        export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
        timed "tsan engine tests" ctest --test-dir build-tsan --output-on-failure -j "$JOBS" --timeout 600 \
          -R '^Engine\.'
      fi
    fi
    if [[ ${PERFGATE_SKIP_FUZZ:-0} != 1 ]]; then
      timed "fuzz smoke" scripts/fuzz.sh 10
    fi
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
