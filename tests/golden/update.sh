#!/usr/bin/env bash
# Regenerates the golden responses from the native CLI. Run only after a change
# whose new figures you have checked; review the diff before committing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=${1:-$here/../../build/whichgpu}
for req in "$here"/*.request.json; do
  out=${req%.request.json}.response.json
  "$cli" evaluate "$req" > "$out" || true
done
echo "updated $(ls "$here"/*.response.json | wc -l) golden responses"
