// state.js: the calculator's state, its defaults, and its URL-hash form.
const HASH_LIMIT = 8192; // characters of the URL fragment; stated in the UI

function defaultState() {
  return {
    model: 'meta-llama-3.1-70b',
    cfg: null,            // custom config.json text (string) or null
    wp: 'bf16', kv: '',   // '' = default
    in: 1024, out: 256,
    loadMode: 'concurrency', load: 1,
    ttft: 2, tpot: 0.1,   // SLO; null = no target
    engine: '', profile: 'on-demand-tier2',
    opts: [
      { hw: 'nvidia-a100-sxm-80gb', dev: 2, tp: 2, pp: 1, off: false, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null },
      { hw: 'nvidia-h100-sxm-80gb', dev: 2, tp: 2, pp: 1, off: false, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null },
      { hw: 'nvidia-h100-sxm-80gb', dev: 1, tp: 1, pp: 1, off: true, host: 'amd-epyc-9654', hostMem: null, gpuLayers: 'auto', price: null },
    ],
  };
}

// Take only well-typed fields from untrusted input (URL hash, embed attributes).
function sanitizeState(raw) {
  const s = defaultState();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return s;
  const str = (v, max) => (typeof v === 'string' && v.length <= (max || 200) ? v : undefined);
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const numOrNull = (v) => (v === null ? null : num(v));
  const set = (k, v) => { if (v !== undefined) s[k] = v; };
  set('model', str(raw.model));
  set('cfg', raw.cfg === null ? null : str(raw.cfg, 60000));
  set('wp', str(raw.wp)); set('kv', str(raw.kv));
  set('in', num(raw.in)); set('out', num(raw.out));
  if (raw.loadMode === 'rate' || raw.loadMode === 'concurrency') s.loadMode = raw.loadMode;
  set('load', num(raw.load));
  set('ttft', numOrNull(raw.ttft)); set('tpot', numOrNull(raw.tpot));
  set('engine', str(raw.engine)); set('profile', str(raw.profile));
  if (Array.isArray(raw.opts) && raw.opts.length >= 1) {
    s.opts = raw.opts.slice(0, 4).map((o) => {
      const d = defaultState().opts[0];
      if (!o || typeof o !== 'object') return d;
      const r = { ...d };
      for (const k of ['hw', 'host']) if (str(o[k]) !== undefined) r[k] = o[k];
      for (const k of ['dev', 'tp', 'pp']) if (num(o[k]) !== undefined) r[k] = o[k];
      for (const k of ['hostMem', 'price']) if (numOrNull(o[k]) !== undefined) r[k] = o[k];
      if (o.gpuLayers === 'auto' || num(o.gpuLayers) !== undefined) r.gpuLayers = o.gpuLayers;
      r.off = o.off === true;
      return r;
    });
  }
  return s;
}

function b64urlEncode(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function b64urlDecode(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
async function streamBytes(bytes, stream) {
  const buf = await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer();
  return new Uint8Array(buf);
}

// '#s=' + base64url(JSON) when short, '#z=' + base64url(deflate-raw(JSON)) when long.
async function encodeState(state) {
  const json = JSON.stringify(state);
  const bytes = new TextEncoder().encode(json);
  if (bytes.length > 400 && typeof CompressionStream === 'function') {
    return 'z=' + b64urlEncode(await streamBytes(bytes, new CompressionStream('deflate-raw')));
  }
  return 's=' + b64urlEncode(bytes);
}

// Returns {state} or {error}. Never throws.
async function decodeState(hash) {
  const frag = (hash || '').replace(/^#/, '');
  if (!frag) return { state: null };
  try {
    if (frag.length > HASH_LIMIT) throw new Error('the link is longer than ' + HASH_LIMIT + ' characters');
    let bytes;
    if (frag.startsWith('s=')) bytes = b64urlDecode(frag.slice(2));
    else if (frag.startsWith('z=')) bytes = await streamBytes(b64urlDecode(frag.slice(2)), new DecompressionStream('deflate-raw'));
    else throw new Error('unknown link format');
    if (bytes.length > 1 << 20) throw new Error('state over 1 MiB');
    return { state: sanitizeState(JSON.parse(new TextDecoder().decode(bytes))) };
  } catch (e) {
    return { error: 'The link could not be read (' + (e && e.message ? e.message : 'bad data') + '); showing the defaults.' };
  }
}
