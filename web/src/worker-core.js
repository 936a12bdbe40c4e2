// worker-core.js: runs inside a Web Worker. wgWorkerMain(factory) answers
// {id, op: 'decide' | 'evaluate' | 'validate', req} with {id, out}.
function wgWorkerMain(factory) {
  let ready = null;
  self.onmessage = (e) => {
    const d = e.data;
    if (d.type === 'init') {
      const opts = {};
      if (d.module) opts.instantiateWasm = (imports, receive) => { WebAssembly.instantiate(d.module, imports).then((i) => receive(i, d.module)); return {}; };
      ready = factory(opts);
      return;
    }
    if (!ready) ready = factory({});
    ready.then((m) => {
      let out;
      try { out = d.op === 'validate' ? m.validate() : d.op === 'decide' ? m.decide(d.req) : m.evaluate(d.req); }
      catch (err) { out = JSON.stringify({ ok: false, error: { code: 'internal', message: String(err), path: '' } }); }
      self.postMessage({ id: d.id, out });
    });
  };
}
