// core.js: loads the wasm module (split build over http, single-file build
// inline in whichgpu.html) and runs heavy calls in a Web Worker.

function scriptBase() {
  const s = document.querySelector('script[src$="app.js"]');
  return new URL('.', s ? s.src : document.baseURI).href;
}

const Core = {
  m: null, mode: null, wasmModule: null,

  async load() {
    if (typeof createWhichgpu === 'function') { // whichgpu.html: the single-file build is inline
      this.mode = 'single';
      this.m = await createWhichgpu();
      return this.m;
    }
    this.mode = 'split';
    const base = scriptBase();
    const wasmUrl = new URL('whichgpu.wasm', base).href;
    const compile = (async () => {
      const resp = fetch(wasmUrl);
      try { return await WebAssembly.compileStreaming(resp); } // needs application/wasm
      catch (e) { return WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer()); }
    })();
    const [mod, factory] = await Promise.all([compile, import(new URL('whichgpu.mjs', base).href)]);
    this.wasmModule = mod;
    this.m = await factory.default({
      instantiateWasm: (imports, receive) => { WebAssembly.instantiate(mod, imports).then((inst) => receive(inst, mod)); return {}; },
    });
    return this.m;
  },

  // A new worker running the same module. From file:// only a blob: worker works (TOOLCHAIN trap 12).
  spawnWorker() {
    if (this.mode === 'single') {
      const core = document.getElementById('wg-core'), glue = document.getElementById('wg-worker');
      const src = core.textContent + '\n' + glue.textContent + '\nwgWorkerMain(createWhichgpu);';
      const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
      const w = new Worker(url);
      w.postMessage({ type: 'init' });
      return w;
    }
    const w = new Worker(new URL('worker.mjs', scriptBase()).href, { type: 'module' });
    w.postMessage({ type: 'init', module: this.wasmModule });
    return w;
  },
};

// One worker; runs only the latest request of each kind (older pending ones are dropped).
class CoreWorker {
  constructor() { this.w = null; this.busy = false; this.next = null; this.cbs = new Map(); this.id = 0; this.broken = null; }
  ensure() {
    if (this.w || this.broken) return;
    try { this.w = Core.spawnWorker(); } catch (e) { this.broken = 'the Web Worker could not start: ' + e.message; return; }
    this.w.onmessage = (e) => {
      const cb = this.cbs.get(e.data.id); this.cbs.delete(e.data.id); this.busy = false;
      let resp; try { resp = JSON.parse(e.data.out); } catch (err) { resp = { ok: false, error: { code: 'internal', message: 'bad worker response', path: '' } }; }
      if (cb && !this.next) cb(resp); // a newer request is queued: this answer is stale
      this.pump();
    };
    this.w.onerror = (e) => {
      e.preventDefault(); this.broken = 'the Web Worker failed: ' + (e.message || 'error');
      for (const cb of this.cbs.values()) cb({ ok: false, error: { code: 'internal', message: this.broken, path: '' } });
      this.cbs.clear();
    };
  }
  run(op, req, done) {
    const text = req === null ? null : JSON.stringify(req);
    if (text && text.length > MAX_REQUEST_BYTES) { done({ ok: false, error: { code: 'too_large', message: 'the request is over 1 MiB', path: '' } }); return; }
    this.ensure();
    if (this.broken) { done({ ok: false, error: { code: 'internal', message: this.broken, path: '' } }); return; }
    this.next = { op, text, done }; this.pump();
  }
  pump() {
    if (this.busy || !this.next) return;
    const job = this.next; this.next = null; this.busy = true;
    const id = ++this.id; this.cbs.set(id, job.done);
    this.w.postMessage({ id, op: job.op, req: job.text });
  }
}
