#!/usr/bin/env bash
# Deterministic fuzzing for CI (issue 10): build the libFuzzer targets with
# ASan + UBSan, replay every corpus and regression input, then run a fixed
# number of mutated inputs from a fixed seed. Never writes into the repository:
# the fuzzers work on a temporary copy of the corpus.
#
#   bash tests/fuzz/run_ci.sh            # all targets
#   FUZZ_RUNS=20000 bash tests/fuzz/run_ci.sh fuzz_decide
#
# Environment: BUILD_DIR (default <repo>/build-fuzz), FUZZ_RUNS (default 2000),
# FUZZ_SEED (default 1), FUZZ_MAX_LEN (default 4096), JOBS (default 2).
# Prints "fuzz <target>: ok" per target (or FAILED with the log tail and the
# reproducer), then "N passed, N failed"; exits non-zero if any target failed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build-fuzz}"
RUNS="${FUZZ_RUNS:-2000}"
SEED="${FUZZ_SEED:-1}"
MAX_LEN="${FUZZ_MAX_LEN:-4096}"
JOBS="${JOBS:-2}"
ALL_TARGETS=(fuzz_evaluate fuzz_decide fuzz_config_import)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

# --- toolchain (TOOLCHAIN.md: a fresh machine has none of it) ------------------------
need=()
command -v clang++-14 >/dev/null 2>&1 || need+=(clang-14)
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
[ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
if [ "${#need[@]}" -gt 0 ]; then
  echo "fuzz: installing ${need[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "fuzz: need root to install ${need[*]}" >&2; exit 2; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- build --------------------------------------------------------------------------
t0=$SECONDS
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD_DIR" -DWHICHGPU_FUZZ=ON -DWHICHGPU_SANITIZE=ON \
  -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target "${TARGETS[@]}" >/dev/null
echo "fuzz: build $((SECONDS - t0)) s"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

# libFuzzer's comparison tracing feeds pointer values into its mutations, so with
# address-space randomisation two runs with the same seed drift apart (measured:
# fuzz_config_import, fuzz_decide). Without ASLR they repeat exactly.
NOASLR=()
if setarch "$(uname -m)" -R true >/dev/null 2>&1; then
  NOASLR=(setarch "$(uname -m)" -R)
else
  echo "fuzz: cannot disable ASLR here (setarch -R); runs are seeded but may differ slightly"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/whichgpu-fuzz.XXXXXX")"
keep_work=0
cleanup() { if [ "$keep_work" -eq 0 ]; then rm -rf "$WORK"; fi; }
trap cleanup EXIT

failed=()
passed=0
report_failure() {  # target, stage, log
  keep_work=1
  failed+=("$1")
  echo "fuzz $1: FAILED ($2, $((SECONDS - t1)) s)" >&2
  grep -v '^INFO:' "$3" | tail -n 40 >&2 || true
  echo "fuzz $1: what failed:" >&2
  grep -m 5 -E 'runtime error|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|contract violated|ALARM' "$3" >&2 || true
  local art
  art="$(ls "$WORK/$1/artifacts" 2>/dev/null | head -n 1 || true)"
  if [ -n "$art" ]; then
    echo "fuzz $1: reproducer $WORK/$1/artifacts/$art" >&2
    echo "fuzz $1: if it is new, add it to tests/fuzz/regressions/$1/ and a regression test (README.md)" >&2
  fi
}

for t in "${TARGETS[@]}"; do
  bin="$BUILD_DIR/tests/fuzz/$t"
  [ -x "$bin" ] || { echo "fuzz $t: no binary at $bin" >&2; exit 1; }
  [ -d "$HERE/corpus/$t" ] || { echo "fuzz $t: no corpus at tests/fuzz/corpus/$t" >&2; exit 1; }
  mkdir -p "$WORK/$t/artifacts" "$WORK/$t/corpus"
  # No -max_len on replay: libFuzzer would truncate longer inputs.
  common=(-timeout=30 -rss_limit_mb=4096 -artifact_prefix="$WORK/$t/artifacts/")
  t1=$SECONDS

  # 1. Replay: every seed and every past crash must pass.
  replay=("$HERE/corpus/$t")
  if [ -d "$HERE/regressions/$t" ] && [ -n "$(ls -A "$HERE/regressions/$t")" ]; then
    replay+=("$HERE/regressions/$t")
  fi
  n_replay=$(find "${replay[@]}" -type f ! -name '.*' | wc -l)
  if ! "${NOASLR[@]}" "$bin" -runs=0 "${common[@]}" "${replay[@]}" >"$WORK/$t/replay.log" 2>&1; then
    report_failure "$t" "replay of corpus and regressions" "$WORK/$t/replay.log"
    continue
  fi

  # 2. A fixed number of mutated inputs from a fixed seed, on a copy of the corpus.
  cp -R "$HERE/corpus/$t/." "$WORK/$t/corpus/"
  if ! "${NOASLR[@]}" "$bin" -seed="$SEED" -runs="$RUNS" -max_len="$MAX_LEN" -dict="$HERE/whichgpu.dict" "${common[@]}" "$WORK/$t/corpus" \
    >"$WORK/$t/fuzz.log" 2>&1; then
    report_failure "$t" "fuzz -seed=$SEED -runs=$RUNS" "$WORK/$t/fuzz.log"
    continue
  fi
  passed=$((passed + 1))
  echo "fuzz $t: ok (replayed $n_replay inputs, $RUNS runs with seed $SEED, $((SECONDS - t1)) s)"
done
echo "fuzz: total $((SECONDS - t0)) s"
[ "${#failed[@]}" -eq 0 ] || echo "fuzz: failed: ${failed[*]} (logs and reproducers kept in $WORK)" >&2
echo "$passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
