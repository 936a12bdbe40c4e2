#!/usr/bin/env bash
# The test command (README): sets up, builds native, sanitized and wasm binaries
# and the page, then runs every test suite. Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log_dir=$root/build/test-logs
passed=0
failed=0

note() { printf '\n== %s\n' "$*"; }
fail_stage() { echo "FAILED: $1"; failed=$((failed + 1)); }

# Runs a suite, shows its output, and adds its counts: ctest's summary line, or
# a final "N passed, M failed" line; a suite printing neither counts as one test.
suite() {
  local name=$1; shift
  note "$name"
  local log=$log_dir/$name.log
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
  elif line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1) && [ -n "$line" ]; then
    local total=${line##*out of }; f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/'); p=$((total - f))
  else
    if [ "$rc" -eq 0 ]; then p=1; f=0; else p=0; f=1; fi
  fi
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  passed=$((passed + p)); failed=$((failed + f))
  echo "-- $name: $p passed, $f failed (exit $rc)"
}

note "setup"
bash .ci/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
note "build"
if ! bash .ci/build.sh; then echo "build failed"; echo "0 passed, 1 failed"; exit 1; fi
mkdir -p "$log_dir"

suite unit ctest --test-dir build --output-on-failure -j2
note "build with AddressSanitizer + UndefinedBehaviorSanitizer"
if CC=clang-14 CXX=clang++-14 cmake -S . -B build-asan -DWHICHGPU_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
   cmake --build build-asan -j2 --target whichgpu_tests whichgpu; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    suite unit-asan-ubsan ctest --test-dir build-asan --output-on-failure -j2
else
  fail_stage "sanitizer build"
fi
suite wasm-node node tests/node/golden.mjs build-wasm build/whichgpu
suite cli bash tests/cli/run.sh build/whichgpu
if [ -f tests/fuzz/run_ci.sh ]; then suite fuzz bash tests/fuzz/run_ci.sh; fi
if [ -f tests/browser/run.mjs ]; then suite browser node tests/browser/run.mjs --web build/web --cli build/whichgpu; fi
suite readme-run-command bash tests/cli/readme_run.sh

note "benchmarks (figures, not tests)"
./build/whichgpu bench || true
node tests/node/bench.mjs build-wasm || true

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
