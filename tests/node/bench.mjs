// Speed of the wasm module under Node (figures, not tests): one evaluate, the
// concurrency sweep, and a full-catalog decide. usage: node tests/node/bench.mjs [build-wasm]
import { createRequire } from 'node:module';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = resolve(process.argv[2] ?? join(here, '../../build-wasm'));
const create = createRequire(import.meta.url)(join(wasmDir, 'whichgpu.single.js'));
const m = await create();

function measure(name, n, f) {
  const t = [];
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    f();
    t.push(Number(process.hrtime.bigint() - a) / 1000);
  }
  t.sort((x, y) => x - y);
  const med = t[Math.floor(t.length / 2)], p99 = t[Math.min(t.length - 1, Math.floor(t.length * 0.99))];
  console.log(`${name.padEnd(46)} n=${String(n).padEnd(5)} median ${med.toFixed(1).padStart(10)} us   p99 ${p99.toFixed(1).padStart(10)} us`);
}

const req = JSON.stringify({ model: 'meta-llama-3.1-70b', hardware: 'nvidia-h100-sxm-80gb', devices: 2,
  workload: { input_tokens: 1024, output_tokens: 256, concurrency: 1 } });
const sweep = JSON.stringify({ model: 'meta-llama-3.1-70b', hardware: 'nvidia-h100-sxm-80gb', devices: 2,
  workload: { input_tokens: 1024, output_tokens: 256, concurrency: 'max' } });
const decide = JSON.stringify({ model: 'meta-llama-3.1-70b', workload: { input_tokens: 1024, output_tokens: 256, concurrency: 40 },
  slo: { ttft_s: 1.0 }, candidates: { kinds: ['gpu', 'accelerator'] } });
console.log(`whichgpu ${m.version()} bench (wasm under Node ${process.version})`);
m.evaluate(req);  // first call parses the embedded catalog
measure('evaluate_json end to end (with curve)', 300, () => m.evaluate(req));
measure('concurrency sweep ("max", curve)', 100, () => m.evaluate(sweep));
measure('full-catalog decide (GPUs + accelerators)', 5, () => m.decide(decide));
