// Alerts page: the filtered, sorted, paged alert list with counts by status
// and severity, the opened alert's detail (fields, triage history, evidence
// sessions with their PCAP and hunt links) and triage (acknowledge, escalate,
// close with a note), one alert or a selection in bulk.
// URL state: status, severity, q, start, end, sort, order, offset, limit, id.
import { apiGet, apiSend } from '../lib/api.js';
import { h, clear, panel, errorBox } from '../lib/dom.js';
import { fmtBytes, fmtCount, timeEl } from '../lib/format.js';
import { timeRangePicker, rangeFromParams } from '../lib/time_range.js';

const STATUSES = ['new', 'acknowledged', 'escalated', 'closed'];
const SEV_NAMES = { 1: 'high', 2: 'medium', 3: 'low', 4: 'info' };
const STATUS_OPTIONS = [
  ['', 'Any status'], ['new,acknowledged,escalated', 'Open (not closed)'], ['new', 'New'],
  ['acknowledged', 'Acknowledged'], ['escalated', 'Escalated'], ['closed', 'Closed'],
];
const SEVERITY_OPTIONS = [
  ['', 'Any severity'], ['1', '1 · high'], ['1-2', '1–2 · high, medium'], ['2', '2 · medium'],
  ['1-3', '1–3 · not info'], ['3', '3 · low'], ['4', '4 · info'],
];
const SORTABLE = ['id', 'severity', 'score', 'first_seen', 'last_seen', 'count'];
const DEFAULT_LIMIT = 50;
const MAX_IN_FLIGHT = 4;   // bulk triage: enough to be quick, few enough not to crowd the daemon's HTTP threads
// The parameters that shape the list; `id` only opens a detail, so changing
// it must not refetch the list.
const LIST_KEYS = ['status', 'severity', 'q', 'start', 'end', 'sort', 'order', 'offset', 'limit'];

// URL params -> GET /api/v1/alerts params. Severity "1-2" is a range because
// the API filters by bounds, not by a set.
function listQuery(p) {
  const q = {
    status: p.get('status') || '', q: p.get('q') || '', start: p.get('start') || '', end: p.get('end') || '',
    sort: p.get('sort') || '', order: p.get('order') || '', offset: p.get('offset') || '',
    limit: p.get('limit') || DEFAULT_LIMIT,
  };
  const sev = (p.get('severity') || '').match(/^([1-4])(?:-([1-4]))?$/);
  if (sev) { q.min_severity = sev[1]; q.max_severity = sev[2] || sev[1]; }
  return q;
}

function listKey(p) { return LIST_KEYS.map((k) => `${k}=${p.get(k) || ''}`).join('&'); }

function paramsObject(p) {
  const o = {};
  for (const [k, v] of p) o[k] = v;
  return o;
}

function sevBadge(sev) {
  const n = Number(sev) || 0;
  return h('span', { class: `badge sev-${Math.min(Math.max(n, 1), 4)}`, title: `severity ${n} (${SEV_NAMES[n] || '?'})` },
    String(n), SEV_NAMES[n] ? h('span', { class: 'sev-name' }, ` ${SEV_NAMES[n]}`) : null);
}

function statusEl(status, attrs = {}) {
  return h('span', { class: `status status-${status}`, ...attrs }, status);
}

function endpoint(ep) {
  if (!ep || !ep.ip) return '';
  return ep.port !== undefined && ep.port !== null ? `${ep.ip.includes(':') ? `[${ep.ip}]` : ep.ip}:${ep.port}` : ep.ip;
}

function hostsText(a) {
  const s = a.source && a.source.ip;
  const d = a.destination && a.destination.ip;
  if (s && d) return `${s} → ${d}`;
  return s || d || '–';
}

// The hunt page's query for an evidence session: its Community ID when known
// (all of the conversation's records), else its session id.
function huntHref(ev) {
  let q;
  if (ev.community_id) q = `network.community_id:"${ev.community_id}"`;
  else if (ev.session_id) q = `session.id:${ev.session_id}`;
  else return null;
  return `/console/hunt?${new URLSearchParams({ kind: 'sessions', q })}`;
}

// Runs fn over items with at most `limit` in flight; results in input order.
async function pool(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      try { results[i] = { ok: true, value: await fn(items[i]) }; } catch (e) { results[i] = { ok: false, error: e }; }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function mount(root, ctx) {
  const canTriage = !!ctx.user && ctx.user.role !== 'viewer';
  let params = ctx.params;
  let lastListKey = null;
  let lastId = null;
  let listAbort = null;
  let detailAbort = null;
  let listData = null;        // the latest GET /api/v1/alerts answer
  let detailData = null;      // the opened alert
  const selected = new Set(); // ids checked in the list
  let busy = false;           // a triage action is being sent
  let unmounted = false;

  // ---- filters
  const statusSel = h('select', { 'data-testid': 'alert-filter-status', 'aria-label': 'Status' },
    STATUS_OPTIONS.map(([v, l]) => h('option', { value: v }, l)));
  const sevSel = h('select', { 'data-testid': 'alert-filter-severity', 'aria-label': 'Severity' },
    SEVERITY_OPTIONS.map(([v, l]) => h('option', { value: v }, l)));
  const qInput = h('input', { type: 'search', class: 'alert-q', 'data-testid': 'alert-filter-q', 'data-query-input': '',
    placeholder: 'Filter: words or a query, e.g. rule.id:intel source.ip:10.0.0.0/8  (press / to focus)',
    'aria-label': 'Query', spellcheck: 'false', autocomplete: 'off' });
  const timeSlot = h('span', { class: 'alert-time' });
  const filterForm = h('form', { class: 'toolbar alert-filters', onsubmit: (e) => { e.preventDefault(); applyFilters(); } },
    statusSel, sevSel, qInput, h('button', { type: 'submit', class: 'primary' }, 'Filter'), timeSlot);
  statusSel.addEventListener('change', applyFilters);
  sevSel.addEventListener('change', applyFilters);

  const countsBar = h('div', { class: 'alert-counts', 'aria-label': 'Alert counts' });

  // ---- triage bar (the note serves the detail's buttons and the bulk buttons)
  const note = h('input', { type: 'text', class: 'triage-note', 'data-testid': 'triage-note', maxlength: '4096',
    placeholder: 'Note for the triage action (optional)', 'aria-label': 'Triage note', disabled: !canTriage });
  const bulkButtons = [['acknowledged', 'Acknowledge', 'bulk-acknowledge'], ['escalated', 'Escalate', 'bulk-escalate'],
    ['closed', 'Close', 'bulk-close']].map(([status, label, testid]) => h('button', {
    type: 'button', 'data-testid': testid, disabled: true, class: status === 'closed' ? '' : '',
    onclick: () => triage([...selected], status),
  }, `${label} selected`));
  const selCount = h('span', { class: 'muted sel-count' }, '');
  const triageResult = h('span', { class: 'triage-result', role: 'status', 'aria-live': 'polite' });
  const triageBar = h('div', { class: 'toolbar triage-bar' }, note, bulkButtons, selCount, triageResult,
    canTriage ? null : h('span', { class: 'muted viewer-note' }, 'Triage needs the analyst role; you are signed in as a viewer.'));
  note.addEventListener('keydown', (e) => {
    // Enter with an alert open acknowledges nothing by accident: only Ctrl+Enter acts, on the opened alert.
    if (e.key === 'Enter' && e.ctrlKey && detailData) { e.preventDefault(); triage([detailData.id], 'acknowledged'); }
  });

  // ---- list
  const selectAll = h('input', { type: 'checkbox', 'data-testid': 'select-all', 'aria-label': 'Select all on this page',
    disabled: !canTriage });
  selectAll.addEventListener('change', () => {
    const rows = (listData && listData.alerts) || [];
    for (const a of rows) { if (selectAll.checked) selected.add(a.id); else selected.delete(a.id); }
    renderSelection();
  });
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { class: 'data alerts-table', 'data-testid': 'alerts-table' }, thead, tbody);
  const listStatus = h('div', { class: 'list-status' });
  const pager = h('div', { class: 'pager' });
  const listBody = h('div', { class: 'alert-list-body' }, listStatus, h('div', { class: 'table-wrap' }, table));
  const refresh = h('button', { type: 'button', class: 'refresh', title: 'Read the list again from the daemon',
    'aria-label': 'Refresh', onclick: () => load(ctx.params, { force: true }) }, '↻');
  const listPanel = panel('Alerts', listBody, { id: 'alert-list', actions: [pager, refresh] });

  // ---- detail
  const detailBody = h('div', { class: 'alert-detail-body' });
  const detailPanel = h('section', { class: 'panel alert-detail', 'data-testid': 'alert-detail', hidden: true },
    detailBody);

  const split = h('div', { class: 'alert-split' }, listPanel, detailPanel);
  root.append(filterForm, countsBar, triageBar, split);

  // ---- state from the URL
  function syncForm(p) {
    const st = p.get('status') || '';
    if (![...statusSel.options].some((o) => o.value === st)) statusSel.append(h('option', { value: st }, st));
    statusSel.value = st;
    const sv = p.get('severity') || '';
    if (![...sevSel.options].some((o) => o.value === sv)) sevSel.append(h('option', { value: sv }, sv));
    sevSel.value = sv;
    if (document.activeElement !== qInput) qInput.value = p.get('q') || '';
    clear(timeSlot).append(timeRangePicker(rangeFromParams(p), (r) => {
      setParams({ start: r.start, end: r.end, offset: '' });
    }));
  }

  function setParams(changes, opts) {
    const o = paramsObject(ctx.params);
    Object.assign(o, changes);
    ctx.setParams(o, opts);
  }

  function applyFilters() {
    setParams({ status: statusSel.value, severity: sevSel.value, q: qInput.value.trim(), offset: '' });
  }

  // ---- loading
  async function load(p, { force = false } = {}) {
    params = p;
    const key = listKey(p);
    const id = p.get('id') || '';
    const needList = force || key !== lastListKey;
    const needDetail = force || id !== lastId;
    if (!needList && !needDetail) return;
    root.dataset.ready = '0';
    syncForm(p);
    const jobs = [];
    if (needList) { lastListKey = key; jobs.push(loadList(p)); }
    if (needDetail) { lastId = id; jobs.push(loadDetail(id)); }
    split.classList.toggle('with-detail', !!id);
    await Promise.all(jobs);
    settle();
  }

  // Ready only when nothing is in flight: a list still loading for an older
  // state change must not be hidden by a quick detail load.
  function settle() {
    if (!listAbort && !detailAbort && !unmounted) root.dataset.ready = '1';
  }

  async function loadList(p) {
    if (listAbort) { listAbort.abort(); listAbort = null; }
    const ctl = new AbortController();
    listAbort = ctl;
    listBody.classList.add('loading');
    qInput.classList.remove('invalid');
    qInput.removeAttribute('aria-invalid');
    try {
      const data = await apiGet('/api/v1/alerts', listQuery(p), { signal: ctl.signal });
      if (ctl.signal.aborted) return 'aborted';
      listData = data;
      // Checked ids that left the list are dropped: a bulk action must act on what is seen.
      const visible = new Set(data.alerts.map((a) => a.id));
      for (const id of [...selected]) if (!visible.has(id)) selected.delete(id);
      renderList();
      return 'ok';
    } catch (e) {
      if (e.name === 'AbortError' || ctl.signal.aborted) return 'aborted';
      listData = null;
      renderListError(e);
      return 'error';
    } finally {
      if (listAbort === ctl) { listAbort = null; listBody.classList.remove('loading'); }
      settle();
    }
  }

  async function loadDetail(id) {
    if (detailAbort) { detailAbort.abort(); detailAbort = null; }
    if (!id) {
      detailData = null;
      detailPanel.hidden = true;
      clear(detailBody);
      markOpenRow();
      return 'ok';
    }
    const ctl = new AbortController();
    detailAbort = ctl;
    detailPanel.hidden = false;
    detailPanel.classList.add('loading');
    try {
      const a = await apiGet(`/api/v1/alerts/${encodeURIComponent(id)}`, {}, { signal: ctl.signal });
      if (ctl.signal.aborted) return 'aborted';
      detailData = a;
      renderDetail(a);
      return 'ok';
    } catch (e) {
      if (e.name === 'AbortError' || ctl.signal.aborted) return 'aborted';
      detailData = null;
      clear(detailBody).append(detailHeader(null, `Alert ${id}`), errorBox(e));
      return 'error';
    } finally {
      if (detailAbort === ctl) { detailAbort = null; detailPanel.classList.remove('loading'); }
      markOpenRow();
      settle();
    }
  }

  // ---- rendering: counts, list
  function renderCounts(counts) {
    clear(countsBar);
    if (!counts) return;
    const activeStatus = params.get('status') || '';
    const activeSev = params.get('severity') || '';
    const chip = (label, n, cls, active, onclick, title) => h('button', {
      type: 'button', class: `chip ${cls}${active ? ' active' : ''}`, onclick, title, 'aria-pressed': active ? 'true' : 'false',
    }, h('span', { class: 'chip-label' }, label), h('span', { class: 'chip-count' }, fmtCount(n)));
    countsBar.append(
      h('span', { class: 'muted counts-label' }, `${fmtCount(counts.total)} stored`),
      h('span', { class: 'chip-group' }, STATUSES.map((s) => chip(s, (counts.status || {})[s] || 0, `status-${s}`,
        activeStatus === s, () => setParams({ status: activeStatus === s ? '' : s, offset: '' }),
        `Show only ${s} alerts`))),
      h('span', { class: 'chip-group' }, [1, 2, 3, 4].map((n) => chip(`sev ${n} ${SEV_NAMES[n]}`,
        (counts.severity || {})[String(n)] || 0, `sev-${n}`, activeSev === String(n),
        () => setParams({ severity: activeSev === String(n) ? '' : String(n), offset: '' }),
        `Show only severity ${n}`))),
      h('span', { class: 'muted counts-note' }, 'counts: all stored alerts'));
  }

  function sortHeader(label, field, cls = '') {
    const cur = params.get('sort') || 'last_seen';
    const order = params.get('order') || 'desc';
    const active = cur === field;
    const next = active && order === 'desc' ? 'asc' : 'desc';
    return h('th', { class: `${cls} sortable${active ? ' sorted' : ''}`,
      'aria-sort': active ? (order === 'asc' ? 'ascending' : 'descending') : 'none' },
    h('button', { type: 'button', class: 'link sort-button', title: `Sort by ${label}`,
      onclick: () => setParams({ sort: field === 'last_seen' && next === 'desc' ? '' : field,
        order: next === 'desc' ? '' : next, offset: '' }) },
    label, active ? (order === 'asc' ? ' ▲' : ' ▼') : ''));
  }

  function renderHead() {
    clear(thead).append(h('tr', {},
      h('th', { class: 'col-check' }, selectAll),
      sortHeader('Sev', 'severity', 'col-sev'),
      sortHeader('Score', 'score', 'num col-score'),
      h('th', { class: 'col-status' }, 'Status'),
      h('th', { class: 'col-rule' }, 'Rule'),
      h('th', { class: 'col-hosts' }, 'Hosts'),
      sortHeader('First seen', 'first_seen', 'col-first'),
      sortHeader('Last seen', 'last_seen', 'col-last'),
      sortHeader('Count', 'count', 'num col-count')));
  }

  function renderList() {
    renderCounts(listData.counts);
    renderHead();
    clear(tbody);
    const rows = listData.alerts || [];
    for (const a of rows) {
      const al = a.alert || {};
      const cb = h('input', { type: 'checkbox', 'data-testid': 'alert-select', checked: selected.has(a.id),
        'aria-label': `Select alert ${a.id}`, disabled: !canTriage });
      cb.addEventListener('click', (e) => e.stopPropagation());
      cb.addEventListener('change', () => { if (cb.checked) selected.add(a.id); else selected.delete(a.id); renderSelection(); });
      const tr = h('tr', { 'data-testid': 'alert-row', 'data-id': String(a.id), tabindex: '0',
        'aria-label': `Alert ${a.id}: ${al.signature || ''}` },
      h('td', { class: 'col-check' }, cb),
      h('td', { class: 'col-sev' }, sevBadge(al.severity ?? (a.event || {}).severity)),
      h('td', { class: 'num col-score' }, al.score !== undefined ? Number(al.score).toFixed(1) : '–'),
      h('td', { class: 'col-status' }, statusEl(al.status)),
      h('td', { class: 'col-rule', title: `${al.signature || ''}\n${(a.rule || {}).id || ''}` },
        h('span', { class: 'rule-name' }, al.signature || (a.rule || {}).name || '–'),
        h('span', { class: 'muted rule-id' }, (a.rule || {}).id || '')),
      h('td', { class: 'col-hosts mono', title: hostsText(a) }, hostsText(a)),
      h('td', { class: 'col-first' }, timeEl(al.first_seen, { ms: false })),
      h('td', { class: 'col-last' }, timeEl(al.last_seen, { ms: false })),
      h('td', { class: 'num col-count' }, fmtCount(al.count ?? (a.event || {}).count)));
      tr.addEventListener('click', () => openAlert(a.id));
      tr.addEventListener('keydown', (e) => {
        if (e.target !== tr) return;
        if (e.key === 'Enter') { e.preventDefault(); openAlert(a.id); }
        else if (e.key === ' ' && canTriage) { e.preventDefault(); cb.checked = !cb.checked; cb.dispatchEvent(new Event('change')); }
        else if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
        else if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
      });
      tbody.append(tr);
    }
    const total = listData.total || 0;
    const offset = listData.offset || 0;
    clear(listStatus);
    if (!rows.length) {
      listStatus.append(h('div', { class: 'muted empty' }, total ? 'No alerts on this page.' : 'No alerts match these filters.'));
    }
    renderPager(total, offset, listData.limit || rows.length, rows.length);
    markOpenRow();
    renderSelection();
  }

  function renderPager(total, offset, limit, shown) {
    clear(pager).append(
      h('span', { class: 'muted range-text', 'data-testid': 'alert-total' },
        shown ? `${fmtCount(offset + 1)}–${fmtCount(offset + shown)} of ${fmtCount(total)}` : `${fmtCount(total)} alerts`),
      h('button', { type: 'button', 'data-testid': 'page-prev', disabled: offset <= 0,
        onclick: () => setParams({ offset: offset - limit > 0 ? String(offset - limit) : '' }) }, '‹ Prev'),
      h('button', { type: 'button', 'data-testid': 'page-next', disabled: offset + shown >= total,
        onclick: () => setParams({ offset: String(offset + limit) }) }, 'Next ›'));
  }

  function renderListError(e) {
    clear(tbody);
    clear(pager);
    clear(listStatus).append(errorBox(e));
    // The message is in the box; the field is marked so the eye finds what to fix.
    if (e.parameter === 'q') { qInput.classList.add('invalid'); qInput.setAttribute('aria-invalid', 'true'); }
    renderSelection();
  }

  function markOpenRow() {
    const id = params.get('id') || '';
    for (const tr of tbody.querySelectorAll('tr')) tr.classList.toggle('selected', tr.dataset.id === id);
  }

  function renderSelection() {
    const rows = (listData && listData.alerts) || [];
    const n = selected.size;
    selCount.textContent = n ? `${n} selected` : 'none selected';
    for (const b of bulkButtons) b.disabled = !canTriage || busy || n === 0;
    const onPage = rows.filter((a) => selected.has(a.id)).length;
    selectAll.checked = rows.length > 0 && onPage === rows.length;
    selectAll.indeterminate = onPage > 0 && onPage < rows.length;
    for (const b of detailBody.querySelectorAll('button.triage')) b.disabled = !canTriage || busy;
  }

  function openAlert(id) {
    setParams({ id: String(id) });
  }

  // ---- rendering: detail
  function detailHeader(a, title) {
    const close = h('button', { type: 'button', class: 'link close-detail', 'aria-label': 'Close the detail',
      title: 'Close (Esc)', onclick: () => setParams({ id: '' }) }, '✕');
    if (!a) return h('header', {}, h('h2', {}, title), close);
    const al = a.alert || {};
    return h('header', {},
      h('div', { class: 'detail-title' }, sevBadge(al.severity), h('h2', { title: al.signature }, al.signature || title)),
      close);
  }

  function kvRows(pairs) {
    return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }

  function renderDetail(a) {
    const al = a.alert || {};
    const ev = a.event || {};
    const net = a.network || {};
    const canAct = canTriage && !busy;
    const actions = h('div', { class: 'toolbar detail-actions' },
      h('span', {}, 'Status: ', statusEl(al.status, { 'data-testid': 'alert-status' })),
      h('button', { type: 'button', class: 'triage', 'data-testid': 'alert-acknowledge', disabled: !canAct,
        title: 'Acknowledge, with the note above', onclick: () => triage([a.id], 'acknowledged') }, 'Acknowledge'),
      h('button', { type: 'button', class: 'triage danger', 'data-testid': 'alert-escalate', disabled: !canAct,
        title: 'Escalate, with the note above', onclick: () => triage([a.id], 'escalated') }, 'Escalate'),
      h('button', { type: 'button', class: 'triage', 'data-testid': 'alert-close', disabled: !canAct,
        title: 'Close, with the note above', onclick: () => triage([a.id], 'closed') }, 'Close'),
      al.status !== 'new' ? h('button', { type: 'button', class: 'triage link', 'data-testid': 'alert-reopen',
        disabled: !canAct, title: 'Set the status back to new', onclick: () => triage([a.id], 'new') }, 'Reopen') : null,
      canTriage ? null : h('span', { class: 'muted' }, 'viewer: read only'));

    const fields = kvRows([
      ['id', String(a.id)],
      ['kind', al.kind],
      ['rule', [(a.rule || {}).id, (a.rule || {}).name].filter(Boolean).join(' · ')],
      ['signature id', al.signature_id !== undefined ? `${al.signature_id}${al.rev !== undefined ? ` rev ${al.rev}` : ''}` : ''],
      ['category', al.category || (a.rule || {}).category],
      ['severity', al.severity !== undefined ? `${al.severity} (${SEV_NAMES[al.severity] || '?'})` : ''],
      ['score', al.score !== undefined ? `${al.score} / 100` : ''],
      ['confidence', al.confidence !== undefined ? `${al.confidence} / 100` : ''],
      ['asset criticality', al.asset_criticality],
      ['count', al.count !== undefined ? fmtCount(al.count) : ''],
      ['first seen', al.first_seen ? timeEl(al.first_seen) : ''],
      ['last seen', al.last_seen ? timeEl(al.last_seen) : ''],
      ['created', ev.created ? timeEl(ev.created) : ''],
      ['source', endpoint(a.source)],
      ['destination', endpoint(a.destination)],
      ['transport', [net.transport, net.protocol].filter(Boolean).join(' / ')],
      ['community id', net.community_id],
      ['session id', (a.session || {}).id],
    ]);

    const threats = (a.threat && a.threat.enrichments) || [];
    const threatBlock = threats.length ? h('div', {}, h('h3', {}, `Threat matches (${threats.length})`),
      h('table', { class: 'data compact' },
        h('thead', {}, h('tr', {}, ['Indicator', 'Type', 'Provider', 'Conf.', 'Matched'].map((t) => h('th', {}, t)))),
        h('tbody', {}, threats.map((t) => {
          const ind = t.indicator || {};
          const m = t.matched || {};
          return h('tr', {}, h('td', { class: 'mono', title: ind.description || '' }, ind.name || ''),
            h('td', {}, ind.type || ''), h('td', {}, ind.provider || ''), h('td', { class: 'num' }, ind.confidence ?? ''),
            h('td', { class: 'mono' }, m.field ? `${m.field} = ${m.atomic || ''}` : ''));
        })))) : null;

    const history = al.history || [];
    const historyBlock = h('div', {}, h('h3', {}, `Triage history (${history.length})`),
      history.length ? h('table', { class: 'data compact history' },
        h('thead', {}, h('tr', {}, ['When', 'Who', 'Change', 'Note'].map((t) => h('th', {}, t)))),
        h('tbody', {}, history.slice().reverse().map((e) => h('tr', {},
          h('td', {}, timeEl(e.at, { ms: false })), h('td', {}, e.user || ''),
          h('td', {}, e.from === e.to ? h('span', { class: 'muted' }, 'note') : [statusEl(e.from), ' → ', statusEl(e.to)]),
          h('td', { class: 'note-cell' }, e.note || '')))))
        : h('p', { class: 'muted' }, 'No triage changes yet.'));

    const evidence = a.evidence || [];
    const evidenceBlock = h('div', {}, h('h3', {}, `Evidence sessions (${evidence.length})`),
      evidence.length ? h('table', { class: 'data compact evidence', 'data-testid': 'alert-evidence' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Session'), h('th', {}, 'Start'),
          h('th', { class: 'num' }, 'Bytes out / in'), h('th', {}, 'Packets'))),
        h('tbody', {}, evidence.map((e) => {
          const hunt = huntHref(e);
          return h('tr', { 'data-testid': 'evidence-row' },
            h('td', { class: 'mono session-cell', title: e.community_id ? `Community ID ${e.community_id}` : '' },
              `${endpoint(e.source)} → ${endpoint(e.destination)}`,
              h('span', { class: 'muted proto' }, [e.transport, e.protocol].filter(Boolean).join('/'))),
            h('td', {}, e.start ? timeEl(e.start, { ms: false }) : '–'),
            h('td', { class: 'num' }, `${fmtBytes(e.bytes_out)} / ${fmtBytes(e.bytes_in)}`),
            h('td', { class: 'links' },
              // The slice API needs the analyst role: a viewer's click would only fetch a 403.
              e.pcap && canTriage ? h('a', { href: e.pcap, download: `alert-${a.id}-session-${e.session_id || 'x'}.pcap`,
                'data-testid': 'evidence-pcap', title: 'Download this session\'s packets (PCAP)' }, 'PCAP') : null,
              e.pcap && !canTriage ? h('span', { class: 'muted', title: 'PCAP needs the analyst role' }, 'PCAP') : null,
              hunt ? h('a', { href: hunt, 'data-testid': 'evidence-hunt', title: 'Open in Hunt' }, 'Hunt') : null));
        }))) : h('p', { class: 'muted', 'data-testid': 'alert-evidence' }, 'No evidence sessions recorded.'));

    const details = a.details && Object.keys(a.details).length
      ? h('div', {}, h('h3', {}, 'Detector details'), h('pre', { class: 'json' }, JSON.stringify(a.details, null, 2))) : null;

    clear(detailBody).append(detailHeader(a, `Alert ${a.id}`),
      h('div', { class: 'panel-body' }, actions, evidenceBlock, historyBlock, h('h3', {}, 'Fields'), fields, threatBlock, details));
  }

  // ---- triage
  async function triage(ids, status) {
    if (!canTriage || busy || !ids.length) return;
    busy = true;
    renderSelection();
    const body = { status };
    const text = note.value.trim();
    if (text) body.note = text;
    clear(triageResult).append(h('span', { class: 'muted' }, `Sending ${ids.length} change${ids.length > 1 ? 's' : ''}…`));
    const results = await pool(ids, MAX_IN_FLIGHT, (id) => apiSend('PATCH', `/api/v1/alerts/${id}`, body));
    busy = false;
    if (unmounted) return;
    const failed = results.map((r, i) => ({ r, id: ids[i] })).filter(({ r }) => !r.ok);
    const okCount = ids.length - failed.length;
    clear(triageResult);
    if (okCount) {
      triageResult.append(h('span', { class: 'ok' },
        `${okCount === 1 && ids.length === 1 ? `Alert ${ids[0]}` : `${okCount} alert${okCount > 1 ? 's' : ''}`} → ${status}.`));
    }
    if (failed.length) {
      triageResult.append(h('div', { class: 'error-box', role: 'alert', 'data-testid': 'triage-errors' },
        `${failed.length} of ${ids.length} failed:\n`
        + failed.map(({ id, r }) => `alert ${id}: ${r.error.message}${r.error.status ? ` (HTTP ${r.error.status})` : ''}`).join('\n')));
    } else {
      note.value = '';
    }
    // The failed ones stay checked (and the note stays) so a retry is one click.
    results.forEach((r, i) => { if (r.ok) selected.delete(ids[i]); });
    // Re-read list and detail: what is shown is what the daemon stored.
    await load(ctx.params, { force: true });
  }

  // Esc closes the detail (when not typing).
  function onKey(e) {
    if (e.key !== 'Escape' || !(ctx.params.get('id'))) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '')) return;
    setParams({ id: '' });
  }
  document.addEventListener('keydown', onKey);

  renderHead();
  renderSelection();
  await load(params);

  return {
    update(p) { return load(p); },
    unmount() {
      unmounted = true;
      document.removeEventListener('keydown', onKey);
      if (listAbort) listAbort.abort();
      if (detailAbort) detailAbort.abort();
    },
  };
}
