// lib.mjs: shared helpers for the browser tests: Chromium via playwright-core
// (Debian's /usr/bin/chromium; never a downloaded browser), a loopback static server,
// request accounting, the CLI.
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(ROOT, 'web', 'package.json'));
const { chromium } = require('playwright-core');
export { startServer } from '../../web/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

// A browser with a fresh user-data-dir; returns {context, close}.
export async function launch() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whichgpu-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 },
  });
  return { context, close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

// Track console errors, page errors and every request; block anything not on 127.0.0.1 / file / data / blob.
export async function watch(page) {
  const log = { errors: [], outside: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('pageerror', (e) => log.errors.push('pageerror: ' + e.message));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    log.requests.push(u);
    if (/^(https?:\/\/127\.0\.0\.1[:/]|file:|data:|blob:)/.test(u)) return route.continue();
    log.outside.push(u);
    return route.abort();
  });
  return log;
}

export function cli(bin, cmd, request) {
  const out = execFileSync(bin, [cmd, '-'], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

export function pick(obj, p) { let o = obj; for (const k of p.split('.')) { if (o == null) return undefined; o = o[k]; } return o; }

export function close(a, b, rel = 1e-9) {
  if (typeof a === 'boolean' || typeof b === 'boolean' || a === null || b === null) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-300;
}

// Wait until the page has computed at least n updates.
export async function waitUpdates(page, n = 1, timeout = 20000) {
  await page.waitForFunction((k) => window.__wg && window.__wg.updates >= k, n, { timeout });
}
