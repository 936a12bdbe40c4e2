// main.js: wiring. Loads the module and catalogs, restores state from the
// URL, and recomputes (debounced) whenever an input changes.
const App = {
  state: null, results: [], cat: null, worker: null, validator: null,
  embed: document.documentElement.dataset.mode === 'embed',
  perf: { updates: 0, last: null, first: null, inputAt: null }, settleTimer: 0,
};
window.__wg = App.perf;

function setStatus(text, isError) {
  const s = document.getElementById('status');
  s.textContent = text; s.classList.toggle('error-cell', !!isError); s.hidden = !text;
}

function loadCatalogs(m) {
  const get = (k) => { try { const r = JSON.parse(m.catalog(k)); return r.ok ? r.result : []; } catch (e) { return []; } };
  const cat = { hardware: get('hardware'), models: get('models'), precisions: get('precisions'), engines: get('engines') };
  const profiles = new Set();
  for (const p of get('prices')) for (const pt of p.points || []) profiles.add(pt.profile);
  cat.profiles = [...profiles].sort();
  cat.models = cat.models.map((x) => ({ id: x.id, name: x.name }));
  for (const x of cat.hardware) Results.hwName[x.id] = x.name;
  return cat;
}

function update() {
  const t0 = performance.now();
  const m = Core.m, state = App.state;
  let local = {};
  if (!App.embed) { Form.clearErrors(); local = Form.read(); for (const [k, v] of Object.entries(local)) Form.setError(k, v); }
  const keys = Object.keys(local);
  const res = document.getElementById('results');
  if (keys.some((k) => !/^o\d+\./.test(k))) { // a shared input is invalid: keep the last results, marked stale
    res.classList.add('stale'); setStatus('Fix the highlighted input; the results below are from the last valid inputs.', true);
    return;
  }
  res.classList.remove('stale'); setStatus('');
  App.perf.requests = state.opts.map((o, i) => evaluateRequest(state, i)); // for tests: what was sent
  App.results = state.opts.map((o, i) => (keys.some((k) => k.startsWith('o' + i + '.')) ? null : callCore(m.evaluate, evaluateRequest(state, i))));
  if (!App.embed) {
    App.results.forEach((r, i) => {
      if (r && !r.ok) { const key = Form.keyForPath(r.error.path, i); if (!Form.setError(key, r.error.message)) Form.setError('o' + i + '.general', r.error.message); }
    });
  }
  Results.comparison(state, App.results);
  if (!App.embed) { Results.warnings(state, App.results); Results.explain(state, App.results); }
  const perf = { table_ms: performance.now() - t0 };
  App.perf.last = perf;
  App.perf.updates += 1;
  if (App.perf.first === null) App.perf.first = performance.now();
  res.setAttribute('aria-busy', 'false');
  document.body.dataset.updates = String(App.perf.updates);
  const seq = App.perf.updates;
  if (App.perf.inputAt !== null) { perf.input_to_table_ms = performance.now() - App.perf.inputAt; }
  // The candidate matrix and the charts once typing pauses (tables first; typing never waits for them).
  clearTimeout(App.settleTimer);
  App.settleTimer = setTimeout(() => {
    if (seq !== App.perf.updates) return; // superseded
    const d0 = performance.now();
    if (!App.embed) Results.matrix('matrix', callCore(m.decide, decideRequest(state, true)), 'matrix');
    const c0 = performance.now();
    try { Charts.render(state, App.results); } catch (e) { console.warn('charts', e); }
    perf.matrix_ms = c0 - d0; perf.charts_ms = performance.now() - c0;
    document.body.dataset.settled = String(seq);
  }, App.perf.updates === 1 ? 0 : 120);
  Share.update(state);
  if (!App.embed && !keys.length) {
    const box = document.getElementById('catalog-decide');
    box.classList.add('pending');
    App.worker.run('decide', decideRequest(state, false), (resp) => {
      box.classList.remove('pending');
      Results.matrix('catalog-decide', resp, 'catalog', 15);
    });
  }
}

async function main() {
  setStatus('Loading the calculator (WebAssembly core, about 1 MB)…');
  try { await Core.load(); } catch (e) { setStatus('The calculator could not load: ' + (e && e.message ? e.message : e), true); return; }
  App.cat = loadCatalogs(Core.m);
  const dec = await decodeState(location.hash);
  App.state = dec.state || defaultState();
  if (dec.error) { const n = document.getElementById('share-note'); if (n) { n.textContent = dec.error; n.hidden = false; } }
  const v = document.getElementById('version');
  if (v) v.textContent = 'core ' + Core.m.version() + (Core.mode === 'single' ? ' (offline single file)' : '');
  if (!App.embed) {
    App.worker = new CoreWorker();
    let queued = false; // coalesce inputs to one update per frame
    const schedule = () => { if (queued) return; queued = true; requestAnimationFrame(() => { queued = false; update(); }); };
    document.getElementById('inputs').addEventListener('input', () => { App.perf.inputAt = performance.now(); }, true);
    Form.init(App.cat, App.state, schedule);
    Share.init();
    const val = document.getElementById('validation');
    val.addEventListener('toggle', () => {
      if (!val.open || App.validator) return;
      App.validator = new CoreWorker();
      document.getElementById('validation-body').textContent = 'Running every published benchmark through the model (a few seconds, in a worker)…';
      App.validator.run('validate', null, (resp) => Results.validation(resp));
    });
  } else {
    const open = document.getElementById('open-full');
    if (open) open.href = Share.publicBase() + 'index.html' + location.hash;
  }
  update();
  window.addEventListener('resize', debounce(() => Charts.render(App.state, App.results), 200));
  window.addEventListener('hashchange', async () => {
    const d = await decodeState(location.hash);
    if (!d.state) return;
    App.state = d.state;
    if (!App.embed) { Form.state = d.state; Form.init(App.cat, d.state, Form.onChange); }
    update();
  });
}

main();
