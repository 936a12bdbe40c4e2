#!/usr/bin/env bash
# Refits data/calibration/ and records the cross-validated accuracy as the new
# baseline. Run after improving the model or the calibration set; review the diff.
set -euo pipefail
cd "$(dirname "$0")/../.."
cli=${1:-build/whichgpu}
"$cli" calibrate --write data/calibration >/dev/null
cmake --build build -j"$(nproc)" >/dev/null   # re-embed the new calibration
"$cli" validate --json | python3 -c "
import json, sys
s = json.load(sys.stdin)['result']['summary']['cross_validated']
keep = lambda x: {k: x[k] for k in ['n', 'median_abs_rel', 'within_25_share', 'bias_rel'] if k in x}
base = json.load(open('tests/accuracy/baseline.json'))
base['overall'] = keep(s['overall'])
base['by_group'] = {k: keep(v) for k, v in s['by_group'].items()}
json.dump(base, open('tests/accuracy/baseline.json', 'w'), indent=2)
print(json.dumps(base['overall']))"
bash tests/golden/update.sh "$cli"
