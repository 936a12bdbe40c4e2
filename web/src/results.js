// results.js: tables and text from module responses. Every figure carries
// data-field / data-option / data-value with the raw number it shows.

const HEADLINE = [
  { field: 'memory.fits', label: 'Fits', fmt: (v) => (v ? 'yes' : 'no') },
  { field: 'prefill.ttft_s', label: 'Time to first token', fmt: fmtTime },
  { field: 'decode.tpot_s', label: 'Time per output token', fmt: fmtTime },
  { field: 'decode.tokens_per_s_per_user', label: 'Tokens/s per user', fmt: fmtRate },
  { field: 'throughput.output_tokens_per_s', label: 'Tokens/s total', fmt: fmtRate },
  { field: 'slo.max_concurrency_within_slo', label: 'Users within the SLO', fmt: (v) => String(v) },
  { field: 'cost.usd_per_million_output_tokens', label: '$ per M output tokens', fmt: fmtUsd },
];

function optionLabel(state, i, result) {
  const o = state.opts[i];
  const hw = (Results.hwName[o.hw] || o.hw);
  let s = o.dev + '× ' + hw;
  if (o.tp > 1 || o.pp > 1) s += ', TP ' + o.tp + (o.pp > 1 ? ' PP ' + o.pp : '');
  if (o.off) {
    const gl = result && result.offload ? result.offload.gpu_layers : o.gpuLayers;
    s += ', offload to ' + (Results.hwName[o.host] || o.host) + ' (' + gl + ' layers on GPU)';
  }
  return s;
}

function bandText(result, field) {
  const b = result.error_band && result.error_band[field];
  if (!b || !Number.isFinite(b.median_abs_rel)) return null;
  return h('span', { class: 'band', title: 'Calibration error band: median |error| ' + fmtPct(b.median_abs_rel) + ', ' + fmtPct(b.within_25_share) + ' within 25%, n = ' + b.n + (b.group ? ' (' + b.group + ')' : ''),
    'data-field': 'error_band.' + field + '.median_abs_rel', 'data-value': String(b.median_abs_rel) }, ' ±' + fmtPct(b.median_abs_rel));
}

// Best option among those that fit and meet the SLO: lowest $/M output tokens
// (figures from the responses; nothing derived).
function chooseBest(results) {
  let best = -1;
  results.forEach((r, i) => {
    if (!r || !r.ok) return;
    const x = r.result;
    if (!x.memory.fits || (x.slo && x.slo.met === false)) return;
    const c = pick(x, 'cost.usd_per_million_output_tokens');
    if (!Number.isFinite(c)) return;
    if (best < 0 || c < results[best].result.cost.usd_per_million_output_tokens) best = i;
  });
  return best;
}

const Results = {
  hwName: {},
  matrixSort: { key: null, dir: 1 },

  comparison(state, results) {
    const box = clear(document.getElementById('compare'));
    const best = chooseBest(results);
    const head = h('tr', null, h('th', { scope: 'col' }, 'Option'), HEADLINE.map((c) => h('th', { scope: 'col' }, c.label)));
    const body = h('tbody');
    results.forEach((r, i) => {
      const label = h('th', { scope: 'row' }, optionLabel(state, i, r && r.ok ? r.result : null));
      if (i === best) label.append(h('span', { class: 'best-badge' }, ' best'));
      const tr = h('tr', { class: i === best ? 'best' : '', 'data-option': i }, label);
      if (!r) { tr.append(h('td', { colspan: HEADLINE.length, class: 'muted' }, 'not computed: fix the highlighted input')); body.append(tr); return; }
      if (!r.ok) { tr.append(h('td', { colspan: HEADLINE.length, class: 'error-cell', 'data-error-code': r.error.code }, r.error.message)); body.append(tr); return; }
      const x = r.result;
      const p = x.precision ? x.precision.weights + (x.precision.fallback_from ? ' (from ' + x.precision.fallback_from + ')' : '') : '';
      label.append(h('span', { class: 'sub' }, [x.engine && x.engine.id, p].filter(Boolean).join(' · ')));
      for (const c of HEADLINE) {
        const v = pick(x, c.field);
        const td = h('td', { class: c.field === 'memory.fits' ? (v ? 'ok' : 'bad') : 'num' });
        if (c.field === 'slo.max_concurrency_within_slo' && !x.slo) td.append(h('span', { class: 'muted' }, 'no SLO set'));
        else td.append(fig(c.field, i, v, v === undefined || v === null ? 'n/a' : c.fmt(v)));
        const b = bandText(x, c.field); if (b) td.append(b);
        if (c.field === 'memory.fits') {
          const m = x.memory.per_device;
          td.append(h('span', { class: 'sub' }, fig('memory.per_device.required_bytes', i, m.required_bytes, fmtGB(m.required_bytes)), ' of ',
            fig('memory.per_device.available_bytes', i, m.available_bytes, fmtGB(m.available_bytes))));
        }
        if (c.field === 'decode.tpot_s' && x.decode.bound) td.append(h('span', { class: 'sub' }, x.decode.bound + '-bound'));
        if (c.field === 'prefill.ttft_s' && x.prefill.bound) td.append(h('span', { class: 'sub' }, x.prefill.bound + '-bound'));
        tr.append(td);
      }
      body.append(tr);
    });
    box.append(h('div', { class: 'scroll' }, h('table', { class: 'compare' }, h('caption', { class: 'sr-only' }, 'Comparison of the hardware options'), h('thead', null, head), body)));

    const why = clear(document.getElementById('best'));
    if (best >= 0) {
      const x = results[best].result;
      const others = results.map((r, i) => (i !== best && r && r.ok ? 'option ' + (i + 1) + ' ' + fmtUsd(r.result.cost.usd_per_million_output_tokens) + (r.result.memory.fits ? '' : ' (does not fit)') + (r.result.slo && r.result.slo.met === false ? ' (misses the SLO)' : '') : null)).filter(Boolean);
      why.append(h('strong', null, 'Best: option ' + (best + 1) + ' (' + optionLabel(state, best, x) + '). '),
        'It fits' + (x.slo ? ' and meets the SLO' : '') + ' at the lowest cost per million output tokens: ' + fmtUsd(x.cost.usd_per_million_output_tokens) +
        (others.length ? ' vs ' + others.join(', ') : '') + '; TTFT ' + fmtTime(x.prefill.ttft_s) + ', ' + fmtRate(x.decode.tokens_per_s_per_user) + ' tokens/s per user, ' +
        fmtUsd(x.cost.usd_per_hour) + '/h.');
    } else {
      why.append('No option both fits and ' + (results.some((r) => r && r.ok && r.result.slo) ? 'meets the SLO' : 'has a price') + ' at this load; see the table and the decision matrix.');
    }
  },

  warnings(state, results) {
    const box = clear(document.getElementById('warnings'));
    results.forEach((r, i) => {
      if (!r || !r.ok || !r.result.warnings || !r.result.warnings.length) return;
      box.append(h('h3', null, 'Option ' + (i + 1) + ': ' + optionLabel(state, i, r.result)),
        h('ul', null, r.result.warnings.map((w) => h('li', null, String(w)))));
    });
    if (!box.firstChild) box.append(h('p', { class: 'muted' }, 'No warnings.'));
  },

  explain(state, results) {
    const box = clear(document.getElementById('explain'));
    results.forEach((r, i) => {
      if (!r || !r.ok || !r.result.explain) return;
      const ex = r.result.explain;
      const dl = h('dl');
      for (const [k, v] of Object.entries(ex)) {
        if (k === 'sources' || !v || typeof v !== 'object') continue;
        dl.append(h('dt', null, h('code', null, k)));
        for (const [kk, vv] of Object.entries(v)) dl.append(h('dd', null, h('span', { class: 'k' }, kk + ': '), String(vv)));
      }
      const src = (ex.sources || []).map((s) => h('li', null, safeLink(s.url, s.title || s.id), s.id ? h('span', { class: 'sub' }, ' ' + s.id) : null));
      box.append(h('details', null, h('summary', null, 'Option ' + (i + 1) + ': ' + optionLabel(state, i, r.result)),
        dl, src.length ? h('div', null, h('h4', null, 'Catalog sources'), h('ul', { class: 'sources' }, src)) : null));
    });
  },

  // decide options table; sortable by clicking a column header.
  MATRIX_COLS: [
    { key: 'hardware', label: 'Hardware', get: (o) => Results.hwName[o.hardware] || o.hardware, text: true },
    { key: 'devices', label: 'Devices', get: (o) => o.devices, fmt: String },
    { key: 'layout', label: 'TP × PP × DP', get: (o) => (o.parallelism ? o.parallelism.tensor + '×' + o.parallelism.pipeline + '×' + o.parallelism.data : ''), text: true },
    { key: 'precision', label: 'Precision', get: (o) => o.precision, text: true },
    { key: 'engine', label: 'Engine', get: (o) => o.engine + (o.offload ? ' (offload ' + o.offload.gpu_layers + ' GPU layers)' : ''), text: true },
    { key: 'feasible', label: 'Feasible', get: (o) => (o.feasible ? 'yes' : 'no: ' + (o.reason ? o.reason.text : '')), text: true },
    { key: 'ttft_s', label: 'TTFT', get: (o) => o.ttft_s, fmt: fmtTime },
    { key: 'tpot_s', label: 'TPOT', get: (o) => o.tpot_s, fmt: fmtTime },
    { key: 'output_tokens_per_s', label: 'Tokens/s', get: (o) => o.output_tokens_per_s, fmt: fmtRate },
    { key: 'max_concurrency_within_slo', label: 'Users in SLO', get: (o) => o.max_concurrency_within_slo, fmt: (v) => String(v) },
    { key: 'usd_per_hour', label: '$/h', get: (o) => o.usd_per_hour, fmt: fmtUsd },
    { key: 'usd_per_million_output_tokens', label: '$/M out', get: (o) => o.usd_per_million_output_tokens, fmt: fmtUsd },
  ],

  matrix(boxId, resp, prefix, limit) {
    const box = clear(document.getElementById(boxId));
    if (!resp) return;
    if (!resp.ok) { box.append(h('p', { class: 'error-cell' }, resp.error.message)); return; }
    const r = resp.result;
    if (r.recommendation && r.recommendation.why) box.append(h('p', { class: 'why' }, h('strong', null, 'Recommendation: '), String(r.recommendation.why)));
    else box.append(h('p', null, 'Nothing feasible in this set.'));
    if (Array.isArray(r.rules_of_thumb) && r.rules_of_thumb.length) {
      const verdict = (x) => (!x.applies ? 'does not apply' : x.holds === true ? 'holds' : x.holds === false ? 'fails' : 'n/a');
      box.append(h('details', { class: 'rules' }, h('summary', null, 'Rules of thumb from the articles, checked for this case'),
        h('ul', null, r.rules_of_thumb.map((x) => h('li', null, h('strong', null, String(x.rule) + ': ' + verdict(x)), ' — ', String(x.evidence || ''))))));
    }
    let rows = r.options.map((o, idx) => ({ o, idx }));
    const sort = this.matrixSort[boxId];
    if (sort) {
      const col = this.MATRIX_COLS.find((c) => c.key === sort.key);
      rows.sort((a, b) => {
        const x = col.get(a.o), y = col.get(b.o);
        if (x === y) return a.idx - b.idx;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * sort.dir;
      });
    }
    const total = rows.length;
    if (limit && rows.length > limit) rows = rows.slice(0, limit);
    const head = h('tr', null, this.MATRIX_COLS.map((c) => {
      const active = sort && sort.key === c.key;
      return h('th', { scope: 'col', 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'sort', onclick: () => {
          const s = this.matrixSort[boxId];
          this.matrixSort[boxId] = { key: c.key, dir: s && s.key === c.key ? -s.dir : 1 };
          this.matrix(boxId, resp, prefix, limit);
          const btn = document.querySelector('#' + boxId + ' th[aria-sort]:not([aria-sort="none"]) button');
          if (btn) btn.focus();
        } }, c.label, active ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''));
    }));
    const body = h('tbody', null, rows.map(({ o, idx }) => h('tr', { class: o.feasible ? '' : 'infeasible', 'data-row': idx },
      this.MATRIX_COLS.map((c) => {
        const v = c.get(o);
        if (c.text) return h('td', null, String(v === undefined ? '' : v));
        return h('td', { class: 'num' }, fig(prefix + '.' + c.key, idx, v, v === null || v === undefined ? 'n/a' : c.fmt(v)));
      }))));
    box.append(h('div', { class: 'scroll' }, h('table', { class: 'matrix' }, h('thead', null, head), body)));
    box.append(h('p', { class: 'sub' }, (limit && total > limit ? 'Showing ' + limit + ' of ' : '') + total + ' options, ' +
      r.options.filter((o) => o.feasible).length + ' feasible, ranked by ' + (r.rank_by || 'cost') + '. Click a column to sort.'));
  },

  validation(resp) {
    const box = clear(document.getElementById('validation-body'));
    if (!resp.ok) { box.append(h('p', { class: 'error-cell' }, resp.error.message)); return; }
    const { summary, benchmarks } = resp.result;
    if (summary.definition) box.append(h('p', null, String(summary.definition)));
    const group = (title, obj) => {
      if (!obj) return null;
      const rows = Object.entries(obj).map(([k, g]) => h('tr', null, h('th', { scope: 'row' }, k),
        h('td', { class: 'num' }, fig('validate.' + title + '.' + k + '.median_abs_rel', null, g.median_abs_rel, fmtPct(g.median_abs_rel))),
        h('td', { class: 'num' }, fig('validate.' + title + '.' + k + '.bias_rel', null, g.bias_rel, fmtPct(g.bias_rel))),
        h('td', { class: 'num' }, fmtPct(g.within_25_share)), h('td', { class: 'num' }, String(g.n)), h('td', null, String(g.status || ''))));
      return h('div', { class: 'scroll' }, h('table', null, h('caption', null, title.split('.').pop().replace('by_', 'By ').replace('overall', 'Overall')),
        h('thead', null, h('tr', null, ['', 'median |error|', 'bias', 'within 25%', 'n', 'status'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows)));
    };
    for (const [which, title] of [['cross_validated', 'Cross-validated (each source predicted from the others)'], ['in_sample', 'In sample (committed calibration)']]) {
      const w = summary[which];
      if (!w) continue;
      box.append(h('h3', null, title));
      if (w.overall) box.append(group(which + '.overall', { all: w.overall }));
      for (const k of ['by_group', 'by_engine', 'by_family']) if (w[k]) box.append(group(which + '.' + k, w[k]));
    }
    const rows = benchmarks.map((b, i) => h('tr', null,
      h('td', null, String(b.id)), h('td', null, String(b.metric)), h('td', null, b.request ? String(b.request.hardware) : ''),
      h('td', { class: 'num' }, fig('validate.measured', i, b.measured, fmtRate(b.measured))),
      h('td', { class: 'num' }, fig('validate.predicted', i, b.predicted, fmtRate(b.predicted))),
      h('td', { class: 'num' }, fig('validate.speed_error_rel', i, b.speed_error_rel, b.speed_error_rel === undefined ? 'n/a' : fmtPct(b.speed_error_rel))),
      h('td', { class: 'num' }, fig('validate.cv_speed_error_rel', i, b.cv_speed_error_rel, b.cv_speed_error_rel === undefined ? 'n/a' : fmtPct(b.cv_speed_error_rel))),
      h('td', null, safeLink(b.url, b.source || 'source'))));
    box.append(h('div', { class: 'scroll' }, h('table', { class: 'matrix' }, h('caption', null, 'Every published benchmark in the catalog'),
      h('thead', null, h('tr', null, ['Benchmark', 'Metric', 'Hardware', 'Measured', 'Predicted', 'Speed error', 'Cross-validated', 'Source'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows))));
  },
};
