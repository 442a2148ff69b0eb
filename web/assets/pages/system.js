// System: the daemon's own health from GET /api/v1/stats (capture ports and
// queues, pipeline workers and their rings, the packet store, sessions,
// search, detection and receiver counters, version and uptime; refreshed
// every 10 s) and the running configuration from GET /api/v1/config (admin
// only; the server has already replaced secrets by "***").
import { apiGet } from '../lib/api.js';
import { h, clear, append, panel, errorBox } from '../lib/dom.js';
import { fmtBytes, fmtCount, fmtDurationSeconds, timeEl } from '../lib/format.js';

const REFRESH_MS = 10000;

function num(v, key = '') {
  if (typeof v !== 'number') return v;
  if (/bytes/.test(key) && !/max_header/.test(key)) return fmtBytes(v);
  if (/_ms$/.test(key)) return `${v.toFixed(1)} ms`;
  return fmtCount(Number.isInteger(v) ? v : Number(v.toFixed(3)));
}

// Nested counters as "a.b.c  value" rows; `skip` leaves out keys shown elsewhere.
function flatten(obj, prefix = '', skip = [], out = []) {
  for (const [k, v] of Object.entries(obj || {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (skip.includes(key)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, skip, out);
    else if (!Array.isArray(v)) out.push([key, v]);
  }
  return out;
}

function looksLikeTime(key, v) {
  return typeof v === 'string' && /(^|[._])(last_commit|started|time|oldest_packet|newest_packet|index_last_commit|last_reload)$/.test(key)
    && /^\d{4}-\d\d-\d\dT/.test(v);
}

function kvList(rows, { bad = () => false } = {}) {
  return h('dl', { class: 'kv sys-kv' }, rows.map(([k, v]) => [
    h('dt', {}, k),
    h('dd', { class: bad(k, v) ? 'bad' : '' }, looksLikeTime(k, v) ? timeEl(v, { ms: false })
      : typeof v === 'boolean' ? (v ? 'yes' : 'no') : v === null || v === undefined || v === '' ? '–' : num(v, k)),
  ]));
}

// Counters whose name says something went wrong are red when not zero.
const BAD = /(drop|error|fail|refused|truncated|overflow|rejected|missing|malformed|gaps|exhausted|removed_never)/;
const isBad = (k, v) => typeof v === 'number' && v > 0 && BAD.test(k.split('.').pop());

function table(headers, rows, { testid } = {}) {
  return h('table', { class: 'data', 'data-testid': testid || null },
    h('thead', {}, h('tr', {}, headers.map(([label, cls]) => h('th', { class: cls || null }, label)))),
    h('tbody', {}, rows));
}

function ringBar(occ, cap) {
  const pct = cap ? Math.min(100, (occ / cap) * 100) : 0;
  return h('div', { class: 'ring', title: `${fmtCount(occ)} of ${fmtCount(cap)} slots (${pct.toFixed(1)} %)` },
    h('span', { class: `ring-fill${pct > 80 ? ' hot' : pct > 50 ? ' warm' : ''}`, style: { width: `${pct}%` } }),
    h('span', { class: 'ring-text' }, `${fmtCount(occ)} / ${fmtCount(cap)}`));
}

// The configuration as indented YAML-like text: easy to read and to copy.
export function toYaml(value, indent = '') {
  const scalar = (v) => {
    if (v === null || v === undefined) return 'null';
    // Quoted when YAML would read it as something else (a number, a flag, syntax).
    if (typeof v === 'string') {
      return v === '' || /^[\s]|[\s]$|[:#\-?{}[\],&*!|>'"%@`]/.test(v) || /^([-+.\d]|true$|false$|null$|yes$|no$|~$)/i.test(v)
        ? JSON.stringify(v) : v;
    }
    return String(v);
  };
  if (Array.isArray(value)) {
    if (!value.length) return ' []';
    if (value.every((v) => v === null || typeof v !== 'object')) {
      const inline = `[${value.map(scalar).join(', ')}]`;
      if (inline.length < 80) return ` ${inline}`;
    }
    return value.map((v) => {
      if (v && typeof v === 'object') {
        const inner = toYaml(v, `${indent}  `).replace(/^\n/, '');
        return `\n${indent}- ${inner.trimStart()}`;
      }
      return `\n${indent}- ${scalar(v)}`;
    }).join('');
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (!keys.length) return ' {}';
    return keys.map((k) => `\n${indent}${k}:${toYaml(value[k], `${indent}  `)}`).join('');
  }
  return ` ${scalar(value)}`;
}

export async function mount(root, ctx) {
  let ctl = null;
  let timer = null;
  const isAdmin = ctx.user && ctx.user.role === 'admin';
  const b = {};
  const ids = ['system-version', 'system-ports', 'system-pipeline', 'system-store', 'system-sessions',
    'system-detection', 'system-receivers', 'system-decode', 'system-config'];
  for (const id of ids) b[id] = h('div', { class: `sys-body ${id}`, 'data-testid': id }, h('span', { class: 'loading' }, 'Loading…'));
  const updated = h('span', { class: 'muted' });
  const configToggle = h('button', { type: 'button', 'aria-expanded': 'true', onclick: () => {
    const open = configToggle.getAttribute('aria-expanded') !== 'true';
    configToggle.setAttribute('aria-expanded', String(open));
    configToggle.textContent = open ? 'Collapse' : 'Expand';
    b['system-config'].classList.toggle('collapsed', !open);
  } }, 'Collapse');

  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'System'), h('span', { class: 'spacer' }), updated),
    h('div', { class: 'grid sys-top' },
      panel('Version and uptime', b['system-version'], { id: 'system-version' }),
      panel('Packet store', b['system-store'], { id: 'system-store' })),
    panel('Capture ports', b['system-ports'], { id: 'system-ports' }),
    panel('Pipeline workers', b['system-pipeline'], { id: 'system-pipeline' }),
    h('div', { class: 'grid cols-3 sys-counters' },
      panel('Sessions and search', b['system-sessions'], { id: 'system-sessions' }),
      panel('Detection', b['system-detection'], { id: 'system-detection' }),
      panel('Decode anomalies', b['system-decode'], { id: 'system-decode' })),
    panel('Receivers (logs and flows)', b['system-receivers'], { id: 'system-receivers' }),
    panel('Running configuration', b['system-config'], { id: 'system-config', actions: isAdmin ? configToggle : null }),
  );

  function renderStats(s) {
    clear(b['system-version']).append(kvList([
      ['version', s.version], ['started', s.started],
      ['uptime', fmtDurationSeconds(s.uptime_seconds)], ['time', s.time],
    ]));

    const portRows = [];
    for (const p of s.capture?.ports || []) {
      portRows.push(h('tr', { class: 'port-row' },
        h('td', { class: 'mono' }, p.device), h('td', { class: 'num' }, p.index),
        h('td', { class: 'num' }, fmtCount(p.packets)), h('td', { class: 'num' }, fmtBytes(p.bytes)),
        ...['nic_dropped', 'nic_errors', 'mbuf_failures'].map((k) => h('td', { class: `num${p[k] > 0 ? ' bad' : ''}` }, fmtCount(p[k]))),
        h('td', { class: 'num' }, p.rx_queues)));
      for (const q of p.queues || []) {
        portRows.push(h('tr', { class: 'queue-row' },
          h('td', { class: 'mono' }, `↳ ${q.name || `queue ${q.queue}`}`), h('td', { class: 'num muted' }, `worker ${q.worker}`),
          h('td', { class: 'num' }, fmtCount(q.packets)), h('td', { class: 'num' }, fmtBytes(q.bytes)),
          h('td', {}), h('td', {}), h('td', {}), h('td', {})));
      }
    }
    const dropped = s.capture?.dropped || {};
    clear(b['system-ports']).append(
      portRows.length ? table([['Port / queue'], ['Index', 'num'], ['Packets', 'num'], ['Bytes', 'num'], ['NIC dropped', 'num'],
        ['NIC errors', 'num'], ['mbuf failures', 'num'], ['RX queues', 'num']], portRows)
        : h('p', { class: 'muted' }, 'No capture ports.'),
      h('p', { class: 'muted sys-note' }, `Total: ${fmtCount(s.capture?.packets)} packets, ${fmtBytes(s.capture?.bytes)}; `
        + `dropped ${fmtCount(dropped.total ?? 0)} (NIC ${fmtCount(dropped.nic ?? 0)}, NIC errors ${fmtCount(dropped.nic_errors ?? 0)}, `
        + `mbuf ${fmtCount(dropped.mbuf_alloc ?? 0)}).`));

    const pl = s.pipeline || {};
    const workers = (pl.workers || []).map((w) => h('tr', {},
      h('td', { class: 'num' }, w.worker), h('td', { class: 'num' }, w.lcore),
      h('td', { class: 'num' }, fmtCount(w.packets)), h('td', { class: 'num' }, fmtBytes(w.bytes)),
      h('td', { class: 'num' }, fmtCount(w.bursts)), h('td', { class: 'num' }, fmtCount(w.flows_active)),
      h('td', { class: 'num' }, fmtCount(w.ring_records)),
      h('td', { class: 'ring-cell' }, ringBar(Number(w.ring_occupancy) || 0, Number(w.ring_capacity) || 0)),
      h('td', { class: `num${w.ring_drops > 0 ? ' bad' : ''}` }, fmtCount(w.ring_drops))));
    const fl = s.flows || {};
    clear(b['system-pipeline']).append(
      workers.length ? table([['Worker', 'num'], ['lcore', 'num'], ['Packets', 'num'], ['Bytes', 'num'], ['Bursts', 'num'],
        ['Flows active', 'num'], ['Ring records', 'num'], ['Ring occupancy / capacity'], ['Ring drops', 'num']], workers)
        : h('p', { class: 'muted' }, 'No workers.'),
      h('div', { class: 'sys-cols' },
        kvList(flatten({ ...pl, workers: undefined }).filter(([, v]) => v !== undefined), { bad: isBad }),
        kvList(flatten(fl, 'flows'), { bad: isBad })));

    const st = s.store || {};
    clear(b['system-store']).append(st.enabled === false ? h('p', { class: 'muted' }, 'The packet store is disabled.')
      : kvList([
        ['segments', st.segments], ['bytes used', fmtBytes(st.bytes_used)],
        ['oldest packet', st.oldest_packet], ['newest packet', st.newest_packet],
        ['packets stored', st.packets_stored], ['bytes stored', fmtBytes(st.bytes_stored)],
        ['packets dropped', st.packets_dropped], ['write errors', st.write_errors],
        ['segments removed', st.segments_removed], ['bytes removed', fmtBytes(st.bytes_removed)],
        ['index: packets', st.indexed_packets], ['index: size', fmtBytes(st.index_bytes)],
        ['index: commits', st.index_commits], ['index: errors', st.index_errors],
        ['index: last commit', st.index_last_commit],
      ].map(([k, v]) => [k, v]), { bad: isBad }));
    // kvList's time detection keys off the raw key; these labels are friendlier, so mark times by value.
    for (const dd of b['system-store'].querySelectorAll('dd')) {
      const t = dd.textContent;
      if (/^\d{4}-\d\d-\d\dT.*Z$/.test(t)) clear(dd).append(timeEl(t, { ms: false }));
    }

    clear(b['system-sessions']).append(s.sessions ? kvList(flatten(s.sessions), { bad: isBad })
      : h('p', { class: 'muted' }, 'Sessions are disabled.'));
    clear(b['system-detection']).append(s.detection ? kvList(flatten(s.detection), { bad: isBad })
      : h('p', { class: 'muted' }, 'Detection is disabled.'));
    const anomalies = flatten(s.decode || {});
    const nonzero = anomalies.filter(([, v]) => typeof v === 'number' && v > 0);
    append(clear(b['system-decode']), [
      nonzero.length ? kvList(nonzero, { bad: () => true }) : h('p', { class: 'ok' }, 'No decode errors or anomalies.'),
      h('p', { class: 'muted sys-note' }, `${anomalies.length - nonzero.length} other counters are zero.`)]);

    const rc = s.receivers;
    if (!rc || rc.enabled === false) {
      clear(b['system-receivers']).append(h('p', { class: 'muted' }, 'Receivers are disabled.'));
    } else {
      // Related counters summed into one column each, so the table fits 1366 px;
      // the title of each cell has the parts.
      const cols = [
        ['Messages', ['messages']], ['Bytes', ['bytes']], ['Records', ['records']], ['Parsed', ['parsed']],
        ['Failed', ['failed']], ['Dropped', ['dropped_queue', 'dropped_socket']], ['Truncated', ['truncated']],
        ['Errors', ['framing_errors', 'tls_failures']], ['Conns open', ['connections_open']],
        ['Refused', ['connections_refused']], ['Paused', ['paused']],
      ];
      const rows = (rc.listeners || []).map((l) => h('tr', {},
        h('td', { class: 'mono' }, l.name), h('td', {}, `${l.protocol}/${l.transport}`),
        h('td', { class: 'mono' }, l.address ? `${l.address}:${l.port}` : '–'),
        cols.map(([label, keys]) => {
          const v = keys.reduce((a, k) => a + (Number(l[k]) || 0), 0);
          const bad = keys.some((k) => isBad(k, l[k]));
          return h('td', { class: `num${bad ? ' bad' : ''}`, title: keys.map((k) => `${k} ${fmtCount(l[k] ?? 0)}`).join(', ') },
            label === 'Bytes' ? fmtBytes(v) : fmtCount(v));
        })));
      clear(b['system-receivers']).append(
        table([['Listener'], ['Protocol'], ['Address'], ...cols.map(([label]) => [label, 'num'])], rows),
        h('div', { class: 'sys-cols' },
          kvList(flatten({ queue: rc.queue, pipeline: rc.pipeline }), { bad: isBad }),
          kvList(flatten({ netflow: rc.netflow, parsers: rc.parsers }), { bad: isBad })));
    }
  }

  async function load() {
    if (ctl) return;
    ctl = new AbortController();
    const { signal } = ctl;
    try {
      const s = await apiGet('/api/v1/stats', {}, { signal });
      renderStats(s);
      updated.textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC · every ${REFRESH_MS / 1000} s`;
    } catch (e) {
      if (e.name === 'AbortError') return;
      for (const id of ids) if (id !== 'system-config') clear(b[id]).append(errorBox(e));
    } finally {
      if (ctl && ctl.signal === signal) ctl = null;
    }
  }

  async function loadConfig() {
    const el = b['system-config'];
    if (!isAdmin) {
      clear(el).append(h('p', { class: 'muted', 'data-testid': 'needs-admin' },
        `Needs admin: the running configuration is shown to administrators only (you are ${ctx.user?.role || 'not signed in'}).`));
      return;
    }
    try {
      const c = await apiGet('/api/v1/config');
      clear(el).append(
        h('p', { class: 'muted sys-note' }, h('span', { class: 'mono' }, c.path || '(no file)'), ' · loaded ',
          c.loaded ? timeEl(c.loaded, { ms: false }) : '–', ' · secret values are shown as ***'),
        h('pre', { class: 'config-yaml' }, toYaml(c.config ?? {}).replace(/^\n/, '')));
    } catch (e) {
      clear(el).append(errorBox(e));
    }
  }

  root.dataset.ready = '0';
  await Promise.all([load(), loadConfig()]);
  root.dataset.ready = '1';
  timer = setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
  return {
    unmount() {
      clearInterval(timer);
      if (ctl) ctl.abort();
    },
  };
}
