// form.js: the inputs. Builds fields from definitions, reads them into state,
// catches NaN / empty / overflow by the field, shows errors next to fields.

const GLOBAL_FIELDS = [
  { key: 'model', label: 'Model', type: 'model', hint: 'Catalog id; type to search (e.g. "70b", "qwen"). Or paste / drop a config.json below.' },
  { key: 'cfg', label: 'Custom config.json', type: 'cfg', hint: 'Paste or drop a Hugging Face config.json here; it replaces the catalog model. Clear it to go back.' },
  { key: 'wp', label: 'Weight precision', type: 'select', src: 'precisions', empty: "model's native precision", hint: 'Format the weights are stored in.' },
  { key: 'kv', label: 'KV-cache precision', type: 'select', src: 'kvprecisions', empty: 'engine default (bf16)', hint: 'Format of the attention key/value cache.' },
  { key: 'in', label: 'Input tokens', type: 'num', unit: 'tokens', int: true, hint: 'Prompt length per request.' },
  { key: 'out', label: 'Output tokens', type: 'num', unit: 'tokens', int: true, hint: 'Generated tokens per request.' },
  { key: 'load', label: 'Load', type: 'load', hint: 'Concurrent users (closed loop, like vllm bench --max-concurrency) or requests per second (open loop).' },
  { key: 'ttft', label: 'SLO: time to first token', type: 'num', unit: 's', optional: true, hint: 'Mean target; blank = no target.' },
  { key: 'tpot', label: 'SLO: time per output token', type: 'num', unit: 's', optional: true, hint: 'Mean target (0.1 s = 10 tokens/s per user); blank = no target.' },
  { key: 'engine', label: 'Engine', type: 'select', src: 'engines', empty: 'automatic (vLLM on GPUs, llama.cpp for CPU/offload)', hint: 'Serving engine profile; each pins the version its defaults come from.' },
  { key: 'profile', label: 'Price profile', type: 'select', src: 'profiles', hint: 'Which catalog price point; set a price per device-hour per option to override.' },
];

const OPTION_FIELDS = [
  { key: 'hw', label: 'Hardware', type: 'select', src: 'accelerators', hint: 'Catalog device.' },
  { key: 'dev', label: 'Devices', type: 'num', unit: 'devices', int: true, hint: '= tensor × pipeline × replicas.' },
  { key: 'tp', label: 'Tensor parallel', type: 'num', unit: 'ways', int: true, hint: 'Must divide the attention heads.' },
  { key: 'pp', label: 'Pipeline parallel', type: 'num', unit: 'stages', int: true, hint: 'Layer stages.' },
  { key: 'off', label: 'Offload layers to a host CPU', type: 'check', hint: 'llama.cpp-style layer split (one GPU).' },
  { key: 'host', label: 'Offload host', type: 'select', src: 'hosts', hint: 'CPU that holds and runs the offloaded layers.', offOnly: true },
  { key: 'hostMem', label: 'Host memory', type: 'num', unit: 'GiB', optional: true, hint: 'Installed RAM; blank = the catalog figure.', offOnly: true },
  { key: 'gpuLayers', label: 'Layers on the GPU', type: 'layers', unit: 'layers', hint: '"auto" = as many as fit.', offOnly: true },
  { key: 'price', label: 'Price per device-hour', type: 'num', unit: 'USD', optional: true, hint: 'Blank = the price profile.' },
];

const Form = {
  cat: null, state: null, local: {}, onChange: null,

  init(cat, state, onChange) {
    this.cat = cat; this.state = state; this.onChange = onChange;
    const g = clear(document.getElementById('global-fields'));
    for (const f of GLOBAL_FIELDS) g.append(this.field(f, f.key, this.state[f.key]));
    this.renderOptions();
    if (this.bound) return;
    this.bound = true;
    document.getElementById('add-opt').addEventListener('click', () => {
      if (this.state.opts.length >= 4) return;
      this.read();
      const last = this.state.opts[this.state.opts.length - 1];
      this.state.opts.push({ ...last });
      this.renderOptions(); this.changed();
    });
  },

  choices(src) {
    const c = this.cat;
    switch (src) {
      case 'precisions': return c.precisions.map((p) => [p.id, p.id + ' — ' + p.name]);
      case 'kvprecisions': return c.precisions.filter((p) => p.kv_bits && p.kv_bits.supported !== false).map((p) => [p.id, p.id]);
      case 'engines': return c.engines.map((e) => [e.id, e.name]);
      case 'profiles': return c.profiles.map((p) => [p, p]);
      case 'accelerators': return c.hardware.map((x) => [x.id, x.name + ' (' + x.kind + ')']);
      case 'hosts': return c.hardware.filter((x) => x.kind === 'cpu').map((x) => [x.id, x.name]);
    }
    return [];
  },

  field(f, key, value) {
    const id = 'f-' + key.replace(/\./g, '-');
    const hintId = 'h-' + id, errId = 'e-' + id;
    const desc = hintId + ' ' + errId;
    let ctl;
    const onInput = () => this.changed();
    if (f.type === 'select') {
      ctl = h('select', { id, 'aria-describedby': desc, oninput: onInput });
      if (f.empty !== undefined) ctl.append(h('option', { value: '' }, f.empty));
      for (const [v, t] of this.choices(f.src)) ctl.append(h('option', { value: v }, t));
      if (value && ![...ctl.options].some((o) => o.value === value)) ctl.append(h('option', { value }, value + ' (not in the catalog)'));
      ctl.value = value || '';
    } else if (f.type === 'check') {
      ctl = h('input', { id, type: 'checkbox', 'aria-describedby': desc, onchange: () => { this.read(); this.renderOptions(); this.changed(); } });
      ctl.checked = !!value;
    } else if (f.type === 'model') {
      ctl = h('input', { id, type: 'text', list: 'wg-models', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': desc, oninput: onInput });
      ctl.value = value || '';
      const dl = h('datalist', { id: 'wg-models' });
      for (const m of this.cat.models) dl.append(h('option', { value: m.id }, m.name));
      ctl = h('div', { class: 'ctl' }, ctl, dl);
    } else if (f.type === 'cfg') {
      const ta = h('textarea', { id, rows: 3, spellcheck: 'false', placeholder: '{ "architectures": [...], "hidden_size": ..., ... }', 'aria-describedby': desc, oninput: onInput });
      ta.value = value || '';
      const file = h('input', { type: 'file', accept: '.json,application/json', 'aria-label': 'Load a config.json file',
        onchange: (e) => this.loadFile(e.target.files && e.target.files[0], ta) });
      ta.addEventListener('dragover', (e) => { e.preventDefault(); ta.classList.add('drop'); });
      ta.addEventListener('dragleave', () => ta.classList.remove('drop'));
      ta.addEventListener('drop', (e) => { e.preventDefault(); ta.classList.remove('drop'); this.loadFile(e.dataTransfer.files && e.dataTransfer.files[0], ta); });
      ctl = h('div', { class: 'ctl cfg' }, ta, file);
    } else if (f.type === 'load') {
      const mode = h('select', { id: id + '-mode', 'aria-label': 'Load kind', oninput: () => { this.setLoadUnit(); onInput(); } },
        h('option', { value: 'concurrency' }, 'concurrent users'), h('option', { value: 'rate' }, 'requests per second'));
      mode.value = this.state.loadMode;
      const inp = h('input', { id, type: 'text', inputmode: 'decimal', 'aria-describedby': desc, oninput: onInput });
      inp.value = String(value);
      ctl = h('div', { class: 'ctl' }, inp, mode);
    } else {
      ctl = h('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': desc, oninput: onInput });
      ctl.value = value === null || value === undefined ? '' : String(value);
      if (f.unit) ctl = h('div', { class: 'ctl' }, ctl, h('span', { class: 'unit', 'aria-hidden': 'true' }, f.unit));
    }
    const label = h('label', { for: id }, f.label, f.unit ? h('span', { class: 'sr-only' }, ' (' + f.unit + ')') : null);
    return h('div', { class: 'field field-' + f.type, 'data-key': key }, label, ctl,
      h('p', { class: 'hint', id: hintId }, f.hint), h('p', { class: 'err', id: errId, hidden: true }));
  },

  loadFile(file, ta) {
    if (!file) return;
    if (file.size > 1 << 20) { ta.value = ''; this.changed(); this.setError('cfg', 'config.json is over 1 MiB'); return; }
    file.text().then((t) => { ta.value = t; this.changed(); });
  },

  setLoadUnit() {},

  renderOptions() {
    const box = clear(document.getElementById('options'));
    this.state.opts.forEach((o, i) => {
      const fs = h('fieldset', { class: 'opt', 'data-option': i },
        h('legend', null, 'Option ' + (i + 1)));
      for (const f of OPTION_FIELDS) {
        if (f.offOnly && !o.off) continue;
        fs.append(this.field(f, 'o' + i + '.' + f.key, o[f.key]));
      }
      fs.append(h('p', { class: 'err', id: 'e-f-o' + i + '-general', hidden: true }));
      if (this.state.opts.length > 1) {
        fs.append(h('button', { type: 'button', class: 'remove', onclick: () => {
          this.read(); this.state.opts.splice(i, 1); this.renderOptions(); this.changed();
        } }, 'Remove option ' + (i + 1)));
      }
      box.append(fs);
    });
    document.getElementById('add-opt').disabled = this.state.opts.length >= 4;
  },

  el(key) { return document.getElementById('f-' + key.replace(/\./g, '-')); },

  // Parse a number input. Empty / NaN / Infinity never become numbers.
  parseNum(key, f) {
    const raw = this.el(key).value.trim();
    if (raw === '') {
      if (f.optional) return { value: null };
      return { error: 'Enter a number' + (f.unit ? ' (' + f.unit + ')' : '') + '.' };
    }
    const v = Number(raw.replace(/[,_\s]/g, ''));
    if (Number.isNaN(v)) return { error: 'Not a number: "' + raw.slice(0, 40) + '". Enter a number' + (f.unit ? ' in ' + f.unit : '') + '.' };
    if (!Number.isFinite(v)) return { error: 'The number is too large.' };
    if (f.int && !Number.isInteger(v)) return { error: 'Enter a whole number.' };
    return { value: v };
  },

  // Read every field into state; collect local (input) errors by key.
  read() {
    const s = this.state, local = {};
    const take = (key, f, assign) => {
      if (f.type === 'num') { const r = this.parseNum(key, f); if (r.error) local[key] = r.error; else assign(r.value); }
    };
    s.model = this.el('model').value.trim();
    const cfg = this.el('cfg').value;
    s.cfg = cfg.trim() ? cfg : null;
    if (s.cfg) { const p = parseConfig(s.cfg); if (p.error) local.cfg = p.error; }
    s.wp = this.el('wp').value; s.kv = this.el('kv').value;
    s.engine = this.el('engine').value; s.profile = this.el('profile').value;
    take('in', GLOBAL_FIELDS[4], (v) => { s.in = v; });
    take('out', GLOBAL_FIELDS[5], (v) => { s.out = v; });
    s.loadMode = document.getElementById('f-load-mode').value;
    take('load', { type: 'num', int: s.loadMode === 'concurrency', unit: s.loadMode === 'rate' ? 'requests/s' : 'users' }, (v) => { s.load = v; });
    take('ttft', GLOBAL_FIELDS[7], (v) => { s.ttft = v; });
    take('tpot', GLOBAL_FIELDS[8], (v) => { s.tpot = v; });
    s.opts.forEach((o, i) => {
      for (const f of OPTION_FIELDS) {
        const key = 'o' + i + '.' + f.key, el = this.el(key);
        if (!el) continue;
        if (f.type === 'select') o[f.key] = el.value;
        else if (f.type === 'check') o[f.key] = el.checked;
        else if (f.type === 'layers') {
          const raw = el.value.trim();
          if (raw === '' || raw.toLowerCase() === 'auto') o.gpuLayers = 'auto';
          else { const r = this.parseNum(key, { int: true, unit: 'layers' }); if (r.error) local[key] = r.error; else o.gpuLayers = r.value; }
        } else take(key, f, (v) => { o[f.key] = v; });
      }
    });
    this.local = local;
    return local;
  },

  changed() { if (this.onChange) this.onChange(); },

  clearErrors() {
    for (const e of document.querySelectorAll('#inputs .err')) { e.hidden = true; e.textContent = ''; }
    for (const e of document.querySelectorAll('#inputs [aria-invalid]')) e.removeAttribute('aria-invalid');
  },

  setError(key, msg) {
    const err = document.getElementById('e-f-' + key.replace(/\./g, '-'));
    if (!err) return false;
    if (!err.hidden && err.textContent.includes(msg)) return true;
    err.textContent = err.hidden ? msg : err.textContent + ' ' + msg;
    err.hidden = false;
    const el = this.el(key);
    if (el) el.setAttribute('aria-invalid', 'true');
    return true;
  },

  // A module error's JSON Pointer -> the field that caused it.
  keyForPath(path, i) {
    const p = path || '';
    const o = (k) => 'o' + i + '.' + k;
    const rules = [
      ['/model', this.state.cfg ? 'cfg' : 'model'],
      ['/precision/kv_cache', 'kv'], ['/precision', 'wp'],
      ['/workload/input_tokens', 'in'], ['/workload/output_tokens', 'out'],
      ['/workload/concurrency', 'load'], ['/workload/request_rate_per_s', 'load'], ['/workload', 'in'],
      ['/slo/tpot_s', 'tpot'], ['/slo', 'ttft'],
      ['/engine', 'engine'], ['/price_profile', 'profile'],
      ['/hardware', o('hw')], ['/devices', o('dev')],
      ['/parallelism/pipeline', o('pp')], ['/parallelism', o('tp')],
      ['/offload/host_memory_GiB', o('hostMem')], ['/offload/host', o('host')],
      ['/offload/gpu_layers', o('gpuLayers')], ['/offload', o('off')],
      ['/price_per_device_hour_usd', o('price')],
    ];
    for (const [pre, key] of rules) if (p === pre || p.startsWith(pre + '/')) return key;
    return i === null || i === undefined ? null : o('general');
  },
};
