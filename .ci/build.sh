#!/usr/bin/env bash
# Builds the native CLI + tests (build/) and the WebAssembly module (build-wasm/),
# then the static page (build/web/). Emscripten needs NODE_PATH for acorn (TOOLCHAIN trap 1).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
export NODE_PATH=/usr/share/nodejs
if [ "${WHICHGPU_SKIP_NATIVE:-0}" != 1 ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$jobs"
fi
emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-wasm -j"$jobs"
if [ -f web/build.mjs ]; then
  node web/build.mjs --wasm build-wasm --out build/web ${WHICHGPU_PUBLIC_URL:+--public-url "$WHICHGPU_PUBLIC_URL"}
fi
