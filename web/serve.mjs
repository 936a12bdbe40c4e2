#!/usr/bin/env node
// serve.mjs: a dependency-free static server for the built page, loopback only.
//   node web/serve.mjs [DIR]        (DIR defaults to build/web; PORT env, default 8080)
// Prints "whichgpu: http://127.0.0.1:PORT/" and runs until stopped.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon',
};

export function startServer(dir, port = 0, host = '127.0.0.1') {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let rel;
    try { rel = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { res.writeHead(400).end(); return; }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, '.' + rel);
    if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': st.size, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') { res.end(); return; }
      fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : path.join(here, '..', 'build', 'web');
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    console.error('serve.mjs: ' + dir + '/index.html not found; build first: node web/build.mjs --wasm build-wasm --out build/web');
    process.exit(2);
  }
  const port = Number(process.env.PORT || 8080);
  startServer(dir, port).then((s) => {
    console.log('whichgpu: http://127.0.0.1:' + s.address().port + '/');
  }, (e) => { console.error('serve.mjs: ' + e.message); process.exit(1); });
}
