// charts.js: uPlot charts from module responses. Only chart geometry here
// (axis placement, stacking offsets for drawing); every figure is the module's.
const COLORS = ['#2f6fdf', '#e8590c', '#2b8a3e', '#ae3ec9'];

const Charts = {
  plots: [],

  destroy() { for (const p of this.plots) p.destroy(); this.plots = []; },

  theme() {
    const cs = getComputedStyle(document.documentElement);
    return { fg: cs.getPropertyValue('--fg').trim() || '#222', grid: cs.getPropertyValue('--grid').trim() || '#ddd' };
  },

  axis(t, label, extra) {
    return Object.assign({ label, stroke: t.fg, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 }, labelSize: 18, size: 56 }, extra || {});
  },

  mount(id, opts, data) {
    const box = clear(document.getElementById(id));
    const w = Math.max(280, Math.min(box.clientWidth || 600, 900));
    const plot = new uPlot(Object.assign({ width: w, height: 260 }, opts), data, box);
    this.plots.push(plot);
    return plot;
  },

  // Series with different x per series -> one sorted x array with nulls (mode 1).
  merge(groups) {
    const pts = [];
    groups.forEach((g, si) => g.forEach(([x, y]) => { if (Number.isFinite(x) && Number.isFinite(y)) pts.push([x, si, y]); }));
    pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const data = [pts.map((p) => p[0])];
    groups.forEach((_, si) => data.push(pts.map((p) => (p[1] === si ? p[2] : null))));
    return data;
  },

  render(state, results) {
    if (typeof uPlot !== 'function') return;
    this.destroy();
    const t = this.theme();
    const ok = results.map((r, i) => (r && r.ok ? { i, x: r.result } : null)).filter(Boolean);
    if (!ok.length) { for (const id of ['ch-roof', 'ch-curve', 'ch-mem', 'ch-cost']) clear(document.getElementById(id)); return; }
    const name = (i) => 'Option ' + (i + 1);
    const pointsOnly = { paths: () => null };
    const sci = (u, vals) => vals.map((v) => (v == null ? '' : v >= 1e4 || v < 1e-2 ? v.toExponential(0).replace('e+', 'e') : String(v)));

    // 1. Roofline (log-log): memory roof up to the ridge point, compute roof after it; operators as points.
    const groups = [], series = [{ label: 'FLOP/byte' }];
    let xmin = Infinity, xmax = 0;
    for (const { x } of ok) for (const op of x.ops || []) if (op.intensity > 0) { xmin = Math.min(xmin, op.intensity); xmax = Math.max(xmax, op.intensity); }
    if (!Number.isFinite(xmin)) { xmin = 0.1; xmax = 1000; }
    xmin = Math.min(xmin, 0.5) / 2; xmax = Math.max(xmax, 2000) * 2;
    for (const { i, x } of ok) {
      const hw = x.hardware || {};
      const rp = (hw.ridge_point && (hw.ridge_point[x.precision && x.precision.math] || hw.ridge_point.bf16)) || null;
      const bw = hw.effective_bandwidth_bytes_per_s;
      if (rp && bw) {
        groups.push([[xmin, xmin * bw], [rp.effective_flops_per_byte, rp.effective_flops_per_s], [xmax, rp.effective_flops_per_s]]);
        series.push({ label: name(i) + ' roof (' + (hw.name || hw.id) + ')', stroke: COLORS[i], width: 2, spanGaps: true, points: { show: false } });
      }
      for (const phase of ['prefill', 'decode']) {
        const ops = (x.ops || []).filter((o) => o.phase === phase && o.time_s > 0 && o.flops > 0);
        groups.push(ops.map((o) => [o.intensity, o.flops / o.time_s]));
        series.push(Object.assign({ label: name(i) + ' ' + phase + ' ops', stroke: COLORS[i], fill: phase === 'prefill' ? COLORS[i] : 'transparent',
          points: { show: true, size: phase === 'prefill' ? 7 : 9, width: 2, fill: phase === 'prefill' ? COLORS[i] : 'transparent' } }, pointsOnly));
      }
    }
    this.mount('ch-roof', {
      title: 'Roofline (per device, effective peaks)', series,
      scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
      axes: [this.axis(t, 'arithmetic intensity (FLOP/byte)', { values: sci }), this.axis(t, 'FLOP/s', { values: sci, size: 64 })],
      legend: { live: false },
    }, this.merge(groups));

    // 2. Throughput per device vs tokens/s per user across concurrency.
    const cg = [], cs = [{ label: 'tokens/s per user' }];
    for (const { i, x } of ok) {
      cg.push((x.curve || []).map((p) => [p.tokens_per_s_per_user, p.output_tokens_per_s_per_device]));
      cs.push({ label: name(i), stroke: COLORS[i], width: 2, spanGaps: true, points: { show: true, size: 6, fill: COLORS[i] } });
    }
    this.mount('ch-curve', {
      title: 'Throughput per device vs speed per user (concurrency 1, 2, 4, …)', series: cs,
      scales: { x: { time: false } },
      axes: [this.axis(t, 'output tokens/s per user'), this.axis(t, 'output tokens/s per device')],
    }, this.merge(cg));

    // 3. Stacked memory per device (fullest device) against what is available.
    const n = results.length, idx = results.map((_, i) => i);
    const parts = [['weights_bytes', 'weights', '#4c6ef5'], ['kv_cache_bytes', 'KV cache', '#20c997'], ['activation_bytes', 'activations', '#fab005'], ['reserved_bytes', 'reserve', '#868e96']];
    const md = (i, k) => (results[i] && results[i].ok ? results[i].result.memory.per_device[k] : null);
    const stacks = parts.map((_, pi) => idx.map((i) => {
      if (md(i, 'weights_bytes') == null) return null;
      let s = 0; for (let q = 0; q <= pi; q++) s += md(i, parts[q][0]) || 0; return s / 1e9;
    }));
    const bars = uPlot.paths.bars({ size: [0.5, 90] });
    const ms = [{ label: 'option' }];
    const mdata = [idx];
    for (let pi = parts.length - 1; pi >= 0; pi--) {
      const key = parts[pi][0];
      ms.push({ label: parts[pi][1], fill: parts[pi][2], stroke: parts[pi][2], paths: bars, points: { show: false },
        value: (u, v, si, di) => (di == null || md(di, key) == null ? '–' : fmtGB(md(di, key))) });
      mdata.push(stacks[pi]);
    }
    ms.push(Object.assign({ label: 'available', stroke: t.fg, points: { show: true, size: 10, width: 3, fill: 'transparent' },
      value: (u, v) => (v == null ? '–' : sig(v, 3) + ' GB') }, pointsOnly));
    mdata.push(idx.map((i) => (md(i, 'available_bytes') == null ? null : md(i, 'available_bytes') / 1e9)));
    const catAxis = (label) => this.axis(t, label, { splits: () => idx, values: (u, v) => v.map((x) => (Number.isInteger(x) ? name(x) : '')) });
    this.mount('ch-mem', {
      title: 'Memory per device (GB) vs available', series: ms,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (u, lo, hi) => [0, hi * 1.08] } },
      axes: [catAxis(''), this.axis(t, 'GB')],
    }, mdata);

    // 4. $ per million output tokens per option.
    const cost = (i) => (results[i] && results[i].ok ? pick(results[i].result, 'cost.usd_per_million_output_tokens') : null);
    const ks = [{ label: 'option' }], kd = [idx];
    for (const i of idx) {
      ks.push({ label: name(i), fill: COLORS[i], stroke: COLORS[i], paths: bars, points: { show: false }, value: (u, v) => (v == null ? '–' : fmtUsd(v)) });
      kd.push(idx.map((j) => (j === i ? cost(i) : null)));
    }
    this.mount('ch-cost', {
      title: '$ per million output tokens', series: ks,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (u, lo, hi) => [0, (hi || 1) * 1.1] } },
      axes: [catAxis(''), this.axis(t, 'USD per M tokens')],
    }, kd);
  },
};
