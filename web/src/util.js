// util.js: DOM building (no HTML sinks), number formatting, figure cells.
const WG = {};

// Build an element. Strings become text nodes; attributes via setAttribute
// (attribute values are inert). Never innerHTML.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k === 'class') el.className = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function clear(el) { while (el && el.firstChild) el.removeChild(el.firstChild); return el; }

// A link only for http(s) URLs; anything else renders as text.
function safeLink(url, text) {
  if (typeof url === 'string' && /^https?:\/\//i.test(url)) {
    return h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, text || url);
  }
  return h('span', null, text || String(url || ''));
}

function sig(x, n) {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(n - 1).replace('e+', 'e');
  const d = Math.max(0, n - 1 - Math.floor(Math.log10(a)));
  return x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });
}
function fmtTime(s) {
  if (!Number.isFinite(s)) return 'n/a';
  if (s < 1) return sig(s * 1000, 3) + ' ms';
  return sig(s, 3) + ' s';
}
function fmtRate(x) { return Number.isFinite(x) ? sig(x, 3) : 'n/a'; }
function fmtUsd(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return '$' + (x >= 100 ? Math.round(x).toLocaleString('en-US') : sig(x, 3));
}
function fmtGB(b) { return Number.isFinite(b) ? sig(b / 1e9, 3) + ' GB' : 'n/a'; }
function fmtPct(x) { return Number.isFinite(x) ? sig(x * 100, 2) + '%' : 'n/a'; }

// Dotted-path lookup into a result object.
function pick(obj, path) {
  let o = obj;
  for (const k of path.split('.')) { if (o == null) return undefined; o = o[k]; }
  return o;
}

// A figure shown on the page: the raw number from the response in data-value.
function fig(field, option, value, text) {
  const attrs = { class: 'fig', 'data-field': field };
  if (option !== null && option !== undefined) attrs['data-option'] = String(option);
  if (value === undefined || value === null) {
    attrs['data-value'] = 'null';
    return h('span', attrs, 'n/a');
  }
  attrs['data-value'] = String(value);
  return h('span', attrs, text);
}

function debounce(fn, ms) {
  let t = 0;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}
