#!/usr/bin/env bash
# The house rules a machine can check (CONTRIBUTING.md), run by `scripts/dev.sh test` before ctest:
#   1. clang-format --dry-run over the C++ files (.cpp, .h) changed since the lint base, or over
#      every tracked one with PERFGATE_LINT_ALL=1 (about 2 s for the whole tree);
#   2. clang-tidy (.clang-tidy) over the .cpp files changed since the lint base, warnings as errors.
# "Changed" is, in this order: $PERFGATE_LINT_BASE (a commit); else the commit recorded in
# scripts/lint-base, when this clone has it (a fresh `git clone` does; a --depth 1 clone does not);
# else the files HEAD itself changed. Files deleted since the base and sources outside the build's
# compile_commands.json (fuzz targets in a normal build) are skipped.
# Usage: scripts/lint.sh [--fix]      (--fix: clang-format -i the same files instead; tidy as usual)
# Environment: BUILD_DIR (default build, must be configured), JOBS (default nproc),
#              PERFGATE_SKIP_TIDY=1 runs the format check only.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
fix=0
[[ ${1:-} == --fix ]] && fix=1

base=${PERFGATE_LINT_BASE:-$(tr -d '[:space:]' <scripts/lint-base)}
if git cat-file -e "${base}^{commit}" 2>/dev/null; then
  mapfile -t changed < <(git diff --name-only --diff-filter=AMR "$base" -- '*.cpp' '*.h')
  what="changed since $base"
else
  mapfile -t changed < <(git diff-tree --no-commit-id --name-only --diff-filter=AMR -r HEAD -- '*.cpp' '*.h')
  what="changed by HEAD (base $base not in this clone)"
fi
existing=()
for f in "${changed[@]}"; do [[ -f $f ]] && existing+=("$f"); done
if [[ ${PERFGATE_LINT_ALL:-0} == 1 ]]; then
  mapfile -t sources < <(git ls-files '*.cpp' '*.h')
  format_what="tracked"
else
  sources=("${existing[@]}")
  format_what=$what
fi

if ((${#sources[@]} > 0)); then
  if ((fix)); then
    clang-format -i "${sources[@]}"
  elif ! clang-format --dry-run --Werror "${sources[@]}"; then
    echo "lint.sh: files above are not clang-formatted; run scripts/lint.sh --fix (formatting-only commit)" >&2
    exit 1
  fi
fi
echo "lint.sh: clang-format: ${#sources[@]} file(s) $format_what, clean"

[[ ${PERFGATE_SKIP_TIDY:-0} == 1 ]] && exit 0
db="$BUILD_DIR/compile_commands.json"
[[ -f $db ]] || { echo "lint.sh: $db missing; configure the build first" >&2; exit 1; }
targets=()
for f in "${existing[@]}"; do
  [[ $f == *.cpp ]] && grep -q "\"file\": \"$PWD/$f\"" "$db" && targets+=("$f")
done
if ((${#targets[@]} == 0)); then
  echo "lint.sh: clang-tidy: no C++ source $what"
  exit 0
fi
echo "lint.sh: clang-tidy: ${#targets[@]} file(s) $what"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# g++-only warning flags in the compile database are not errors for clang.
printf '%s\n' "${targets[@]}" |
  xargs -P "$JOBS" -n 1 clang-tidy -p "$BUILD_DIR" --quiet --warnings-as-errors='*' \
    --extra-arg=-Wno-unknown-warning-option 2>&1 |
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' |
  tee "$log" || true
if grep -q -E '(warning|error): ' "$log"; then
  echo "lint.sh: clang-tidy found the problems above (.clang-tidy; see CONTRIBUTING.md)" >&2
  exit 1
fi
echo "lint.sh: clang-tidy: clean"
