#!/usr/bin/env bash
# The run command (README): installs what is needed, builds the wasm module and
# the page, and serves it on 127.0.0.1 (PORT, default 8080). Never exits.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
WHICHGPU_SKIP_NATIVE=${WHICHGPU_SKIP_NATIVE:-1} bash .ci/build.sh
export PORT=${PORT:-8080}
if [ -f web/serve.mjs ]; then
  exec node web/serve.mjs build/web
fi
echo "whichgpu: http://127.0.0.1:$PORT/"
exec python3 -m http.server --bind 127.0.0.1 "$PORT" --directory build/web
