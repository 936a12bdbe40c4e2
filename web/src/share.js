// share.js: the state in the URL hash, the share link, the embed snippets.
const Share = {
  publicBase() {
    if (/^https?:$/.test(location.protocol)) return new URL('.', location.href).href;
    const meta = document.querySelector('meta[name="wg-public-url"]');
    const u = meta ? meta.getAttribute('content') : 'https://whichgpu.example.org/';
    return u.endsWith('/') ? u : u + '/';
  },

  async update(state) {
    const frag = await encodeState(state);
    const note = document.getElementById('share-note');
    if (frag.length > HASH_LIMIT) {
      if (note) { note.textContent = 'This state is ' + frag.length + ' characters, over the ' + HASH_LIMIT + '-character link limit (a large config.json?): the link was not updated.'; note.hidden = false; }
      return null;
    }
    if (note) note.hidden = true;
    if (location.hash !== '#' + frag) history.replaceState(null, '', '#' + frag);
    const base = this.publicBase();
    const link = document.getElementById('share-link');
    if (link) link.value = base + (document.documentElement.dataset.mode === 'embed' ? '' : 'index.html') + '#' + frag;
    const iframe = document.getElementById('embed-iframe');
    if (iframe) iframe.value = '<iframe src="' + base + 'embed.html#' + frag + '" title="whichgpu: ' + modelLabel(state).replace(/[<>"&]/g, '') + '" width="100%" height="460" style="border:0"></iframe>';
    const script = document.getElementById('embed-script');
    if (script) script.value = this.widgetSnippet(base, state);
    return frag;
  },

  widgetSnippet(base, state) {
    const q = (s) => String(s).replace(/[<>"&]/g, '');
    const list = (k) => state.opts.map((o) => q(o[k])).join(',');
    let s = '<script src="' + base + 'embed.js"';
    s += ' data-model="' + q(state.cfg ? state.model : state.model) + '"';
    s += ' data-hardware="' + list('hw') + '" data-devices="' + list('dev') + '" data-tp="' + list('tp') + '"';
    if (state.opts.some((o) => o.off)) s += ' data-offload="' + state.opts.map((o) => (o.off ? q(o.host) : '-')).join(',') + '"';
    s += ' data-input-tokens="' + state.in + '" data-output-tokens="' + state.out + '"';
    if (state.loadMode === 'rate') s += ' data-request-rate="' + state.load + '"'; else s += ' data-concurrency="' + state.load + '"';
    if (state.wp) s += ' data-precision="' + q(state.wp) + '"';
    return s + '></' + 'script>';
  },

  init() {
    const btn = document.getElementById('copy-link');
    if (!btn) return;
    btn.addEventListener('click', () => {
      const input = document.getElementById('share-link');
      const msg = document.getElementById('copy-msg');
      const done = (t) => { msg.textContent = t; };
      const fallback = () => { input.select(); try { document.execCommand('copy'); done('Copied.'); } catch (e) { done('Select the link and copy it.'); } };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(input.value).then(() => done('Copied.'), fallback);
      else fallback();
    });
  },
};
