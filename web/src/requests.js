// requests.js: state -> API requests (API.md "Request" and "decide"). Computes nothing.
const MAX_REQUEST_BYTES = 1 << 20; // TOOLCHAIN trap 9: reject before copying into wasm

// A custom config.json: the raw Hugging Face config, or {"name", "hf_config"}.
// Returns {model} or {error}.
function parseConfig(text) {
  let obj;
  try { obj = JSON.parse(text); } catch (e) {
    return { error: 'config.json is not valid JSON: ' + (e && e.message ? e.message : 'parse error') };
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { error: 'config.json must be a JSON object' };
  if (obj.hf_config && typeof obj.hf_config === 'object') {
    return { model: { name: typeof obj.name === 'string' ? obj.name : 'custom model', hf_config: obj.hf_config } };
  }
  const name = typeof obj._name_or_path === 'string' && obj._name_or_path ? obj._name_or_path
    : typeof obj.name === 'string' && obj.name ? obj.name : 'custom model';
  return { model: { name, hf_config: obj } };
}

function modelOf(state) {
  if (state.cfg) { const p = parseConfig(state.cfg); return p.model || null; }
  return state.model;
}
function modelLabel(state) {
  const m = modelOf(state);
  return m && typeof m === 'object' ? m.name : String(m || '');
}

function commonFields(state) {
  const r = { model: modelOf(state) };
  const prec = {};
  if (state.wp) prec.weights = state.wp;
  if (state.kv) prec.kv_cache = state.kv;
  if (Object.keys(prec).length) r.precision = prec;
  r.workload = { input_tokens: state.in, output_tokens: state.out };
  if (state.loadMode === 'rate') r.workload.request_rate_per_s = state.load;
  else r.workload.concurrency = state.load;
  const slo = {};
  if (state.ttft !== null) slo.ttft_s = state.ttft;
  if (state.tpot !== null) slo.tpot_s = state.tpot;
  if (Object.keys(slo).length) r.slo = slo;
  if (state.engine) r.engine = state.engine;
  if (state.profile) r.price_profile = state.profile;
  return r;
}

function evaluateRequest(state, i) {
  const o = state.opts[i];
  const r = commonFields(state);
  r.hardware = o.hw;
  r.devices = o.dev;
  r.parallelism = { tensor: o.tp, pipeline: o.pp };
  if (o.off) {
    r.offload = { mode: 'layers', gpu_layers: o.gpuLayers, host: o.host };
    if (o.hostMem !== null) r.offload.host_memory_GiB = o.hostMem;
  }
  if (o.price !== null) r.price_per_device_hour_usd = o.price;
  return r;
}

// decide over the user's candidate set (their hardware ids), or the whole catalog (ids omitted).
function decideRequest(state, withCandidates) {
  const c = commonFields(state);
  const r = { model: c.model, workload: c.workload };
  if (c.slo) r.slo = c.slo;
  if (c.engine) r.engine = c.engine;
  if (c.price_profile) r.price_profile = c.price_profile;
  const cand = {};
  if (withCandidates) cand.hardware = [...new Set(state.opts.map((o) => o.hw))];
  if (state.wp) cand.precisions = [state.wp];
  const off = state.opts.find((o) => o.off);
  if (withCandidates && off) { cand.allow_offload = true; cand.offload_host = off.host; }
  if (Object.keys(cand).length) r.candidates = cand;
  return r;
}

// Call a module function with a size check first. Returns the parsed response.
function callCore(fn, req) {
  const text = JSON.stringify(req);
  if (text.length > MAX_REQUEST_BYTES) {
    return { ok: false, error: { code: 'too_large', message: 'the request is over 1 MiB (' + text.length + ' bytes); nothing was computed', path: '' } };
  }
  try { return JSON.parse(fn(text)); } catch (e) {
    return { ok: false, error: { code: 'internal', message: 'the module failed: ' + (e && e.message ? e.message : e), path: '' } };
  }
}
