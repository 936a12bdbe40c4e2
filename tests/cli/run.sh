#!/usr/bin/env bash
# CLI contract tests: exit codes and outputs of API.md's "CLI and exit codes".
set -uo pipefail
cli=${1:-build/whichgpu}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0
expect() {  # expect <exit code> <description> <command...>
  local want=$1 what=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $what: exit $got, want $want"; head -c 400 "$tmp/out"; fi
}
contains() {  # contains <text> <description>
  if grep -q -- "$1" "$tmp/out"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $2: output lacks $1"; fi
}
req='{"model":"meta-llama-3.1-8b","hardware":"nvidia-h100-sxm-80gb","workload":{"input_tokens":128,"output_tokens":64}}'
echo "$req" > "$tmp/ok.json"
expect 0 "evaluate from a file" "$cli" evaluate "$tmp/ok.json"; contains '"ok": true' "evaluate ok"
expect 0 "evaluate from stdin" sh -c "echo '$req' | $cli evaluate -"; contains '"tpot_s"' "tpot in output"
expect 0 "does not fit is still exit 0" sh -c "echo '{\"model\":\"meta-llama-3.1-405b\",\"hardware\":\"nvidia-l4-24gb\",\"workload\":{\"input_tokens\":1,\"output_tokens\":1}}' | $cli evaluate"
contains '"fits": false' "fits false"
expect 2 "malformed JSON" sh -c "echo '{bad' | $cli evaluate"; contains invalid_json "invalid_json code"
expect 2 "unknown id" sh -c "echo '{\"model\":\"llama\",\"hardware\":\"h100\",\"workload\":{\"input_tokens\":1,\"output_tokens\":1}}' | $cli evaluate"; contains unknown_id "unknown_id code"
expect 3 "unreadable request file" "$cli" evaluate "$tmp/missing.json"; contains io_error "io_error code"
expect 2 "unknown command" "$cli" frobnicate
expect 2 "unknown option" "$cli" evaluate --frob
expect 0 "--version" "$cli" --version; contains whichgpu "version text"
expect 0 "--help" "$cli" --help; contains "Exit" "help mentions exit codes"
for kind in hardware models precisions engines disks prices benchmarks; do
  expect 0 "catalog $kind" "$cli" catalog "$kind"; contains '"id"' "catalog $kind ids"
done
expect 2 "catalog of an unknown kind" "$cli" catalog gpus
echo '{"hardware":[{"id":"x"}]}' > "$tmp/badcat.json"
expect 2 "malformed --catalog file" "$cli" evaluate --catalog "$tmp/badcat.json" "$tmp/ok.json"; contains catalog_invalid "catalog_invalid code"
expect 3 "unreadable --catalog file" "$cli" evaluate --catalog "$tmp/nope.json" "$tmp/ok.json"
"$cli" catalog hardware | python3 -c "
import json,sys
h=[e for e in json.load(sys.stdin)['result'] if e['id']=='nvidia-h100-sxm-80gb'][0]
h['id']='my-h100'; h['name']='My H100'
json.dump({'hardware':[h]}, open('$tmp/mycat.json','w'))"
echo '{"model":"meta-llama-3.1-8b","hardware":"my-h100","workload":{"input_tokens":128,"output_tokens":64}}' > "$tmp/my.json"
expect 0 "a user catalog adds hardware" "$cli" evaluate --catalog "$tmp/mycat.json" "$tmp/my.json"; contains '"my-h100"' "user hardware used"
expect 0 "decide" sh -c "echo '{\"model\":\"meta-llama-3.1-8b\",\"workload\":{\"input_tokens\":128,\"output_tokens\":64},\"candidates\":{\"hardware\":[\"nvidia-l4-24gb\"]}}' | $cli decide"
contains recommendation "decide recommends"
expect 0 "validate" "$cli" validate; contains "median" "validate summary"
expect 0 "validate --json" "$cli" validate --json; contains '"summary"' "validate json"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
