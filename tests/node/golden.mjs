// The wasm module (SINGLE_FILE build) under Node answers every golden request
// exactly as the native CLI does (within 1e-12 relative), and survives 10,000
// malformed requests without its heap growing.
// usage: node tests/node/golden.mjs <build-wasm dir> <native whichgpu>
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = resolve(process.argv[2] ?? join(here, '../../build-wasm'));
const cli = resolve(process.argv[3] ?? join(here, '../../build/whichgpu'));
const require = createRequire(import.meta.url);
const create = require(join(wasmDir, 'whichgpu.single.js'));
const m = await create();

let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log('FAIL ' + what); } };

function compare(a, b, path, out) {
  if (typeof b === 'number' && typeof a === 'number') {
    const tol = 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    if (!(Math.abs(a - b) <= tol) && !(a === 0 && b === 0)) out.push(`${path}: wasm ${a} native ${b}`);
    return;
  }
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    out.push(`${path}: type differs`); return;
  }
  if (a && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!(k in a) || !(k in b)) { out.push(`${path}/${k}: missing`); continue; }
      compare(a[k], b[k], `${path}/${k}`, out);
    }
    return;
  }
  if (a !== b) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

// 1. Goldens: wasm vs native CLI, field by field.
const goldenDir = join(here, '../golden');
for (const f of readdirSync(goldenDir).filter(f => f.endsWith('.request.json')).sort()) {
  const text = readFileSync(join(goldenDir, f), 'utf8');
  const wasm = JSON.parse(m.evaluate(text));
  let native;
  try {
    native = JSON.parse(execFileSync(cli, ['evaluate', join(goldenDir, f)], { encoding: 'utf8' }));
  } catch (e) {
    native = JSON.parse(e.stdout);  // exit 2 for a bad request: still a response
  }
  const diffs = [];
  compare(wasm, native, f, diffs);
  check(diffs.length === 0, `golden ${f}: ${diffs.slice(0, 5).join('; ')}`);
}

// 2. Decide and catalog agree too.
{
  const req = JSON.stringify({ model: 'meta-llama-3.1-8b', workload: { input_tokens: 512, output_tokens: 128, concurrency: 8 },
    candidates: { hardware: ['nvidia-h100-sxm-80gb', 'nvidia-a100-sxm-80gb', 'nvidia-l4-24gb'] } });
  const wasm = JSON.parse(m.decide(req));
  const native = JSON.parse(execFileSync(cli, ['decide', '-'], { input: req, encoding: 'utf8' }));
  const diffs = [];
  compare(wasm, native, 'decide', diffs);
  check(diffs.length === 0, 'decide: ' + diffs.slice(0, 5).join('; '));
  check(JSON.parse(m.catalog('hardware')).result.length >= 27, 'catalog hardware');
}

// 3. 10,000 generated malformed requests: each ok:false with a message; the heap
// does not grow past the warm-up (which includes the largest request) + 1 MiB.
const good = { model: 'meta-llama-3.1-8b', hardware: 'nvidia-h100-sxm-80gb', workload: { input_tokens: 128, output_tokens: 64 } };
let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
// Values invalid for every field they are put in (null means "not given", {} is
// a valid empty parallelism or precision, so neither is here).
const junk = () => ['NaN', 'Infinity', -1, -1e308, '', true, [], [1], 'x'.repeat(300), '<script>alert(1)</script>', 1e300];
const keys = ['model', 'hardware', 'devices', 'parallelism', 'workload', 'precision', 'engine', 'offload', 'slo', 'utilization', 'price_per_device_hour_usd', 'bogus'];
function malformed(i) {
  const kind = i % 10;
  if (kind === 0) return '{"model": "meta-llama-3.1-8b", ' + '"x":'.repeat(rnd() * 5 | 0) + '[';     // truncated
  if (kind === 1) return '['.repeat(65 + (rnd() * 2000 | 0));                                       // too deep
  if (kind === 2) return '{"a":1,"a":2}';                                                           // duplicate
  if (kind === 3) return JSON.stringify(good).replace('128', '1e400');                             // overflow
  if (kind === 4) return '{"model":"' + 'm'.repeat(1048577) + '"}';                               // too large
  const r = structuredClone(good);
  const k = keys[(rnd() * keys.length) | 0];
  const pool = junk();
  const v = pool[(rnd() * pool.length) | 0];
  if (kind === 5) r[k] = v;
  else if (kind === 6) r.workload[['input_tokens', 'output_tokens', 'concurrency', 'request_rate_per_s'][i % 4]] = v;
  else if (kind === 7) { r.workload.output_tokens = 0; }
  else if (kind === 8) { r.devices = 7; }
  else { r.workload = v; }
  let s = JSON.stringify(r);
  if (s === JSON.stringify(good)) s = s.replace('{', '{"bogus":1,');
  return s.replace('"1e400"', '1e400');
}
const heap = () => m.HEAPU8 ? m.HEAPU8.buffer.byteLength : (m.wasmMemory ? m.wasmMemory.buffer.byteLength : 0);
for (let i = 0; i < 100; i++) m.evaluate(malformed(i));
m.evaluate(malformed(4));  // the generator's largest request
const warm = heap();
let allErrors = true, withMessage = true;
for (let i = 0; i < 10000; i++) {
  const text = malformed(i);
  const r = JSON.parse(m.evaluate(text));
  if (r.ok !== false) { allErrors = false; console.log('accepted: ' + text.slice(0, 300)); break; }
  if (!r.error || !r.error.message || !r.error.code) withMessage = false;
}
check(allErrors, '10,000 malformed requests all rejected');
check(withMessage, 'every rejection carries code and message');
const after = heap();
check(after <= warm + 1048576, `heap after 10,000 (${after}) <= warm-up (${warm}) + 1 MiB`);
const again = JSON.parse(m.evaluate(JSON.stringify(good)));
check(again.ok === true && again.result.memory.fits === true, 'a good request answers after 10,000 bad ones');

console.log(`wasm heap: warm-up ${warm} B, after 10,000 malformed ${after} B`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
