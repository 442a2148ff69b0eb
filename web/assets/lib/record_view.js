// The opened record: every field as a key/value list, its enrichment (geo,
// AS, asset, threat intel), its protocol events (for a session) or its
// session (for an event), the alerts on it, the PCAP download and the pivot
// buttons. Side requests are aborted with the view.
import { apiGet } from './api.js';
import { h, clear, errorBox } from './dom.js';
import { fmtBytes, fmtCount, fmtDurationNs, getPath, timeEl } from './format.js';
import { clause } from './query_bar.js';

// Leaves of a record as [dotted path, value]; arrays of scalars stay one value.
function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj || {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
      v.forEach((x, i) => (x && typeof x === 'object' ? flatten(x, `${key}[${i}]`, out) : out.push([`${key}[${i}]`, x])));
    } else out.push([key, v]);
  }
  return out;
}

function fmtValue(key, v) {
  if (Array.isArray(v)) return v.join(', ');
  if (/(^|\.)(@timestamp|start|end|created|first_seen|last_seen)$/.test(key) && typeof v === 'string') return timeEl(v);
  if (key === 'event.duration') return `${fmtDurationNs(v)} (${fmtCount(v)} ns)`;
  if (/(^|\.)bytes$/.test(key) && typeof v === 'number') return `${fmtBytes(v)} (${fmtCount(v)})`;
  return String(v);
}

function kv(pairs) {
  const rows = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (!rows.length) return null;
  return h('dl', { class: 'kv' }, rows.flatMap(([k, v]) => [h('dt', { title: k }, k), h('dd', {}, v)]));
}

export function recordDomain(r) {
  const dq = getPath(r, 'dns.question.name');
  return (Array.isArray(dq) ? dq[0] : dq) || getPath(r, 'tls.client.server_name') || getPath(r, 'url.domain')
    || getPath(r, 'http.request.host') || getPath(r, 'destination.domain') || '';
}

function side(r, name) {
  const s = r[name] || {};
  return [
    ['IP', s.ip ? `${s.ip}${s.port !== undefined ? ` port ${s.port}` : ''}` : ''],
    ['Country', [getPath(s, 'geo.country_iso_code'), getPath(s, 'geo.country_name'), getPath(s, 'geo.city_name')].filter(Boolean).join(' · ')],
    ['AS', getPath(s, 'as.number') ? `AS${getPath(s, 'as.number')} ${getPath(s, 'as.organization.name') || ''}` : ''],
    ['Asset', s.asset ? [s.asset.name, s.asset.role, s.asset.owner, s.asset.criticality && `criticality ${s.asset.criticality}`].filter(Boolean).join(' · ') : ''],
  ];
}

// recordView(record, {kind, onPivot(params), onClose, onOpenEvent(q)}) → {el, destroy()}
export function recordView(record, { kind, onPivot, onClose }) {
  const ctrl = new AbortController();
  const r = record;
  const sid = getPath(r, 'session.id');
  const cid = getPath(r, 'network.community_id');
  const domain = recordDomain(r);
  const ip = getPath(r, 'source.ip');
  const dip = getPath(r, 'destination.ip');

  const pivots = h('div', { class: 'pivots' },
    r.pcap ? h('a', {
      class: 'button primary', href: r.pcap, download: `${kind === 'sessions' ? 'session' : 'record'}-${sid || cid || 'slice'}.pcap`,
      'data-testid': 'record-download-pcap',
    }, 'Download PCAP') : null,
    ip ? h('button', {
      type: 'button', 'data-testid': 'pivot-host', title: `Everything to or from ${ip}`,
      onclick: () => onPivot({ q: clause('ip', ip) }),
    }, `Host ${ip}`) : null,
    dip ? h('button', {
      type: 'button', 'data-testid': 'pivot-destination', title: `Everything to or from ${dip}`,
      onclick: () => onPivot({ q: clause('ip', dip) }),
    }, `Host ${dip}`) : null,
    cid ? h('button', {
      type: 'button', 'data-testid': 'pivot-community-id', title: cid,
      onclick: () => onPivot({ q: clause('network.community_id', cid) }),
    }, 'Same Community ID') : null,
    domain ? h('button', {
      type: 'button', 'data-testid': 'pivot-domain', title: `domain:${domain}`,
      onclick: () => onPivot({ q: clause('domain', domain) }),
    }, `Domain ${domain}`) : null,
    kind !== 'sessions' && sid ? h('button', {
      type: 'button', 'data-testid': 'pivot-session',
      onclick: () => onPivot({ kind: 'sessions', q: clause('session.id', sid) }),
    }, 'Its session') : null);

  const threats = (getPath(r, 'threat.enrichments') || []).map((t) => h('li', {},
    h('span', { class: 'badge' }, getPath(t, 'indicator.type') || '?'), ' ',
    getPath(t, 'indicator.value') || getPath(t, 'indicator.ip') || getPath(t, 'indicator.url.domain') || getPath(t, 'indicator.name') || '', ' ',
    h('span', { class: 'muted' }, [
      getPath(t, 'indicator.provider'), getPath(t, 'indicator.confidence') !== undefined ? `confidence ${getPath(t, 'indicator.confidence')}` : '',
      getPath(t, 'matched.field') ? `matched ${getPath(t, 'matched.field')} = ${getPath(t, 'matched.atomic')}` : '',
      getPath(t, 'indicator.description'),
    ].filter(Boolean).join(' · '))));

  const eventsBox = h('div', { class: 'rv-events' }, h('span', { class: 'loading' }, 'loading…'));
  const alertsBox = h('div', { class: 'rv-alerts' }, h('span', { class: 'loading' }, 'loading…'));

  const title = kind === 'sessions'
    ? `${getPath(r, 'network.protocol') || getPath(r, 'network.transport') || 'session'} ${ip || ''} → ${dip || ''}`
    : `${getPath(r, 'event.dataset') || kind} ${domain || ip || getPath(r, 'host.hostname') || ''}`;

  const closeBtn = h('button', { type: 'button', class: 'link close', 'data-testid': 'record-close', 'aria-label': 'Close', onclick: onClose }, '✕');
  const el = h('aside', { class: 'record-view', 'data-testid': 'record-view', tabindex: '-1', 'aria-label': 'Record' },
    h('header', {}, h('h2', {}, title), closeBtn),
    h('div', { class: 'rv-body' },
      h('div', { class: 'rv-meta muted' }, timeEl(r['@timestamp']),
        sid ? ` · session ${sid}` : '', cid ? ` · ${cid}` : ''),
      pivots,
      h('h3', {}, 'Enrichment'),
      h('div', { class: 'rv-sides' },
        h('div', {}, h('h4', {}, 'Source'), kv(side(r, 'source')) || h('span', { class: 'muted' }, '–')),
        h('div', {}, h('h4', {}, 'Destination'), kv(side(r, 'destination')) || h('span', { class: 'muted' }, '–'))),
      threats.length ? h('div', {}, h('h4', {}, 'Threat intel'), h('ul', { class: 'threats' }, threats)) : null,
      h('h3', {}, kind === 'sessions' ? 'Protocol events' : 'Session'),
      eventsBox,
      h('h3', {}, 'Alerts'),
      alertsBox,
      h('h3', {}, 'All fields'),
      kv(flatten(r).map(([k, v]) => [k, k === 'pcap' ? h('a', { href: v, download: '' }, v) : fmtValue(k, v)]))));

  el.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); onClose(); } });

  // Protocol events of a session (by session.id, which events share), or the
  // session of an event.
  const eventsQuery = sid ? clause('session.id', sid) : cid ? clause('network.community_id', cid) : '';
  if (eventsQuery) {
    const path = kind === 'sessions' ? '/api/v1/events' : '/api/v1/sessions';
    apiGet(path, { q: eventsQuery, limit: 100, sort: '@timestamp:asc' }, { signal: ctrl.signal }).then((res) => {
      clear(eventsBox);
      if (!res.records?.length) { eventsBox.append(h('span', { class: 'muted' }, 'none')); return; }
      eventsBox.append(h('table', { class: 'data compact' }, h('tbody', {}, res.records.map((e) => h('tr', {},
        h('td', {}, timeEl(e['@timestamp'])),
        h('td', {}, getPath(e, 'event.dataset') || ''),
        h('td', { class: 'wrap', title: '' }, summaryOf(e)))))),
      ...(res.total > res.records.length ? [h('div', { class: 'muted' }, `${fmtCount(res.total)} in all`)] : []));
    }, (e) => { if (e.name !== 'AbortError') { clear(eventsBox); eventsBox.append(errorBox(e)); } });
  } else { clear(eventsBox); eventsBox.append(h('span', { class: 'muted' }, '–')); }

  const alertsQuery = sid ? clause('session.id', sid) : cid ? clause('network.community_id', cid) : '';
  if (alertsQuery) {
    apiGet('/api/v1/alerts', { q: alertsQuery, limit: 50 }, { signal: ctrl.signal }).then((res) => {
      clear(alertsBox);
      const list = res.alerts || [];
      if (!list.length) { alertsBox.append(h('span', { class: 'muted' }, 'none')); return; }
      alertsBox.append(h('ul', { class: 'rv-alert-list' }, list.map((a) => {
        const sev = getPath(a, 'event.severity');
        return h('li', {},
          h('span', { class: `badge sev-${sev}` }, `sev ${sev}`), ' ',
          h('a', { href: `/console/alerts?id=${encodeURIComponent(a.id)}`, 'data-nav': '' }, getPath(a, 'rule.name') || getPath(a, 'alert.signature') || `alert ${a.id}`),
          ' ', h('span', { class: `muted status-${getPath(a, 'alert.status')}` }, getPath(a, 'alert.status') || ''));
      })));
    }, (e) => { if (e.name !== 'AbortError') { clear(alertsBox); alertsBox.append(errorBox(e)); } });
  } else { clear(alertsBox); alertsBox.append(h('span', { class: 'muted' }, '–')); }

  return { el, destroy() { ctrl.abort(); } };
}

function summaryOf(e) {
  const ds = getPath(e, 'event.dataset');
  if (ds === 'dns') {
    const q = getPath(e, 'dns.question.name');
    const ans = (getPath(e, 'dns.answers') || []).map((a) => a.data).filter(Boolean);
    return `${getPath(e, 'dns.type') || ''} ${Array.isArray(q) ? q.join(', ') : q || ''} ${getPath(e, 'dns.question.type') || ''}`
      + `${getPath(e, 'dns.response_code') ? ` → ${getPath(e, 'dns.response_code')}` : ''}${ans.length ? ` ${ans.join(', ')}` : ''}`;
  }
  if (ds === 'http') {
    return `${getPath(e, 'http.request.method') || ''} ${getPath(e, 'url.domain') || ''}${getPath(e, 'url.original') || ''} → ${getPath(e, 'http.response.status_code') || ''}`;
  }
  if (ds === 'tls' || ds === 'quic') {
    return `${getPath(e, 'tls.version') || ''} SNI ${getPath(e, 'tls.client.server_name') || '–'} ${getPath(e, 'tls.cipher') || ''}`;
  }
  if (ds === 'session') {
    return `${getPath(e, 'network.protocol') || ''} ${getPath(e, 'source.ip')} → ${getPath(e, 'destination.ip')}:${getPath(e, 'destination.port')} · ${fmtBytes(getPath(e, 'network.bytes'))}`;
  }
  return getPath(e, 'message') || getPath(e, 'ssh.client.software') || '';
}
