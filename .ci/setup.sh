#!/usr/bin/env bash
# Installs what whichgpu needs to build and test, every time it runs (idempotent):
# Debian packages (compilers, Emscripten, nlohmann/json, Catch2, Chromium) and the
# page's npm packages (npm ci from the committed package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ clang-14 libclang-rt-14-dev emscripten nlohmann-json3-dev catch2
          chromium chromium-driver curl python3 gzip)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "setup: Debian packages present (${#packages[@]} checked)"
fi
command -v node >/dev/null || { echo "setup: Node.js (>= 20) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm is required" >&2; exit 1; }
if [ -f web/package-lock.json ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
