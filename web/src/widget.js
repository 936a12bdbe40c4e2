// widget.js: the single-script blog widget (embed.js). Configured by data
// attributes on its own <script> tag; renders a compact table in a shadow root.
// Host pages with a strict Content-Security-Policy need the <iframe> instead.
const WIDGET_CSS = `
:host { all: initial; display: block; }
.wg { font: 14px/1.4 system-ui, sans-serif; color: #1d1f23; background: #fff; border: 1px solid #ccd; border-radius: 8px; padding: 10px 12px; max-width: 640px; }
@media (prefers-color-scheme: dark) { .wg { color: #e6e8eb; background: #1b1d21; border-color: #3a3d44; } a { color: #8ab4ff; } }
h3 { font-size: 15px; margin: 0 0 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid rgba(127,127,127,.3); vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.err { color: #c92a2a; } .sub { display: block; font-size: 12px; opacity: .75; }
.foot { font-size: 12px; margin: 6px 0 0; opacity: .85; }
.scroll { overflow-x: auto; }
`;

function widgetState(ds) {
  const errors = [];
  const list = (v) => (v === undefined ? [] : String(v).split(',').map((x) => x.trim()));
  const num = (name, v, def) => {
    if (v === undefined || v === '') return def;
    const n = Number(v);
    if (!Number.isFinite(n)) { errors.push('data-' + name + ': not a number: "' + String(v).slice(0, 40) + '"'); return def; }
    return n;
  };
  const s = defaultState();
  s.ttft = null; s.tpot = null;
  if (ds.model !== undefined) s.model = String(ds.model).slice(0, 200);
  if (ds.precision !== undefined) s.wp = String(ds.precision).slice(0, 100);
  s.in = num('input-tokens', ds.inputTokens, s.in);
  s.out = num('output-tokens', ds.outputTokens, s.out);
  if (ds.requestRate !== undefined) { s.loadMode = 'rate'; s.load = num('request-rate', ds.requestRate, 1); }
  else s.load = num('concurrency', ds.concurrency, 1);
  if (ds.ttft !== undefined) s.ttft = num('ttft', ds.ttft, null);
  if (ds.tpot !== undefined) s.tpot = num('tpot', ds.tpot, null);
  if (ds.priceProfile !== undefined) s.profile = String(ds.priceProfile).slice(0, 100);
  if (ds.hardware !== undefined) {
    const hw = list(ds.hardware).slice(0, 4), dev = list(ds.devices), tp = list(ds.tp), off = list(ds.offload);
    s.opts = hw.map((id, i) => {
      const d = num('devices', dev[i] !== undefined ? dev[i] : dev[0], 1);
      const o = { hw: id.slice(0, 200), dev: d, tp: num('tp', tp[i] !== undefined ? tp[i] : tp[0], d), pp: 1, off: false, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null };
      if (off[i] && off[i] !== '-') { o.off = true; o.host = off[i].slice(0, 200); }
      return o;
    });
  }
  return { state: s, errors };
}

function mountWidget(script, factory) {
  const host = document.createElement('div');
  host.className = 'whichgpu-widget';
  script.parentNode.insertBefore(host, script.nextSibling);
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = WIDGET_CSS;
  const box = h('div', { class: 'wg', role: 'region', 'aria-label': 'whichgpu comparison', 'aria-live': 'polite' }, 'Loading whichgpu…');
  root.append(style, box);
  const { state, errors } = widgetState(script.dataset);
  const base = new URL('.', script.src || location.href).href;
  factory().then((m) => {
    const rows = state.opts.map((o, i) => {
      const r = callCore(m.evaluate, evaluateRequest(state, i));
      const label = h('th', { scope: 'row' }, o.dev + '× ' + o.hw + (o.tp > 1 ? ' TP ' + o.tp : '') + (o.off ? ' + offload to ' + o.host : ''));
      if (!r.ok) return h('tr', null, label, h('td', { colspan: 4, class: 'err' }, r.error.message));
      const x = r.result;
      return h('tr', null, label,
        h('td', { class: 'num' }, fig('memory.fits', i, x.memory.fits, x.memory.fits ? 'yes' : 'no')),
        h('td', { class: 'num' }, fig('prefill.ttft_s', i, x.prefill.ttft_s, fmtTime(x.prefill.ttft_s))),
        h('td', { class: 'num' }, fig('decode.tokens_per_s_per_user', i, x.decode.tokens_per_s_per_user, fmtRate(x.decode.tokens_per_s_per_user))),
        h('td', { class: 'num' }, fig('cost.usd_per_million_output_tokens', i, pick(x, 'cost.usd_per_million_output_tokens'), fmtUsd(pick(x, 'cost.usd_per_million_output_tokens')))));
    });
    clear(box).append(
      h('h3', null, 'Serving ' + state.model + ' (' + state.in + ' in / ' + state.out + ' out, ' + (state.loadMode === 'rate' ? state.load + ' req/s' : state.load + ' concurrent') + ')'),
      errors.map((e) => h('p', { class: 'err' }, e)),
      h('div', { class: 'scroll' }, h('table', null, h('thead', null, h('tr', null, ['Option', 'Fits', 'First token', 'Tokens/s per user', '$/M out'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows))),
      h('p', { class: 'foot' }, 'Computed in your browser by ', h('a', { href: base + 'index.html', target: '_blank', rel: 'noopener' }, 'whichgpu'), ' ' + m.version() + '.'));
    encodeState(state).then((frag) => { const a = box.querySelector('.foot a'); if (a) a.href = base + 'index.html#' + frag; });
  }, (e) => { clear(box).append(h('p', { class: 'err' }, 'whichgpu could not load: ' + (e && e.message ? e.message : e))); });
}
