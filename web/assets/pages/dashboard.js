// Dashboard: the live state of the sensor (capture, drops, sessions, storage,
// alerts; GET /api/v1/stats + /api/v1/stats/history, refreshed every 10 s)
// and what the sessions of the selected time range were about (top talkers,
// ports, protocols, countries: two /api/v1/sessions?limit=0&facets=… calls).
// The time range lives in the URL (start/end); it only drives the top-N
// lists, the live charts always show the daemon's last hour.
import { apiGet } from '../lib/api.js';
import { h, clear, append, panel, errorBox } from '../lib/dom.js';
import {
  fmtBytes, fmtBitRate, fmtPacketRate, fmtRate, fmtCount, fmtCompact, timeEl, fmtTime, fmtDurationSeconds, toDate,
} from '../lib/format.js';
import { timeRangePicker, rangeFromParams, describeRange } from '../lib/time_range.js';
import { lineChart, barChart } from '../lib/chart.js';

const LIVE_MS = 10000;
const CHART_H = 110;
const FACETS = [
  ['source.ip', 'top-talkers', 'Sources'],
  ['destination.ip', 'top-talkers', 'Destinations'],
  ['destination.port', 'top-ports', 'Destination ports'],
  ['network.protocol', 'top-protocols', 'Protocols'],
  ['destination.geo.country_iso_code', 'top-countries', 'Destination countries'],
];
const TALKER_FACETS = ['source.ip', 'destination.ip'];
const FAST_FACETS = FACETS.map(([f]) => f).filter((f) => !TALKER_FACETS.includes(f));
const SEVERITY = { 1: 'high', 2: 'medium', 3: 'low', 4: 'info' };  // as docs/ALERTS.md and the alerts page
const STATUSES = ['new', 'acknowledged', 'escalated', 'closed'];

// A value as a term of the query language: quoted unless it is a plain word
// (IPv6 addresses have colons, which would otherwise end the field name).
export function queryTerm(field, value) {
  const v = String(value);
  return /^[\w.-]+$/.test(v) ? `${field}:${v}` : `${field}:"${v.replace(/["\\]/g, '\\$&')}"`;
}

// Per-second rates out of cumulative samples; a counter that went down (the
// daemon restarted) gives no point rather than a negative spike.
function rates(samples, get) {
  const out = [];
  for (let i = 1; i < samples.length; i += 1) {
    const a = samples[i - 1];
    const b = samples[i];
    const dt = (Number(b.time_ns) - Number(a.time_ns)) / 1e9;
    const va = get(a);
    const vb = get(b);
    if (!(dt > 0) || va === undefined || vb === undefined || vb < va) continue;
    out.push([Number(b.time_ns) / 1e6, (vb - va) / dt]);
  }
  return out;
}

function portNames(samples) {
  const names = [];
  for (const s of samples) for (const p of s.ports || []) if (!names.includes(p.device)) names.push(p.device);
  return names;
}

function portCounter(device, key) {
  return (s) => {
    const p = (s.ports || []).find((x) => x.device === device);
    return p ? Number(p[key]) : undefined;
  };
}

function isRelative({ start, end }) {
  return /ago|now/i.test(start) || /ago|now/i.test(end);
}

function stat(label, value, { cls = '', title = null, testid = null } = {}) {
  return h('div', { class: `stat ${cls}`, title, 'data-testid': testid },
    h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
}

export async function mount(root, ctx) {
  let range = rangeFromParams(ctx.params);
  let liveCtl = null;
  let facetCtl = null;
  let timer = null;
  let prevStats = null;     // the previous poll, for rates while history is unavailable
  let liveLoaded = false;
  let facetsLoaded = false;

  const headline = h('div', { class: 'dash-headline', 'data-testid': 'dash-headline' });
  const updated = h('span', { class: 'muted dash-updated' });
  const pickerSlot = h('span');
  const body = {};
  for (const id of ['capture-rate', 'drops', 'sessions-rate', 'storage', 'alerts', 'top-talkers', 'top-ports',
    'top-protocols', 'top-countries']) body[id] = h('div', { class: `dash-body dash-${id}` }, h('span', { class: 'loading' }, 'Loading…'));
  const rangeNote = h('span', { class: 'muted' });

  root.append(
    h('div', { class: 'toolbar dash-toolbar' }, h('h1', {}, 'Dashboard'), h('span', { class: 'spacer' }), updated),
    headline,
    h('div', { class: 'grid cols-3 dash-live' },
      panel('Capture rate (last hour)', body['capture-rate'], { id: 'capture-rate' }),
      panel('Drops (last hour)', body.drops, { id: 'drops' }),
      panel('Sessions and events (last hour)', body['sessions-rate'], { id: 'sessions-rate' })),
    h('div', { class: 'grid dash-mid' },
      panel('Storage and retention', body.storage, { id: 'storage' }),
      panel('Alerts', body.alerts, { id: 'alerts', actions: h('a', { href: '/console/alerts' }, 'All alerts →') })),
    h('div', { class: 'toolbar dash-range' }, h('h2', {}, 'Sessions in range'), pickerSlot, rangeNote),
    h('div', { class: 'grid dash-top' },
      panel('Top talkers', body['top-talkers'], { id: 'top-talkers' }),
      panel('Top destination ports', body['top-ports'], { id: 'top-ports' }),
      panel('Top protocols', body['top-protocols'], { id: 'top-protocols' }),
      panel('Top destination countries', body['top-countries'], { id: 'top-countries' })),
  );

  function markReady() { root.dataset.ready = liveLoaded && facetsLoaded ? '1' : '0'; }

  function renderPicker() {
    clear(pickerSlot).append(timeRangePicker(range, (r) => ctx.setParams(r)));
  }

  function disposeCharts(container) {
    for (const c of container.querySelectorAll('.chart')) if (c.dispose) c.dispose();
  }

  // ---- live part: stats + history -------------------------------------------------
  async function loadLive() {
    if (liveCtl) return;   // the previous poll is still out: skip a beat, do not pile up
    liveCtl = new AbortController();
    const { signal } = liveCtl;
    const [stats, hist] = await Promise.allSettled([
      apiGet('/api/v1/stats', {}, { signal }),
      apiGet('/api/v1/stats/history', {}, { signal }),
    ]);
    liveCtl = null;
    if (signal.aborted) return;
    renderLive(stats.status === 'fulfilled' ? stats.value : null, stats.reason,
      hist.status === 'fulfilled' ? hist.value : null, hist.reason);
    liveLoaded = true;
    markReady();
  }

  function renderLive(stats, statsErr, hist, histErr) {
    const samples = hist && Array.isArray(hist.samples)
      ? hist.samples.slice().sort((a, b) => Number(a.time_ns) - Number(b.time_ns)) : [];
    const now = samples.length ? Number(samples[samples.length - 1].time_ns) / 1e6 : Date.now();
    const domain = [now - 3600000, now];
    const ports = portNames(samples);
    const perPort = (key, scale = 1) => ports.map((d) => ({
      name: d, points: rates(samples, portCounter(d, key)).map(([t, v]) => [t, v * scale]),
    }));

    // Headline rates: the newest history interval, else two polls of /stats.
    let pps = null;
    let bps = null;
    if (samples.length >= 2) {
      const last = (get) => { const r = rates(samples.slice(-2), get); return r.length ? r[0][1] : null; };
      pps = last((s) => Number(s.packets));
      bps = last((s) => Number(s.bytes) * 8);
    } else if (stats && prevStats) {
      const dt = (toDate(stats.time) - toDate(prevStats.time)) / 1000;
      if (dt > 0) {
        pps = Math.max(0, (stats.capture.packets - prevStats.capture.packets) / dt);
        bps = Math.max(0, ((stats.capture.bytes - prevStats.capture.bytes) * 8) / dt);
      }
    }
    if (stats) prevStats = stats;

    renderHeadline(stats, statsErr, pps, bps);
    updated.textContent = `live · updated ${fmtTime(new Date(), { ms: false })} · every ${LIVE_MS / 1000} s`;

    for (const el of [body['capture-rate'], body.drops, body['sessions-rate']]) disposeCharts(el);
    // capture rate
    if (hist) {
      clear(body['capture-rate']).append(
        h('h3', {}, 'Packets per second'),
        lineChart({ series: perPort('packets'), format: fmtPacketRate, height: CHART_H, domain, label: 'packets per second per port',
          empty: 'Waiting for two samples (one every 10 s)…' }),
        h('h3', {}, 'Bits per second'),
        lineChart({ series: perPort('bytes', 8), format: fmtBitRate, height: CHART_H, domain, label: 'bits per second per port',
          empty: 'Waiting for two samples (one every 10 s)…' }));
    } else {
      clear(body['capture-rate']).append(errorBox(histErr));
    }
    // drops
    const dropsBody = [];
    if (hist) {
      dropsBody.push(h('h3', {}, 'Drops per second, per port'),
        lineChart({ series: perPort('dropped'), format: (v) => fmtRate(v, 'pkt'), height: CHART_H, domain,
          label: 'drops per second per port', empty: 'Waiting for two samples (one every 10 s)…' }));
    } else dropsBody.push(errorBox(histErr));
    if (stats) {
      const d = stats.capture.dropped || {};
      const rows = [
        ['NIC (no descriptor)', d.nic], ['NIC errors', d.nic_errors], ['mbuf allocation', d.mbuf_alloc],
        ['Flow ring', stats.pipeline?.ring_drops], ['Packet store', stats.store?.packets_dropped],
      ];
      dropsBody.push(h('h3', {}, 'Since start'), h('dl', { class: 'kv dash-counters' }, rows.map(([k, v]) => [
        h('dt', {}, k), h('dd', { class: Number(v) > 0 ? 'bad' : '' }, fmtCount(v ?? 0))])));
    }
    append(clear(body.drops), dropsBody);
    // sessions
    const sessBody = [];
    if (hist) {
      sessBody.push(h('h3', {}, 'Per second'), lineChart({
        series: [
          { name: 'sessions', points: rates(samples, (s) => Number(s.sessions)) },
          { name: 'events', points: rates(samples, (s) => Number(s.events)) },
          { name: 'alerts', points: rates(samples, (s) => Number(s.alerts)) },
        ],
        format: (v) => fmtRate(v, ''), height: CHART_H, domain, label: 'sessions, events and alerts per second',
        empty: 'Waiting for two samples (one every 10 s)…',
      }));
    } else sessBody.push(errorBox(histErr));
    if (stats) {
      const se = stats.sessions || {};
      sessBody.push(h('h3', {}, 'Since start'), h('dl', { class: 'kv dash-counters' },
        h('dt', {}, 'Sessions'), h('dd', {}, fmtCount(se.sessions ?? 0)),
        h('dt', {}, 'Events'), h('dd', {}, fmtCount(se.events?.total ?? 0)),
        h('dt', {}, 'Flows active'), h('dd', {}, fmtCount(stats.flows?.active ?? 0)),
        h('dt', {}, 'Search documents'), h('dd', {}, fmtCount(se.search?.documents ?? 0))));
    }
    append(clear(body['sessions-rate']), sessBody);

    renderStorage(stats, statsErr);
    renderAlerts(stats, statsErr);
  }

  function renderHeadline(stats, err, pps, bps) {
    clear(headline);
    if (!stats) { headline.append(errorBox(err)); return; }
    const d = stats.capture.dropped || {};
    const drops = Number(d.total || 0) + Number(stats.pipeline?.ring_drops || 0);
    const st = stats.store || {};
    headline.append(
      stat('packets/s', pps === null ? '–' : fmtPacketRate(pps), { testid: 'headline-pps',
        title: pps === null ? 'needs two samples, 10 s apart' : null }),
      stat('bits/s', bps === null ? '–' : fmtBitRate(bps), { testid: 'headline-bps' }),
      stat('drops since start', fmtCount(drops), { cls: drops > 0 ? 'bad' : 'good', testid: 'headline-drops',
        title: `NIC ${fmtCount(d.nic || 0)}, NIC errors ${fmtCount(d.nic_errors || 0)}, mbuf ${fmtCount(d.mbuf_alloc || 0)}, flow ring ${fmtCount(stats.pipeline?.ring_drops || 0)}` }),
      stat('sessions since start', fmtCount(stats.sessions?.sessions ?? 0), { testid: 'headline-sessions' }),
      stat(st.enabled === false ? 'packet store off' : `stored, ${fmtCount(st.segments ?? 0)} segments`,
        fmtBytes(st.bytes_used ?? 0), { testid: 'headline-storage' }),
    );
  }

  function renderStorage(stats, err) {
    const el = body.storage;
    clear(el);
    if (!stats) { el.append(errorBox(err)); return; }
    const st = stats.store || {};
    if (st.enabled === false) { el.append(h('p', { class: 'muted' }, 'The packet store is disabled in the configuration.')); return; }
    const oldest = st.oldest_packet_ns ? Number(st.oldest_packet_ns) : null;
    const newest = st.newest_packet_ns ? Number(st.newest_packet_ns) : null;
    el.append(h('dl', { class: 'kv' },
      h('dt', {}, 'Used on disk'), h('dd', {}, `${fmtBytes(st.bytes_used)} in ${fmtCount(st.segments)} segments`),
      h('dt', {}, 'Packets stored'), h('dd', {}, `${fmtCount(st.packets_stored)} (${fmtBytes(st.bytes_stored)})`),
      h('dt', {}, 'Retention horizon'), h('dd', {}, oldest ? [timeEl(st.oldest_packet, { ms: false }),
        newest ? h('span', { class: 'muted' }, ` · ${fmtDurationSeconds((newest - oldest) / 1e9)} of packets`) : null]
        : h('span', { class: 'muted' }, 'no packets yet')),
      h('dt', {}, 'Newest packet'), h('dd', {}, newest ? timeEl(st.newest_packet, { ms: false }) : '–'),
      h('dt', {}, 'Index'), h('dd', {}, `${fmtCount(st.indexed_packets)} packets, ${fmtBytes(st.index_bytes)}`),
      h('dt', {}, 'Removed by retention'), h('dd', {}, `${fmtCount(st.segments_removed)} segments, ${fmtBytes(st.bytes_removed)}`),
      h('dt', {}, 'Write errors'), h('dd', { class: Number(st.write_errors) > 0 ? 'bad' : '' }, fmtCount(st.write_errors ?? 0))));
  }

  function renderAlerts(stats, err) {
    const el = body.alerts;
    clear(el);
    if (!stats) { el.append(errorBox(err)); return; }
    const a = stats.detection?.alerts;
    if (!a) { el.append(h('p', { class: 'muted' }, 'Detection is disabled.')); return; }
    const sev = a.by_severity || {};
    const st = a.by_status || {};
    el.append(
      h('h3', {}, 'By severity'),
      h('div', { class: 'alert-tiles' }, [1, 2, 3, 4].map((s) => h('a', {
        class: `alert-tile sev-${s}`, href: `/console/alerts?severity=${s}`, 'data-testid': 'alert-count',
        'data-severity': s, title: `Alerts of severity ${s} (${SEVERITY[s]})`,
      }, h('span', { class: 'value' }, fmtCount(sev[s] ?? 0)), h('span', { class: 'label' }, `${s} · ${SEVERITY[s]}`)))),
      h('h3', {}, 'By status'),
      h('div', { class: 'alert-tiles' }, STATUSES.map((s) => h('a', {
        class: `alert-tile status-${s}`, href: `/console/alerts?status=${s}`, 'data-testid': 'alert-count', 'data-status': s,
      }, h('span', { class: 'value' }, fmtCount(st[s] ?? 0)), h('span', { class: 'label' }, s)))),
      h('p', { class: 'muted' }, `${fmtCount(a.total ?? 0)} alerts in the store`));
  }

  // ---- range part: faceted sessions queries ---------------------------------------
  // Ports, protocols and countries first (few distinct values: fast), then
  // the talkers: a facet on source.ip visits every session and counts one
  // entry per address, seconds on a million sessions (bench/RESULTS.md,
  // "Web console"). data-ready waits for the first, data-facets-ready for both.
  async function loadFacets({ quiet = false } = {}) {
    if (facetCtl) facetCtl.abort();
    facetCtl = new AbortController();
    const { signal } = facetCtl;
    if (!quiet) {
      facetsLoaded = false;
      root.dataset.facetsReady = '0';
      markReady();
    }
    const ask = (fields) => apiGet('/api/v1/sessions', {
      limit: 0, facets: fields.join(','), facet_size: 10, start: range.start, end: range.end,
    }, { signal }).then((res) => ({ res }), (err) => ({ err }));
    const fast = await ask(FAST_FACETS);
    if (signal.aborted || fast.err?.name === 'AbortError') return;
    renderFacets(fast.res, fast.err, ['top-ports', 'top-protocols', 'top-countries']);
    facetsLoaded = true;
    markReady();
    const talkers = await ask(TALKER_FACETS);
    if (signal.aborted || talkers.err?.name === 'AbortError') return;
    facetCtl = null;
    renderFacets(talkers.res, talkers.err, ['top-talkers']);
    root.dataset.facetsReady = '1';
  }

  function huntHref(field, value) {
    const p = new URLSearchParams({ q: queryTerm(field, value) });
    if (range.start) p.set('start', range.start);
    if (range.end) p.set('end', range.end);
    return `/console/hunt?${p}`;
  }

  function facetList(res, field) {
    const items = (res.facets?.[field] || []).map((e) => ({
      label: field.endsWith('country_iso_code') && e.value ? `${e.value}` : String(e.value),
      value: e.count, href: huntHref(field, e.value), testid: 'top-item', dataValue: String(e.value),
      title: `${queryTerm(field, e.value)}: ${fmtCount(e.count)} sessions (open in Hunt)`,
    }));
    const list = barChart({ items, format: fmtCompact, rows: 10 });
    list.dataset.field = field;
    return list;
  }

  function renderFacets(res, err, ids) {
    if (ids.includes('top-ports')) {
      rangeNote.textContent = res ? `${describeRange(range)} · ${res.total_exact === false ? '≥ ' : ''}${fmtCount(res.total)} sessions`
        + `${isRelative(range) ? ` · refreshed every ${LIVE_MS / 1000} s` : ''}` : describeRange(range);
    }
    for (const id of ids) {
      clear(body[id]);
      if (err) body[id].append(errorBox(err));
    }
    if (err) return;
    if (ids.includes('top-talkers')) {
      body['top-talkers'].append(h('div', { class: 'talkers' },
        h('div', {}, h('h3', {}, 'Sources'), facetList(res, 'source.ip')),
        h('div', {}, h('h3', {}, 'Destinations'), facetList(res, 'destination.ip'))));
      return;
    }
    body['top-ports'].append(facetList(res, 'destination.port'));
    body['top-protocols'].append(facetList(res, 'network.protocol'));
    body['top-countries'].append(facetList(res, 'destination.geo.country_iso_code'));
  }

  async function tick() {
    if (document.hidden) return;   // a background tab does not need a fresh chart
    const jobs = [loadLive()];
    if (isRelative(range) && !facetCtl) jobs.push(loadFacets({ quiet: true }));
    await Promise.all(jobs);
  }

  renderPicker();
  root.dataset.ready = '0';
  await Promise.all([loadLive(), loadFacets()]);
  timer = setInterval(tick, LIVE_MS);

  return {
    async update(params) {
      const next = rangeFromParams(params);
      if (next.start === range.start && next.end === range.end) return;
      range = next;
      renderPicker();
      await loadFacets();
    },
    unmount() {
      clearInterval(timer);
      if (liveCtl) liveCtl.abort();
      if (facetCtl) facetCtl.abort();
      disposeCharts(root);
    },
  };
}
