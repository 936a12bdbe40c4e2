#!/usr/bin/env node
// build.mjs: assembles the static site from web/src and the wasm build.
//   node web/build.mjs [--wasm DIR] [--out DIR] [--public-url URL]
// Defaults: --wasm ../build-wasm --out ../build/web (relative to web/),
// --public-url https://whichgpu.example.org/ (share and embed links from file://).
// Writes index.html, embed.html, whichgpu.html (self-contained, offline), embed.js,
// app.js, app.css, worker.mjs, whichgpu.mjs, whichgpu.wasm, uPlot.iife.min.js, uPlot.min.css.
// No network.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.join(here, 'src');
const args = { wasm: path.join(here, '..', 'build-wasm'), out: path.join(here, '..', 'build', 'web'), publicUrl: 'https://whichgpu.example.org/' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i], v = argv[i + 1];
  if (a === '--wasm') { args.wasm = path.resolve(v); i++; }
  else if (a === '--out') { args.out = path.resolve(v); i++; }
  else if (a === '--public-url') { args.publicUrl = v; i++; }
  else if (a === '--help' || a === '-h') { console.log('usage: node web/build.mjs [--wasm DIR] [--out DIR] [--public-url URL]'); process.exit(0); }
  else { console.error('build.mjs: unknown argument ' + a); process.exit(2); }
}
if (!/^https?:\/\/[^\s"'<>]+$/.test(args.publicUrl)) { console.error('build.mjs: --public-url must be an http(s) URL'); process.exit(2); }
if (!args.publicUrl.endsWith('/')) args.publicUrl += '/';

const read = (p) => fs.readFileSync(p, 'utf8');
const need = (p) => { if (!fs.existsSync(p)) { console.error('build.mjs: missing ' + p + ' (build the wasm module first, and run npm ci in web/)'); process.exit(2); } return p; };
const wasmDir = args.wasm;
const coreMjs = read(need(path.join(wasmDir, 'whichgpu.mjs')));
const coreWasm = fs.readFileSync(need(path.join(wasmDir, 'whichgpu.wasm')));
const coreSingle = read(need(path.join(wasmDir, 'whichgpu.single.js')));
const uplotDir = path.join(here, 'node_modules', 'uplot', 'dist');
const uplotJs = read(need(path.join(uplotDir, 'uPlot.iife.min.js')));
const uplotCss = read(need(path.join(uplotDir, 'uPlot.min.css')));

const APP = ['util.js', 'state.js', 'requests.js', 'form.js', 'results.js', 'charts.js', 'core.js', 'share.js', 'main.js'];
const WIDGET = ['util.js', 'state.js', 'requests.js', 'widget.js'];
const cat = (files) => files.map((f) => '// ---- ' + f + '\n' + read(path.join(src, f))).join('\n');
const appJs = '(function () {\n"use strict";\n' + cat(APP) + '\n})();\n';
const workerCore = read(path.join(src, 'worker-core.js'));
const workerMjs = "import createWhichgpu from './whichgpu.mjs';\n" + workerCore + '\nwgWorkerMain(createWhichgpu);\n';
const appCss = read(path.join(src, 'app.css'));
// The widget: the single-file module and the widget code in one closure; nothing leaks to the host page.
const embedJs = '/* whichgpu embed widget: <script src=".../embed.js" data-model="..." data-hardware="a,b" ...></script> */\n' +
  '(function () {\nvar exports, module, define;\nvar wgScript = document.currentScript;\n' + coreSingle + '\n' + cat(WIDGET) +
  '\nif (wgScript) mountWidget(wgScript, createWhichgpu);\n})();\n';

const template = read(path.join(src, 'page.html'));
const sha = (s) => "'sha256-" + crypto.createHash('sha256').update(s, 'utf8').digest('base64') + "'";
function csp(scriptHashes = [], styleHashes = [], connectExtra = '') {
  return ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'" + scriptHashes.map((x) => ' ' + x).join(''),
    "worker-src blob: 'self'", "style-src 'self'" + styleHashes.map((x) => ' ' + x).join(''), "img-src 'self' data:",
    "connect-src 'self'" + connectExtra, "object-src 'none'", "base-uri 'none'", "form-action 'none'"].join('; ');
}
const page = (mode, policy, head, scripts) => template.replace('%%MODE%%', mode).replace('%%CSP%%', policy)
  .replace('%%PUBLIC_URL%%', args.publicUrl).replace('%%HEAD%%', () => head).replace('%%SCRIPTS%%', () => scripts);

const linked = '<link rel="preload" href="whichgpu.wasm" as="fetch" type="application/wasm" crossorigin>\n' +
  '<link rel="modulepreload" href="whichgpu.mjs">\n<link rel="stylesheet" href="uPlot.min.css">\n<link rel="stylesheet" href="app.css">';
const scriptTags = '<script src="uPlot.iife.min.js"></script>\n<script src="app.js"></script>';
const indexHtml = page('full', csp(), linked, scriptTags);
const embedHtml = page('embed', csp(), linked, scriptTags);

// whichgpu.html: everything inline; each inline script and the style allowed by its hash.
function inlineSafe(name, s) {
  if (/<\/script/i.test(s) || /<!--/.test(s)) throw new Error(name + ' contains "</script" or "<!--"; cannot inline it');
  return s;
}
const style = uplotCss + '\n' + appCss;
const inline = [inlineSafe('whichgpu.single.js', coreSingle), inlineSafe('uPlot', uplotJs), inlineSafe('app.js', appJs)];
// connect-src data:: the single-file loader fetch()es its own embedded data: URI first.
const offlineHtml = page('full', csp(inline.map(sha), [sha(style)], ' data:'), '<style>' + style + '</style>',
  '<script id="wg-core">' + inline[0] + '</script>\n' +
  '<script type="text/plain" id="wg-worker">' + inlineSafe('worker-core.js', workerCore) + '</script>\n' +
  '<script>' + inline[1] + '</script>\n<script>' + inline[2] + '</script>');

fs.mkdirSync(args.out, { recursive: true });
const out = {
  'index.html': indexHtml, 'embed.html': embedHtml, 'whichgpu.html': offlineHtml, 'embed.js': embedJs,
  'app.js': appJs, 'app.css': appCss, 'worker.mjs': workerMjs, 'whichgpu.mjs': coreMjs, 'whichgpu.wasm': coreWasm,
  'uPlot.iife.min.js': uplotJs, 'uPlot.min.css': uplotCss,
};
let rows = [];
for (const [name, data] of Object.entries(out)) {
  fs.writeFileSync(path.join(args.out, name), data);
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  rows.push([name, buf.length, zlib.gzipSync(buf, { level: 9 }).length]);
}
const kb = (n) => (n / 1024).toFixed(1).padStart(8) + ' KB';
console.log('whichgpu web build -> ' + args.out + ' (public URL ' + args.publicUrl + ')');
for (const [n, raw, gz] of rows) console.log('  ' + n.padEnd(20) + kb(raw) + kb(gz) + ' gz');
const pageLoads = ['index.html', 'app.js', 'app.css', 'uPlot.iife.min.js', 'uPlot.min.css', 'whichgpu.mjs', 'whichgpu.wasm'];
const total = rows.filter((r) => pageLoads.includes(r[0])).reduce((s, r) => s + r[2], 0);
console.log('  index.html loads ' + kb(total).trim() + ' gzipped in all (wasm included; worker.mjs later)');
