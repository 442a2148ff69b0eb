// PCAP page: a form for the slice API (GET /api/v1/pcap), its state in the
// URL under the API's own parameter names, the expected size from
// GET /api/v1/pcap/estimate before anything is downloaded, and the download
// link itself. A 400 is shown beside the field the daemon blamed.
import { apiGet, apiUrl } from '../lib/api.js';
import { h, append, clear, panel, errorBox } from '../lib/dom.js';
import { fmtBytes, fmtCount, timeEl } from '../lib/format.js';
import { timeRangePicker, rangeFromParams, describeRange } from '../lib/time_range.js';

// The form's fields: [API parameter, label, placeholder, testid]. `host` may
// hold two addresses (the conversation between them: the API ANDs a repeated host).
const FIELDS = [
  ['host', 'Host(s)', '10.0.0.5  or  10.0.0.5, 203.0.113.9  or  10.0.0.0/8', 'pcap-host'],
  ['src', 'Source host', 'address or CIDR', null],
  ['dst', 'Destination host', 'address or CIDR', null],
  ['port', 'Port', '443', 'pcap-port'],
  ['sport', 'Source port', '', null],
  ['dport', 'Destination port', '', null],
  ['vlan', 'VLAN', '0..4095', null],
  ['community_id', 'Community ID', '1:wCb3OG7yAFWelaUydu0D+125CLM=', null],
  ['limit', 'Max. packets', 'no limit', null],
];
const PROTOS = [['', 'any'], ['tcp', 'TCP'], ['udp', 'UDP'], ['icmp', 'ICMP / ICMPv6'], ['sctp', 'SCTP']];
const PARAMS = ['host', 'src', 'dst', 'port', 'sport', 'dport', 'proto', 'vlan', 'community_id', 'start', 'end', 'query', 'limit'];
const DEBOUNCE_MS = 500;
const FILTER_KEYS = ['host', 'src', 'dst', 'port', 'sport', 'dport', 'proto', 'vlan', 'community_id', 'query'];

// URL params -> the API's: the same names; host may repeat. Without a start
// the daemon slices only its default window (store.default_window_s before
// the newest packet), which is not what "All time" means to an analyst
// looking at old traffic: start=0 asks for every stored packet.
function sliceParams(p) {
  const o = {};
  for (const k of PARAMS) {
    const all = p.getAll(k).map((v) => v.trim()).filter(Boolean);
    if (all.length) o[k] = k === 'host' ? all : all[0];
  }
  if (!o.start) o.start = '0';
  return o;
}

function splitHosts(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export async function mount(root, ctx) {
  const role = ctx.user ? ctx.user.role : 'viewer';
  const allowed = role !== 'viewer';
  let range = rangeFromParams(ctx.params);
  let estimateAbort = null;
  let debounce = null;
  let lastKey = null;
  let unmounted = false;
  let selfCommit = false;  // the URL change comes from the form: the form is already right

  // ---- the form
  const inputs = {};
  const errors = {};
  const fieldEls = [];
  for (const [name, label, placeholder, testid] of FIELDS) {
    inputs[name] = h('input', { type: 'text', name, placeholder, 'data-testid': testid, spellcheck: 'false',
      autocomplete: 'off', class: `f-${name}`, inputmode: /port|vlan|limit/.test(name) ? 'numeric' : null });
    errors[name] = h('span', { class: 'field-error', role: 'alert' });
    fieldEls.push(h('label', { class: `field field-${name}` }, label, inputs[name], errors[name]));
  }
  inputs.proto = h('select', { name: 'proto', 'data-testid': 'pcap-proto' },
    PROTOS.map(([v, l]) => h('option', { value: v }, l)));
  errors.proto = h('span', { class: 'field-error', role: 'alert' });
  fieldEls.splice(6, 0, h('label', { class: 'field field-proto' }, 'Protocol', inputs.proto, errors.proto));

  inputs.query = h('textarea', { name: 'query', rows: '2', 'data-testid': 'pcap-query', 'data-query-input': '',
    spellcheck: 'false', placeholder: 'Stenographer query, ANDed with the fields: host 10.0.0.5 and (port 53 or port 443) and after 2h ago' });
  errors.query = h('span', { class: 'field-error', role: 'alert' });
  errors.start = h('span', { class: 'field-error', role: 'alert' });
  errors.end = errors.start;
  const timeSlot = h('span', { class: 'pcap-time' });
  const rangeNote = h('span', { class: 'muted range-note' });

  const estimateButton = h('button', { type: 'submit', class: 'primary', 'data-testid': 'pcap-estimate-button' }, 'Estimate');
  const download = h('a', { class: 'button download', 'data-testid': 'pcap-download', download: 'opensoc-slice.pcap',
    href: apiUrl('/api/v1/pcap', {}), title: 'Download the packets as a pcap file' }, 'Download PCAP');
  const clearButton = h('button', { type: 'button', onclick: () => { ctx.setParams({}); } }, 'Clear');

  const form = h('form', { class: 'pcap-form', onsubmit: (e) => { e.preventDefault(); commit({ push: true, force: true }); } },
    h('div', { class: 'pcap-fields' }, fieldEls),
    h('label', { class: 'field field-query' },
      h('span', {}, 'Query ', h('span', { class: 'muted hint' },
        'host, net A/N, port, src/dst host|port, tcp, udp, icmp, sctp, ip proto N, vlan N, community_id …, before/after T, and, or, ( )')),
      inputs.query, errors.query),
    h('div', { class: 'field field-time' }, h('span', { class: 'label' }, 'Time range (UTC)'),
      h('div', { class: 'time-row' }, timeSlot, rangeNote), errors.start),
    h('div', { class: 'toolbar pcap-actions' }, estimateButton, download, clearButton,
      h('span', { class: 'muted' }, 'Fields are ANDed. Enter estimates.')));

  // ---- the estimate
  const estimateBox = h('div', { class: 'pcap-estimate', 'data-testid': 'pcap-estimate', 'aria-live': 'polite' },
    h('span', { class: 'muted' }, '…'));
  const describe = h('p', { class: 'muted describe' });
  const viewerNote = allowed ? null : h('div', { class: 'error-box viewer-note', role: 'note' },
    'PCAP slices need the analyst role; you are signed in as a viewer, so the form is read only.');

  root.append(h('div', { class: 'pcap-layout' },
    panel('PCAP slice', h('div', {}, viewerNote, form), { id: 'pcap-form' }),
    panel('Expected size', h('div', {}, estimateBox, describe), { id: 'pcap-estimate' })));

  if (!allowed) {
    for (const el of [...Object.values(inputs), estimateButton, clearButton]) el.disabled = true;
    download.removeAttribute('href');
    download.classList.add('disabled');
    download.setAttribute('aria-disabled', 'true');
  }

  // ---- form <-> URL
  function formParams() {
    const p = new URLSearchParams();
    for (const name of PARAMS) {
      if (name === 'start' || name === 'end') {
        if (range[name]) p.set(name, range[name]);
      } else if (name === 'host') {
        for (const host of splitHosts(inputs.host.value)) p.append('host', host);
      } else {
        const v = inputs[name].value.trim();
        if (v) p.set(name, v);
      }
    }
    return p;
  }

  function fillForm(p) {
    for (const name of PARAMS) {
      if (name === 'start' || name === 'end') continue;
      const el = inputs[name];
      const v = name === 'host' ? p.getAll('host').join(', ') : (p.get(name) || '');
      if (name === 'proto' && v && ![...el.options].some((o) => o.value === v)) el.append(h('option', { value: v }, v));
      el.value = v;
    }
    clear(timeSlot).append(timeRangePicker(range, (r) => { range = r; commit({ push: true }); }));
  }

  // The form's state goes to the URL; update() then estimates it.
  function commit({ push = false, force = false } = {}) {
    clearTimeout(debounce);
    const p = formParams();
    const same = p.toString() === new URLSearchParams(location.search).toString();
    if (same) { if (force) estimate(p, { force: true }); return; }
    selfCommit = true;
    try { ctx.setParams(p, { replace: !push }); } finally { selfCommit = false; }
  }

  function onEdit() {
    clearTimeout(debounce);
    download.href = allowed ? apiUrl('/api/v1/pcap', sliceParams(formParams())) : '';
    if (!allowed) download.removeAttribute('href');
    debounce = setTimeout(() => commit({ push: false }), DEBOUNCE_MS);
  }
  for (const el of Object.values(inputs)) {
    el.addEventListener('input', onEdit);
    el.addEventListener('change', onEdit);
  }
  // Enter estimates from the query too; Shift+Enter is a new line.
  inputs.query.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); commit({ push: true, force: true }); }
  });

  function showErrors(err) {
    for (const [name, el] of Object.entries(errors)) { el.textContent = ''; if (inputs[name]) inputs[name].classList.remove('invalid'); }
    if (!err || !err.parameter) return false;
    const name = err.parameter;
    if (!errors[name]) return false;
    errors[name].textContent = err.message;
    if (inputs[name]) { inputs[name].classList.add('invalid'); inputs[name].setAttribute('aria-invalid', 'true'); }
    return true;
  }

  async function estimate(p, { force = false } = {}) {
    const params = sliceParams(p);
    const key = JSON.stringify(params);
    download.href = allowed ? apiUrl('/api/v1/pcap', params) : '';
    if (!allowed) {
      download.removeAttribute('href');
      clear(estimateBox).append(h('span', { class: 'muted' }, 'Not available to viewers.'));
      root.dataset.ready = '1';
      return;
    }
    if (!force && key === lastKey) return;
    lastKey = key;
    if (estimateAbort) { estimateAbort.abort(); estimateAbort = null; }
    // An empty form means every stored packet: on a full store that estimate
    // runs to the daemon's time budget, so it waits for the button.
    if (!force && !Object.keys(params).some((k) => FILTER_KEYS.includes(k))) {
      showErrors(null);
      setDownloadBlocked(false);
      describe.textContent = describeFilter(params);
      clear(estimateBox).append(h('p', { class: 'muted' },
        'No filter yet: add a host, port, protocol, Community ID or query, or press Estimate for every stored packet.'));
      root.dataset.ready = '1';
      return;
    }
    const ctl = new AbortController();
    estimateAbort = ctl;
    root.dataset.ready = '0';
    estimateBox.classList.add('loading');
    for (const el of Object.values(inputs)) el.removeAttribute('aria-invalid');
    describe.textContent = describeFilter(params);
    try {
      const est = await apiGet('/api/v1/pcap/estimate', params, { signal: ctl.signal });
      if (ctl.signal.aborted) return;
      showErrors(null);
      setDownloadBlocked(false);
      renderEstimate(est);
    } catch (e) {
      if (e.name === 'AbortError' || ctl.signal.aborted) return;
      const placed = showErrors(e);
      // A request the daemon rejects would download its error as a .pcap.
      setDownloadBlocked(e.status === 400);
      clear(estimateBox).append(placed
        ? h('div', { class: 'error-box', role: 'alert' }, `Fix the ${e.parameter} field: ${e.message}`)
        : errorBox(e));
      if (e.status === 404) {
        estimateBox.append(h('p', { class: 'muted' },
          'This daemon has no estimate endpoint (GET /api/v1/pcap/estimate); the download still works.'));
      }
    } finally {
      if (estimateAbort === ctl) {
        estimateAbort = null;
        estimateBox.classList.remove('loading');
        if (!unmounted) root.dataset.ready = '1';
      }
    }
  }

  function setDownloadBlocked(blocked) {
    download.classList.toggle('disabled', blocked);
    if (blocked) download.setAttribute('aria-disabled', 'true');
    else download.removeAttribute('aria-disabled');
  }

  function describeFilter(params) {
    const parts = [];
    for (const [k, v] of Object.entries(params)) {
      if (k === 'start' || k === 'end') continue;
      parts.push(`${k} ${Array.isArray(v) ? v.join(' and ') : v}`);
    }
    const start = params.start === '0' ? '' : params.start || '';
    const when = describeRange({ start, end: params.end || '' });
    return `${parts.length ? parts.join(' · ') : 'all packets'} · ${when}`;
  }

  function renderEstimate(est) {
    // complete: false = the daemon stopped at its time budget, so the numbers are lower bounds.
    const ge = est.complete === false ? '≥ ' : '';
    clear(estimateBox);
    append(estimateBox, [
      h('div', { class: 'est-numbers' },
        h('div', { class: 'stat' }, h('span', { class: 'value', 'data-testid': 'pcap-estimate-packets',
          'data-value': String(est.packets) }, `${ge}${fmtCount(est.packets)}`), h('span', { class: 'label' }, 'packets')),
        h('div', { class: 'stat' }, h('span', { class: 'value', 'data-testid': 'pcap-estimate-bytes',
          'data-value': String(est.bytes), title: `${fmtCount(est.bytes)} bytes` }, `${ge}${fmtBytes(est.bytes)}`),
        h('span', { class: 'label' }, `pcap file (${fmtCount(est.bytes)} bytes)`))),
      h('dl', { class: 'kv' },
        h('dt', {}, 'from'), h('dd', {}, est.start ? timeEl(est.start) : '–'),
        h('dt', {}, 'to'), h('dd', {}, est.end ? timeEl(est.end) : '–'),
        h('dt', {}, 'segments'), h('dd', {}, fmtCount(est.segments)),
        h('dt', {}, 'took'), h('dd', {}, est.took_ms !== undefined ? `${Number(est.took_ms).toFixed(1)} ms` : '–')),
      est.complete === false ? h('p', { class: 'warn' },
        'The estimate stopped at its time budget: the slice holds at least this much.') : null,
      est.packets === 0 ? h('p', { class: 'muted' }, 'Nothing matches: the download would be an empty pcap (header only).') : null]);
  }

  function update(p) {
    // Typing continues while the debounced commit lands: refilling would eat keystrokes.
    range = rangeFromParams(p);
    rangeNote.textContent = range.start || range.end ? '' : 'every stored packet (the query may narrow it with before/after)';
    if (!selfCommit) fillForm(p);
    return estimate(p);
  }

  await update(ctx.params);

  return {
    update,
    unmount() {
      unmounted = true;
      clearTimeout(debounce);
      if (estimateAbort) estimateAbort.abort();
    },
  };
}
