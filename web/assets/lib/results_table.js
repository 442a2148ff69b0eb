// The hunt results table: the chosen columns of each record (numbers with
// units, times UTC with local on hover), sortable headers, keyboard-focusable
// rows; plus the default columns per kind and the column chooser.
import { h, clear } from './dom.js';
import { fmtBytes, fmtCount, fmtDurationNs, getPath, timeEl } from './format.js';

// Virtual columns combine fields: they cannot be sorted on.
const VIRTUAL = {
  hosts: {
    label: 'Hosts',
    value: (r) => {
      const s = ep(r.source);
      const d = ep(r.destination);
      return s || d ? `${s || '?'} → ${d || '?'}` : '';
    },
  },
  summary: {
    label: 'Summary',
    value: (r) => first(getPath(r, 'dns.question.name'))
      || (getPath(r, 'url.domain') ? `${getPath(r, 'http.request.method') || ''} ${getPath(r, 'url.domain')}${getPath(r, 'url.original') || ''}`.trim() : '')
      || first(getPath(r, 'tls.client.server_name'))
      || getPath(r, 'ssh.client.software') || getPath(r, 'dhcp.hostname') || getPath(r, 'message') || '',
  },
};

export const DEFAULT_COLUMNS = {
  sessions: ['@timestamp', 'source.ip', 'source.port', 'destination.ip', 'destination.port', 'network.protocol',
    'network.bytes', 'network.packets', 'event.duration', 'destination.geo.country_iso_code'],
  events: ['@timestamp', 'event.dataset', 'hosts', 'summary', 'dns.response_code', 'http.response.status_code',
    'tls.version'],
  logs: ['@timestamp', 'host.hostname', 'process.name', 'log.syslog.severity.name', 'event.dataset', 'message'],
};

// Offered in the chooser besides the defaults and the daemon's field list.
const COMMON = ['@timestamp', 'hosts', 'summary', 'source.ip', 'source.port', 'destination.ip', 'destination.port',
  'network.transport', 'network.protocol', 'network.community_id', 'network.direction', 'network.bytes',
  'network.packets', 'source.bytes', 'destination.bytes', 'source.packets', 'destination.packets', 'event.duration',
  'event.dataset', 'event.reason', 'session.id', 'dns.question.name', 'dns.response_code', 'url.domain',
  'url.original', 'http.request.method', 'http.response.status_code', 'user_agent.original',
  'tls.client.server_name', 'tls.client.ja3', 'tls.client.ja4', 'tls.version', 'ssh.client.software',
  'source.geo.country_iso_code', 'destination.geo.country_iso_code', 'destination.as.organization.name',
  'source.asset.name', 'destination.asset.name', 'threat.indicator.type', 'host.hostname', 'process.name',
  'log.syslog.severity.name', 'message'];

const LABELS = {
  '@timestamp': 'Time', 'source.ip': 'Src IP', 'source.port': 'Src port', 'destination.ip': 'Dst IP',
  'destination.port': 'Dst port', 'network.protocol': 'Protocol', 'network.transport': 'Transport',
  'network.bytes': 'Bytes', 'network.packets': 'Packets', 'event.duration': 'Duration',
  'destination.geo.country_iso_code': 'Dst country', 'source.geo.country_iso_code': 'Src country',
  'event.dataset': 'Dataset', 'dns.response_code': 'RCODE', 'http.response.status_code': 'HTTP status',
  'tls.version': 'TLS', 'host.hostname': 'Host', 'process.name': 'Program', 'log.syslog.severity.name': 'Severity',
  'message': 'Message', 'source.bytes': 'Src bytes', 'destination.bytes': 'Dst bytes',
  'source.packets': 'Src pkts', 'destination.packets': 'Dst pkts',
};

const TIME_FIELDS = new Set(['@timestamp', 'event.start', 'event.end', 'event.created']);

function first(v) { return Array.isArray(v) ? v.join(', ') : v; }
function ep(side) {
  if (!side || !side.ip) return '';
  return side.ip.includes(':') ? `[${side.ip}]:${side.port ?? ''}` : `${side.ip}:${side.port ?? ''}`;
}

export function columnLabel(col) {
  return VIRTUAL[col]?.label || LABELS[col] || col;
}

export function isVirtual(col) { return Boolean(VIRTUAL[col]); }

function isNumeric(col, type) {
  return type === 'number' || /\.(bytes|packets|port|duration|count|code|number)$/.test(col)
    || col === 'event.duration' || col === 'process.pid';
}

// One cell's content and whether it is a number (right-aligned).
function cell(record, col, type) {
  if (VIRTUAL[col]) return { node: VIRTUAL[col].value(record) };
  const v = getPath(record, col);
  if (v === undefined || v === null || v === '') return { node: '' };
  if (TIME_FIELDS.has(col) || type === 'time') return { node: timeEl(v) };
  if (col === 'event.duration') return { node: fmtDurationNs(v), num: true, title: `${fmtCount(v)} ns` };
  if (/(^|\.)bytes$/.test(col)) return { node: fmtBytes(v), num: true, title: `${fmtCount(v)} bytes` };
  if (/(^|\.)packets$/.test(col)) return { node: fmtCount(v), num: true };
  if (typeof v === 'number') return { node: /port$/.test(col) ? String(v) : fmtCount(v), num: true };
  if (typeof v === 'object') return { node: Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : x)).join(', ') : JSON.stringify(v) };
  return { node: String(v) };
}

// resultsTable({records, columns, sort, offset, types: Map, sortable(col)->bool, onSort(sort), onOpen(i), selected})
export function resultsTable({ records, columns, sort, types, sortable, onSort, onOpen, selected }) {
  const sortField = sort.replace(/^-/, '').replace(/:(asc|desc)$/, '');
  const desc = sort.startsWith('-') || sort.endsWith(':desc');
  const head = h('tr', {}, columns.map((col) => {
    const type = types.get(col);
    const can = sortable(col);
    const active = can && sortField === col;
    const label = columnLabel(col);
    const num = isNumeric(col, type);
    const th = h('th', {
      class: [num ? 'num' : '', can ? 'sortable' : '', active ? 'sorted' : ''].join(' ').trim() || null,
      title: col, scope: 'col', 'data-field': col,
      'aria-sort': active ? (desc ? 'descending' : 'ascending') : null,
    }, can ? h('button', {
      type: 'button', class: 'sort', 'data-testid': 'sort-header',
      onclick: () => {
        // First click: newest/largest first for times and numbers, A→Z for text.
        const next = active ? (desc ? col : `-${col}`) : (num || TIME_FIELDS.has(col) || type === 'time' ? `-${col}` : col);
        onSort(next);
      },
    }, label, h('span', { class: 'arrow', 'aria-hidden': 'true' }, active ? (desc ? ' ▼' : ' ▲') : '')) : label);
    return th;
  }));
  const body = h('tbody', {});
  records.forEach((r, i) => {
    const tr = h('tr', {
      tabindex: '0', 'data-testid': 'result-row', 'data-index': String(i),
      class: selected === i ? 'selected' : null, 'aria-selected': selected === i ? 'true' : null,
      onclick: (e) => { if (!e.target.closest('a,button')) onOpen(i); },
      onkeydown: (e) => {
        if (e.key === 'Enter') { e.preventDefault(); onOpen(i); }
        else if (e.key === 'ArrowDown' || e.key === 'j') { e.preventDefault(); tr.nextElementSibling?.focus(); }
        else if (e.key === 'ArrowUp' || e.key === 'k') { e.preventDefault(); tr.previousElementSibling?.focus(); }
      },
    }, columns.map((col) => {
      const c = cell(r, col, types.get(col));
      const text = typeof c.node === 'string' ? c.node : null;
      return h('td', {
        class: [c.num ? 'num' : '', col.endsWith('.ip') || col === 'hosts' ? 'mono' : ''].join(' ').trim() || null,
        title: c.title || text || null,
      }, c.node);
    }));
    body.append(tr);
  });
  return h('table', { class: 'data results', 'data-testid': 'results-table' }, h('thead', {}, head), body);
}

// The column chooser: a popover of checkboxes (filterable). onChange(cols)
// gets the new list; Reset goes back to the kind's defaults.
export function columnChooser({ kind, columns, fieldNames, onChange }) {
  const chosen = [...columns];
  const all = [...new Set([...DEFAULT_COLUMNS[kind], ...columns, ...COMMON, ...fieldNames])];
  const filter = h('input', { type: 'search', placeholder: 'filter fields', class: 'col-filter', 'aria-label': 'Filter fields' });
  const list = h('ul', { class: 'col-list' });
  function renderList() {
    clear(list);
    const f = filter.value.trim().toLowerCase();
    for (const col of all) {
      if (f && !col.toLowerCase().includes(f) && !columnLabel(col).toLowerCase().includes(f)) continue;
      const box = h('input', {
        type: 'checkbox', checked: chosen.includes(col), 'data-field': col,
        onchange: () => {
          const i = chosen.indexOf(col);
          if (box.checked && i < 0) chosen.push(col);
          if (!box.checked && i >= 0) chosen.splice(i, 1);
          if (chosen.length) onChange([...chosen]);
        },
      });
      list.append(h('li', {}, h('label', { class: 'check' }, box, h('span', {}, columnLabel(col)),
        columnLabel(col) !== col ? h('span', { class: 'muted' }, col) : null)));
    }
  }
  filter.addEventListener('input', renderList);
  renderList();
  return h('div', { class: 'col-chooser', 'data-testid': 'columns-chooser', role: 'dialog', 'aria-label': 'Columns' },
    h('div', { class: 'row' }, filter,
      h('button', { type: 'button', onclick: () => onChange([...DEFAULT_COLUMNS[kind]]) }, 'Defaults')),
    list);
}
