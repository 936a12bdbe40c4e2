#!/usr/bin/env bash
# The README's run command, started in the background with a timeout, serves a
# page whose HTML this test fetches. The command is read from README.md itself.
set -uo pipefail
cd "$(dirname "$0")/../.."
cmd=$(awk '/^```sh/{f=1;next} /^```/{if(f)exit} f' README.md | grep -v '^#' | head -n 1)
[ -n "$cmd" ] || { echo "no run command in README.md"; echo "0 passed, 1 failed"; exit 1; }
port=$((20000 + RANDOM % 20000))
log=$(mktemp)
echo "run command: $cmd (PORT=$port)"
PORT=$port setsid timeout 900 bash -c "$cmd" >"$log" 2>&1 &
pid=$!
ok=0
for _ in $(seq 1 600); do
  if grep -q "http://127.0.0.1:$port/" "$log" && curl -fsS "http://127.0.0.1:$port/" -o /tmp/readme_page.html 2>/dev/null; then ok=1; break; fi
  kill -0 $pid 2>/dev/null || break
  sleep 1
done
kill -- -$pid 2>/dev/null; kill $pid 2>/dev/null; wait $pid 2>/dev/null
if [ $ok = 1 ] && grep -qi "<html" /tmp/readme_page.html && grep -q "whichgpu" /tmp/readme_page.html; then
  echo "served $(wc -c </tmp/readme_page.html) bytes of HTML at http://127.0.0.1:$port/"
  echo "1 passed, 0 failed"
else
  tail -20 "$log"
  echo "0 passed, 1 failed"
  exit 1
fi
