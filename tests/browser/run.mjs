#!/usr/bin/env node
// run.mjs: browser and Node tests of the whichgpu page.
//   node tests/browser/run.mjs --web build/web --cli build/whichgpu
// Prints "N passed, M failed" last; exits 1 on any failure.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { launch, watch, startServer, cli, pick, close, waitUpdates, ROOT } from './lib.mjs';
import { SCENARIOS, encodeHash, defaultState } from './scenarios.mjs';

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const WEB = path.resolve(ROOT, opt('--web', 'build/web'));
const CLI = path.resolve(ROOT, opt('--cli', 'build/whichgpu'));
const SHOTS = path.resolve(ROOT, opt('--screenshots', 'build/screenshots'));
const only = opt('--only', null);

for (const f of ['index.html', 'whichgpu.html', 'embed.html', 'embed.js']) {
  if (!fs.existsSync(path.join(WEB, f))) { console.error('run.mjs: ' + path.join(WEB, f) + ' missing: build the page first'); console.log('0 passed, 1 failed'); process.exit(1); }
}
if (!fs.existsSync(CLI)) { console.error('run.mjs: CLI ' + CLI + ' missing'); console.log('0 passed, 1 failed'); process.exit(1); }

// A real config.json for the custom-model tests: the catalog's Llama 3.1 8B hf_config.
const CFG8B = JSON.parse(execFileSync(CLI, ['catalog', 'models'], { encoding: 'utf8', maxBuffer: 64 << 20 })).result.find((m) => m.id === 'meta-llama-3.1-8b').hf_config;

const srv = await startServer(WEB, 0);
const BASE = 'http://127.0.0.1:' + srv.address().port + '/';
const FILE = 'file://' + path.join(WEB, 'whichgpu.html');
const browser = await launch();
const bench = [];
let passed = 0, failed = 0;

function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function test(name, fn) {
  if (only && !name.includes(only)) return;
  const t0 = Date.now();
  const page = await browser.context.newPage();
  const log = await watch(page);
  try {
    await fn(page, log);
    assert(log.outside.length === 0, 'requests left 127.0.0.1: ' + log.outside.join(', '));
    passed++; console.log('ok - ' + name + ' (' + (Date.now() - t0) + ' ms)');
  } catch (e) {
    failed++; console.log('not ok - ' + name + '\n    ' + String(e && e.stack || e).split('\n').slice(0, 4).join('\n    '));
    if (log.errors.length) console.log('    console errors: ' + log.errors.join(' | ').slice(0, 600));
  } finally { await page.close(); }
}
const noErrors = (log) => assert(log.errors.length === 0, 'console errors: ' + log.errors.join(' | ').slice(0, 800));
const settled = (page) => page.waitForFunction(() => document.body.dataset.settled === String(window.__wg.updates), null, { timeout: 20000 });
async function figures(page, scope) {
  return page.$$eval((scope || '#compare') + ' [data-field][data-option]', (els) => els.map((e) => ({ field: e.dataset.field, option: Number(e.dataset.option), value: e.dataset.value })));
}
const num = (s) => (s === 'null' ? null : s === 'true' ? true : s === 'false' ? false : Number(s));
async function waitChanged(page, n) { await waitUpdates(page, n + 1); await settled(page); }
const updates = (page) => page.evaluate(() => window.__wg.updates);

// 1. Loads: no console errors, nothing leaves 127.0.0.1; served build and whichgpu.html from file://.
await test('served page loads with no console errors and no outside request', async (page, log) => {
  await page.goto(BASE + 'index.html');
  await waitUpdates(page, 1); await settled(page);
  await page.waitForSelector('#catalog-decide table', { timeout: 30000 });
  assert(await page.locator('#compare [data-field="decode.tpot_s"][data-option="2"]').count() === 1, 'no TPOT for option 3');
  assert(await page.locator('#ch-roof canvas').count() >= 1, 'no roofline chart');
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert(/default-src 'self'/.test(csp) && /worker-src blob: 'self'/.test(csp), 'CSP missing');
  noErrors(log);
  assert(log.requests.every((u) => u.startsWith(BASE) || u.startsWith('data:') || u.startsWith('blob:')), 'unexpected request');
});

await test('whichgpu.html works offline from file:// (blob worker, single file)', async (page, log) => {
  await page.goto(FILE);
  await waitUpdates(page, 1); await settled(page);
  await page.waitForSelector('#catalog-decide table', { timeout: 30000 });
  const link = await page.inputValue('#share-link');
  assert(link.startsWith('https://whichgpu.example.org/index.html#'), 'share link from file:// should use the public URL: ' + link);
  noErrors(log);
  assert(log.requests.every((u) => /^(file:|data:|blob:)/.test(u)), 'whichgpu.html requested ' + log.requests.filter((u) => !/^(file:|data:|blob:)/.test(u)).join(', '));
  const v = await page.getAttribute('#compare [data-field="decode.tpot_s"][data-option="0"]', 'data-value');
  const want = cli(CLI, 'evaluate', SCENARIOS[0].requests[0]).result.decode.tpot_s;
  assert(close(num(v), want), 'file:// TPOT ' + v + ' != CLI ' + want);
});

// 2. Page figures == CLI figures for three scenarios.
for (const sc of SCENARIOS) {
  await test('scenario "' + sc.name + '": every figure equals the CLI (rel 1e-9)', async (page, log) => {
    await page.goto(BASE + 'index.html#' + encodeHash(sc.state));
    await waitUpdates(page, 1); await settled(page);
    const sent = await page.evaluate(() => window.__wg.requests);
    assert(JSON.stringify(sent) === JSON.stringify(sc.requests), 'the page sent ' + JSON.stringify(sent) + '\n    expected ' + JSON.stringify(sc.requests));
    const figs = await figures(page);
    const cliRes = sc.requests.map((r) => cli(CLI, 'evaluate', r));
    let checked = 0;
    for (const f of figs) {
      const res = cliRes[f.option];
      assert(res.ok, 'CLI failed for option ' + f.option + ': ' + JSON.stringify(res.error));
      const want = pick(res.result, f.field);
      const got = num(f.value);
      assert(close(got, want === undefined ? null : want), sc.name + ' option ' + f.option + ' ' + f.field + ': page ' + f.value + ' vs CLI ' + want);
      checked++;
    }
    assert(checked >= sc.requests.length * 6, 'too few figures: ' + checked);
    if (sc.decide) { // the candidate matrix equals the CLI's decide
      const want = cli(CLI, 'decide', sc.decide).result.options;
      const mf = await figures(page, '#matrix');
      assert(mf.length > 0, 'no matrix figures');
      for (const f of mf) {
        const w = want[f.option][f.field.replace('matrix.', '')];
        assert(close(num(f.value), w === undefined ? null : w), 'matrix row ' + f.option + ' ' + f.field + ': ' + f.value + ' vs ' + w);
      }
    }
    noErrors(log);
  });
}

// 3. A copied link restores the exact state and values in a fresh page.
await test('copied link restores the same state and values', async (page, log) => {
  await page.goto(BASE + 'index.html');
  await waitUpdates(page, 1); await settled(page);
  let n = await updates(page);
  await page.fill('#f-in', '3000');
  await page.selectOption('#f-engine', 'sglang');
  await page.fill('#f-o1-price', '2.25');
  await page.click('#add-opt');
  await page.selectOption('#f-o3-hw', 'nvidia-h200-sxm-141gb');
  await page.fill('#f-o3-dev', '1'); await page.fill('#f-o3-tp', '1');
  await page.fill('#f-o3-price', '');
  await waitChanged(page, n);
  await page.waitForTimeout(200);
  await page.click('#copy-link');
  const link = await page.inputValue('#share-link');
  assert(link.startsWith(BASE + 'index.html#'), 'link: ' + link);
  const before = await figures(page);
  const inputsBefore = await page.$$eval('#inputs input[id], #inputs select[id], #inputs textarea[id]', (els) => els.map((e) => [e.id, e.type === 'checkbox' ? e.checked : e.value]));
  const p2 = await browser.context.newPage();
  const log2 = await watch(p2);
  await p2.goto(link);
  await waitUpdates(p2, 1); await settled(p2);
  const after = await figures(p2);
  const inputsAfter = await p2.$$eval('#inputs input[id], #inputs select[id], #inputs textarea[id]', (els) => els.map((e) => [e.id, e.type === 'checkbox' ? e.checked : e.value]));
  await p2.close();
  assert(JSON.stringify(before) === JSON.stringify(after), 'figures differ after reopening the link');
  assert(JSON.stringify(inputsBefore) === JSON.stringify(inputsAfter), 'inputs differ: ' + JSON.stringify(inputsBefore.filter((x, i) => JSON.stringify(x) !== JSON.stringify(inputsAfter[i]))));
  assert(before.length >= 4 * 7, 'expected four options');
  noErrors(log); noErrors(log2);
});

// 4. Embeds inside a separate host page (another origin).
await test('iframe snippet and script widget work inside a separate host page', async (page, log) => {
  const hostDir = fs.mkdtempSync('/tmp/whichgpu-host-');
  const st = SCENARIOS[0].state;
  fs.writeFileSync(path.join(hostDir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A100 vs H100</title></head><body>
<h1>A blog post</h1><div style="max-width:640px">
<iframe id="wg-frame" src="${BASE}embed.html#${encodeHash(st)}" title="whichgpu" width="100%" height="460" style="border:0"></iframe>
<script src="${BASE}embed.js" data-model="meta-llama-3.1-70b" data-hardware="nvidia-a100-sxm-80gb,nvidia-h100-sxm-80gb" data-devices="2,2" data-tp="2,2" data-input-tokens="1024" data-output-tokens="256" data-concurrency="1" data-precision="bf16"></script>
</div></body></html>`);
  const host = await startServer(hostDir, 0);
  try {
    await page.goto('http://127.0.0.1:' + host.address().port + '/index.html');
    const frame = page.frameLocator('#wg-frame');
    await frame.locator('#compare [data-field="decode.tpot_s"][data-option="0"]').waitFor({ timeout: 20000 });
    const fv = await frame.locator('#compare [data-field="decode.tpot_s"][data-option="0"]').getAttribute('data-value');
    const want = cli(CLI, 'evaluate', SCENARIOS[0].requests[0]).result;
    assert(close(num(fv), want.decode.tpot_s), 'iframe TPOT ' + fv + ' vs ' + want.decode.tpot_s);
    const w = page.locator('.whichgpu-widget [data-field="prefill.ttft_s"][data-option="1"]');
    await w.waitFor({ timeout: 20000 });
    const want1 = cli(CLI, 'evaluate', { model: 'meta-llama-3.1-70b', hardware: 'nvidia-h100-sxm-80gb', devices: 2, parallelism: { tensor: 2, pipeline: 1 },
      precision: { weights: 'bf16' }, workload: { input_tokens: 1024, output_tokens: 256, concurrency: 1 }, price_profile: 'on-demand-tier2' }).result;
    assert(close(num(await w.getAttribute('data-value')), want1.prefill.ttft_s), 'widget TTFT differs from the CLI');
    assert(await page.evaluate(() => typeof window.createWhichgpu === 'undefined' && typeof window.h === 'undefined'), 'widget leaked globals into the host page');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'embed-host-1280.png'), fullPage: true });
    noErrors(log);
  } finally { host.close(); fs.rmSync(hostDir, { recursive: true, force: true }); }
});

// 5. Errors next to the field; the page recovers.
await test('broken config.json, out-of-range and NaN inputs show messages by the field and recover', async (page, log) => {
  await page.goto(BASE + 'index.html');
  await waitUpdates(page, 1); await settled(page);
  const tpot0 = await page.getAttribute('#compare [data-field="decode.tpot_s"][data-option="0"]', 'data-value');
  const visibleErr = async (key) => page.evaluate((k) => { const e = document.getElementById('e-f-' + k); return e && !e.hidden ? e.textContent : null; }, key);
  const clean = async () => page.evaluate(() => [...document.querySelectorAll('#inputs .err')].filter((e) => !e.hidden).map((e) => e.id + ': ' + e.textContent));

  // NaN in a number input
  let n = await updates(page);
  await page.fill('#f-in', 'abc');
  await page.waitForFunction(() => !document.getElementById('e-f-in').hidden);
  assert(/number/i.test(await visibleErr('in')), 'NaN message');
  assert(await page.getAttribute('#f-in', 'aria-invalid') === 'true', 'aria-invalid not set');
  assert(await page.locator('#compare [data-field="decode.tpot_s"][data-option="0"]').count() === 1, 'results vanished while an input is invalid');
  n = await updates(page);
  await page.fill('#f-in', '1024');
  await waitChanged(page, n);
  assert((await clean()).length === 0, 'errors remain: ' + (await clean()));

  // out of range (the module's message, at its JSON Pointer)
  n = await updates(page);
  await page.fill('#f-out', '-5');
  await waitChanged(page, n);
  assert(/outside|range|must/i.test(await visibleErr('out') || ''), 'out-of-range message: ' + await visibleErr('out'));
  n = await updates(page);
  await page.fill('#f-out', '256');
  await waitChanged(page, n);
  assert((await clean()).length === 0, 'errors remain: ' + (await clean()));

  // an option-level error: the other options keep working
  n = await updates(page);
  await page.fill('#f-o0-dev', '3');
  await waitChanged(page, n);
  assert(await visibleErr('o0-dev'), 'devices error not shown by the field');
  assert(await page.locator('#compare [data-field="decode.tpot_s"][data-option="1"]').count() === 1, 'option 2 stopped working');
  n = await updates(page);
  await page.fill('#f-o0-dev', '2');
  await waitChanged(page, n);

  // broken config.json, then a config.json with a bad field, then a good one
  n = await updates(page);
  await page.fill('#f-cfg', '{"hidden_size": 4096,');
  await page.waitForFunction(() => !document.getElementById('e-f-cfg').hidden);
  assert(/not valid JSON/.test(await visibleErr('cfg')), 'broken config.json message');
  const cfg8b = CFG8B;
  const bad = { ...cfg8b, num_hidden_layers: -3 };
  n = await updates(page);
  await page.fill('#f-cfg', JSON.stringify(bad));
  await waitChanged(page, n);
  const badMsg = await visibleErr('cfg');
  assert(badMsg && /-3/.test(badMsg), 'the hf_config field error is not shown by config.json: ' + badMsg);
  n = await updates(page);
  await page.fill('#f-cfg', JSON.stringify(cfg8b));
  await waitChanged(page, n);
  assert((await clean()).length === 0, 'errors remain after fixing config.json: ' + (await clean()));
  const tpotCustom = await page.getAttribute('#compare [data-field="decode.tpot_s"][data-option="0"]', 'data-value');
  assert(tpotCustom !== tpot0, 'custom model did not change the figures');
  n = await updates(page);
  await page.fill('#f-cfg', '');
  await waitChanged(page, n);
  assert(await page.getAttribute('#compare [data-field="decode.tpot_s"][data-option="0"]', 'data-value') === tpot0, 'did not recover the catalog model');
  noErrors(log);
});

// 6. Hostile strings render as inert text.
await test('HTML/script in the URL state, a config.json name and an embed attribute stay inert', async (page, log) => {
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const st = defaultState();
  st.model = evil; st.opts[1].hw = evil; st.opts[2].host = evil;
  await page.goto(BASE + 'index.html#' + encodeHash(st));
  await waitUpdates(page, 1); await settled(page);
  await page.waitForTimeout(300);
  assert(await page.evaluate(() => window.__pwned) === undefined, 'script ran from the URL state');
  assert(await page.locator('main img, main script').count() === 0, 'markup from the URL became elements');
  assert((await page.textContent('#e-f-model') || '').includes('<img'), 'the hostile model id is not shown as text');
  let n = await updates(page);
  await page.fill('#f-model', 'meta-llama-3.1-70b');
  await page.fill('#f-cfg', JSON.stringify({ ...CFG8B, _name_or_path: evil }));
  await waitChanged(page, n);
  await page.waitForTimeout(300);
  assert(await page.evaluate(() => window.__pwned) === undefined, 'script ran from config.json');
  assert(await page.locator('main img').count() === 0, 'config.json name became markup');

  const hostDir = fs.mkdtempSync('/tmp/whichgpu-evil-');
  const attr = evil.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  fs.writeFileSync(path.join(hostDir, 'index.html'), `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>host</title></head><body>
<script src="${BASE}embed.js" data-model="${attr}" data-hardware="${attr},nvidia-h100-sxm-80gb" data-devices="1" data-input-tokens="${attr}"></script></body></html>`);
  const host = await startServer(hostDir, 0);
  const p2 = await browser.context.newPage();
  const log2 = await watch(p2);
  try {
    await p2.goto('http://127.0.0.1:' + host.address().port + '/index.html');
    await p2.locator('.whichgpu-widget .err').first().waitFor({ timeout: 20000 });
    await p2.waitForTimeout(300);
    assert(await p2.evaluate(() => window.__pwned) === undefined, 'script ran from an embed attribute');
    assert(await p2.locator('.whichgpu-widget img').count() === 0, 'embed attribute became markup');
    assert((await p2.locator('.whichgpu-widget .wg').textContent()).includes('<img'), 'hostile attribute not shown as text');
    noErrors(log2);
  } finally { await p2.close(); host.close(); fs.rmSync(hostDir, { recursive: true, force: true }); }
  noErrors(log);
});

// 7. Screenshots; keyboard and sorting.
await test('screenshots at 1280 and 375 px; keyboard sorting of the matrix', async (page, log) => {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(BASE + 'index.html');
  await waitUpdates(page, 1); await settled(page);
  await page.waitForSelector('#catalog-decide table', { timeout: 30000 });
  await page.screenshot({ path: path.join(SHOTS, 'index-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, 'index-375.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 1, 'page scrolls sideways at 375 px by ' + overflow + ' px');
  await page.focus('#matrix th button');
  await page.keyboard.press('Enter');
  assert(await page.getAttribute('#matrix th:first-child', 'aria-sort') === 'ascending', 'sorting by keyboard');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.locator('#validation summary').click();
  await page.waitForSelector('#validation-body table', { timeout: 60000 });
  await page.locator('#validation').screenshot({ path: path.join(SHOTS, 'validation-1280.png') });
  const p2 = await browser.context.newPage();
  await p2.setViewportSize({ width: 375, height: 800 });
  await p2.goto(FILE);
  await waitUpdates(p2, 1); await settled(p2);
  await p2.screenshot({ path: path.join(SHOTS, 'whichgpu-file-375.png') });
  await p2.close();
  noErrors(log);
});

// 8. Benchmarks (printed, not asserted).
await test('benchmarks', async (page, log) => {
  const sizes = new Map();
  page.on('response', async (r) => { const u = r.url(); if (u.startsWith(BASE)) sizes.set(u, null); });
  await page.goto(BASE + 'index.html');
  await waitUpdates(page, 1); await settled(page);
  await page.waitForSelector('#catalog-decide table', { timeout: 30000 });
  let gz = 0, raw = 0;
  const files = [];
  for (const u of sizes.keys()) {
    const f = path.join(WEB, decodeURIComponent(new URL(u).pathname));
    if (!fs.existsSync(f)) continue;
    const b = fs.readFileSync(f); raw += b.length; const g = zlib.gzipSync(b, { level: 9 }).length; gz += g; files.push(path.basename(f) + ' ' + (g / 1024).toFixed(1));
  }
  bench.push('page transfer (gzip -9 of every file index.html loads, wasm and worker included): ' + (gz / 1024).toFixed(1) + ' KB gzipped (' + (raw / 1024).toFixed(0) + ' KB raw) [' + files.join(', ') + ' KB]');
  const firsts = [];
  for (let i = 0; i < 5; i++) {
    const p = await browser.context.newPage();
    await p.goto(BASE + 'index.html');
    await waitUpdates(p, 1);
    firsts.push(await p.evaluate(() => window.__wg.first));
    await p.close();
  }
  firsts.sort((a, b) => a - b);
  bench.push('navigation to first result (comparison table, no click), median of 5: ' + firsts[2].toFixed(0) + ' ms (min ' + firsts[0].toFixed(0) + ', max ' + firsts[4].toFixed(0) + '; target 500)');
  const table = [], matrix = [], charts = [], total = [], inTable = [];
  for (let i = 0; i < 10; i++) {
    const n = await updates(page);
    const t0 = await page.evaluate(() => performance.now());
    await page.fill('#f-in', String(1000 + i * 10));
    await waitChanged(page, n);
    const p = await page.evaluate(() => window.__wg.last);
    const tEnd = await page.evaluate(() => performance.now());
    table.push(p.table_ms); inTable.push(p.input_to_table_ms); matrix.push(p.matrix_ms); charts.push(p.charts_ms); total.push(tEnd - t0);
  }
  const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1].toFixed(1);
  bench.push('input to update, median of 10: input event to comparison on screen ' + med(inTable) + ' ms (3 evaluates + table ' + med(table) + ' ms; target 30); candidate matrix (decide) ' + med(matrix) + ' ms and 4 charts ' + med(charts) + ' ms run 120 ms after typing pauses; fill-to-settled as seen from the test ' + med(total) + ' ms');
  noErrors(log);
});

await browser.close();
srv.close();
console.log('\nbenchmarks (figures, not assertions):');
for (const b of bench) console.log('  ' + b);
console.log(passed + ' passed, ' + failed + ' failed');
process.exit(failed ? 1 : 0);
