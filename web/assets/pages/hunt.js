// The Hunt page: search sessions, protocol events or logs; a histogram, the
// results table, facets and the opened record. Each state change makes one
// request for the records and histogram (then data-ready) and a second one
// for the facet counts (then data-facets-ready). Every bit of state is in the URL (q, kind, start, end, sort,
// offset, limit, cols, open), so a reload or a shared link shows the same
// view and the back button undoes the last change.
import { apiGet } from '../lib/api.js';
import { h, clear, errorBox } from '../lib/dom.js';
import { fmtCount } from '../lib/format.js';
import { timeRangePicker, rangeFromParams, absoluteRange, describeRange } from '../lib/time_range.js';
import { queryBar, clause, andClause } from '../lib/query_bar.js';
import { histogramView, chooseInterval, parseTimeParam } from '../lib/histogram.js';
import { facetList } from '../lib/facet_list.js';
import { resultsTable, columnChooser, DEFAULT_COLUMNS, isVirtual } from '../lib/results_table.js';
import { recordView } from '../lib/record_view.js';

const KINDS = ['sessions', 'events', 'logs'];
const LIMITS = [25, 50, 100, 200, 500];
const FACETS = {
  sessions: ['network.protocol', 'destination.port', 'source.ip', 'destination.ip', 'destination.geo.country_iso_code', 'network.direction'],
  events: ['event.dataset', 'source.ip', 'destination.ip', 'dns.question.name', 'tls.client.server_name', 'destination.geo.country_iso_code'],
  logs: ['host.hostname', 'process.name', 'log.syslog.severity.name', 'event.dataset', 'log.parser', 'source.ip'],
};

// Shared by every mount of the page: they change only with a daemon upgrade
// (fields) or slowly (the store's time span, used for "all time").
let fieldsPromise = null;
let storeSpanPromise = null;

function loadFields() {
  if (!fieldsPromise) {
    fieldsPromise = apiGet('/api/v1/fields').then((f) => {
      const info = new Map((f.fields || []).map((x) => [x.name, x]));
      const names = [
        ...(f.fields || []).map((x) => ({ name: x.name, type: x.type })),
        ...(f.aliases || []).map((a) => ({ name: a.alias, alias: true, fields: a.fields || [] })),
        ...(f.dynamic_roots || []).map((r) => ({ name: r, type: 'dynamic' })),
      ].sort((a, b) => a.name.localeCompare(b.name));
      return { info, names };
    });
    fieldsPromise.catch(() => { fieldsPromise = null; });   // try again on the next mount
  }
  return fieldsPromise;
}

function loadStoreSpan() {
  if (!storeSpanPromise) {
    storeSpanPromise = apiGet('/api/v1/stats').then((s) => ({
      oldest: s.store?.oldest_packet_ns ? s.store.oldest_packet_ns / 1e6 : Date.parse(s.store?.oldest_packet),
      newest: s.store?.newest_packet_ns ? s.store.newest_packet_ns / 1e6 : Date.parse(s.store?.newest_packet),
    })).catch(() => ({ oldest: NaN, newest: NaN }));
  }
  return storeSpanPromise;
}

function stateFrom(params) {
  const kind = KINDS.includes(params.get('kind')) ? params.get('kind') : 'sessions';
  const limit = Math.min(10000, Math.max(1, parseInt(params.get('limit'), 10) || 50));
  const cols = (params.get('cols') || '').split(',').map((c) => c.trim()).filter(Boolean);
  const open = params.get('open');
  return {
    kind,
    q: params.get('q') || '',
    ...rangeFromParams(params),
    sort: params.get('sort') || '',
    offset: Math.max(0, parseInt(params.get('offset'), 10) || 0),
    limit,
    cols: cols.length ? cols : DEFAULT_COLUMNS[kind],
    customCols: cols.length > 0,
    open: open !== null && open !== '' && /^\d+$/.test(open) ? Number(open) : null,
  };
}

// URL parameters of a state; defaults are left out to keep links short.
function toParams(s) {
  return {
    kind: s.kind,
    q: s.q || '',
    start: s.start || '',
    end: s.end || '',
    sort: s.sort || '',
    offset: s.offset ? String(s.offset) : '',
    limit: s.limit && s.limit !== 50 ? String(s.limit) : '',
    cols: s.customCols ? s.cols.join(',') : '',
    open: s.open !== null && s.open !== undefined ? String(s.open) : '',
  };
}

const searchKey = (s) => JSON.stringify([s.kind, s.q, s.start, s.end, s.sort, s.offset, s.limit]);

export async function mount(root, ctx) {
  let state = stateFrom(ctx.params);
  let fields = null;          // {info, names} once /api/v1/fields answered
  let data = null;            // the last good answer
  let dataKey = '';
  let facetData = null;       // the facet counts for the same search (a second request)
  let ctrl = null;
  let rv = null;              // the open record view
  let chooserOpen = false;
  let storeSpan = null;       // {oldest, newest} ms of the packet store, for "all time"

  const fieldsP = loadFields();
  fieldsP.then((f) => { fields = f; if (data) renderTable(); }, () => {});

  const set = (patch, opts) => ctx.setParams(toParams({ ...state, ...patch }), opts);

  // --- toolbar ---------------------------------------------------------------
  const kindSelect = h('select', { 'data-testid': 'kind-select', 'aria-label': 'Record kind' },
    KINDS.map((k) => h('option', { value: k, selected: k === state.kind }, k)));
  kindSelect.addEventListener('change', () => set({
    kind: kindSelect.value, sort: '', offset: 0, open: null, cols: DEFAULT_COLUMNS[kindSelect.value], customCols: false,
  }));

  const qb = queryBar({ value: state.q, fields: fieldsP, onSubmit: submit });
  function submit(q) {
    const next = { ...state, q, offset: 0, open: null };
    if (searchKey(next) === searchKey(state) && next.open === state.open) load(true);
    else set({ q, offset: 0, open: null });
  }
  const submitBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'query-submit', onclick: () => submit(qb.value) }, 'Search');
  const timeSlot = h('span', { class: 'time-slot' });
  function renderTime() {
    clear(timeSlot);
    timeSlot.append(timeRangePicker({ start: state.start, end: state.end },
      (r) => set({ start: r.start, end: r.end, offset: 0, open: null })));
  }

  // --- histogram ---------------------------------------------------------------
  const hist = histogramView({
    onZoom: (a, b) => {
      const r = absoluteRange(a, b);
      set({ start: r.start, end: r.end, offset: 0, open: null });
    },
  });
  const histInfo = h('span', { class: 'muted hist-info' });
  const totalWrap = h('span', { class: 'total' });

  // --- results, facets ---------------------------------------------------------
  const facetsEl = h('div', { class: 'facets', 'aria-label': 'Facets' });
  const tableWrap = h('div', { class: 'table-wrap' });
  const statusEl = h('div', { class: 'results-status' });
  const pageInfo = h('span', { class: 'page-info' });
  const prevBtn = h('button', { type: 'button', 'data-testid': 'page-prev', 'aria-label': 'Previous page', onclick: () => set({ offset: Math.max(0, state.offset - state.limit), open: null }) }, '‹ Prev');
  const nextBtn = h('button', { type: 'button', 'data-testid': 'page-next', 'aria-label': 'Next page', onclick: () => set({ offset: state.offset + state.limit, open: null }) }, 'Next ›');
  const limitSelect = h('select', { 'aria-label': 'Rows per page', 'data-testid': 'page-limit' },
    [...new Set([...LIMITS, state.limit])].sort((a, b) => a - b).map((n) => h('option', { value: String(n), selected: n === state.limit }, `${n} / page`)));
  limitSelect.addEventListener('change', () => set({ limit: Number(limitSelect.value), offset: 0, open: null }));
  const chooserSlot = h('div', { class: 'chooser-slot' });
  const colsBtn = h('button', { type: 'button', 'data-testid': 'columns-button', 'aria-expanded': 'false', onclick: toggleChooser }, 'Columns');
  const drawer = h('div', { class: 'drawer-slot' });

  const results = h('section', { class: 'panel results-panel' },
    h('header', {},
      h('div', { class: 'pager' }, prevBtn, pageInfo, nextBtn, limitSelect),
      h('div', { class: 'actions' }, h('div', { class: 'cols-anchor' }, colsBtn, chooserSlot))),
    statusEl, tableWrap);
  const main = h('div', { class: 'hunt-main' }, facetsEl, results);

  const bar = h('div', { class: 'hunt-bar toolbar' }, kindSelect, qb.el, submitBtn, timeSlot);
  root.append(
    bar,
    h('section', { class: 'panel hist-panel' },
      h('header', {}, h('h2', {}, totalWrap), histInfo), h('div', { class: 'panel-body' }, hist.el)),
    main,
    drawer);

  function toggleChooser() {
    chooserOpen = !chooserOpen;
    colsBtn.setAttribute('aria-expanded', String(chooserOpen));
    clear(chooserSlot);
    if (chooserOpen) {
      chooserSlot.append(columnChooser({
        kind: state.kind, columns: state.cols, fieldNames: fields ? [...fields.info.keys()] : [],
        onChange: (cols) => set({ cols, customCols: true }),
      }));
      chooserSlot.querySelector('input')?.focus();
    }
  }
  const onDocClick = (e) => { if (chooserOpen && !e.target.closest('.cols-anchor')) toggleChooser(); };
  const onDocKey = (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (chooserOpen) { toggleChooser(); return; }
    if (rv && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName || '')) closeRecord();
  };
  // The drawer starts below the query bar so the bar stays usable with a record open.
  const placeDrawer = () => {
    if (!rv) return;
    const top = Math.max(document.getElementById('topbar')?.getBoundingClientRect().bottom || 0, bar.getBoundingClientRect().bottom + 8);
    rv.el.style.top = `${Math.round(top)}px`;
  };
  window.addEventListener('scroll', placeDrawer, { passive: true });
  window.addEventListener('resize', placeDrawer);
  document.addEventListener('click', onDocClick);
  document.addEventListener('keydown', onDocKey);

  // --- rendering -------------------------------------------------------------
  function sortable(col) {
    if (isVirtual(col)) return false;
    if (col === '@timestamp') return true;   // the default sort, always there
    if (fields) return Boolean(fields.info.get(col)?.sort);
    return true;   // field list unknown: let the daemon say no
  }

  function renderTable() {
    clear(tableWrap);
    if (!data) return;
    const types = new Map(fields ? [...fields.info].map(([k, v]) => [k, v.type]) : []);
    tableWrap.append(resultsTable({
      records: data.records || [], columns: state.cols, sort: state.sort || '-@timestamp', types, sortable,
      selected: state.open,
      onSort: (sort) => set({ sort, offset: 0, open: null }),
      onOpen: (i) => set({ open: i }),
    }));
    if (!data.records?.length) tableWrap.append(h('div', { class: 'empty muted' }, 'No matches in this range.'));
  }

  function renderPager() {
    const total = data ? data.total : 0;
    const n = data?.records?.length || 0;
    const ge = data && !data.total_exact ? '≥ ' : '';
    clear(pageInfo);
    pageInfo.append(n ? `${fmtCount(state.offset + 1)}–${fmtCount(state.offset + n)} of ${ge}` : `0 of ${ge}`,
      h('span', {}, fmtCount(total)));
    prevBtn.disabled = state.offset <= 0;
    nextBtn.disabled = !data || state.offset + n >= total;
    clear(totalWrap);
    totalWrap.append(ge, h('span', { 'data-testid': 'result-total' }, fmtCount(total)),
      ` ${state.kind === 'sessions' ? (total === 1 ? 'session' : 'sessions') : state.kind === 'events' ? (total === 1 ? 'event' : 'events') : (total === 1 ? 'log' : 'logs')}`);
    histInfo.textContent = data ? `${describeRange(state)} · ${data.histogram ? `per ${data.histogram.interval} · ` : ''}${Number(data.took_ms || 0).toFixed(1)} ms · ${data.shards ?? 0} shards` : '';
  }

  function renderFacets() {
    clear(facetsEl);
    const f = facetData?.facets || {};
    for (const field of FACETS[state.kind]) {
      if (!f[field]) continue;
      facetsEl.append(facetList(field, f[field], facetData.total, {
        onInclude: (fld, v) => set({ q: andClause(state.q, clause(fld, v)), offset: 0, open: null }),
        onExclude: (fld, v) => set({ q: andClause(state.q, clause(fld, v, true)), offset: 0, open: null }),
      }));
    }
  }

  function renderRecord(focus) {
    if (rv) { rv.destroy(); rv = null; }
    clear(drawer);
    const rec = state.open !== null && data?.records ? data.records[state.open] : null;
    root.classList.toggle('with-record', Boolean(rec));
    if (!rec) return;
    rv = recordView(rec, {
      kind: state.kind,
      onClose: closeRecord,
      // A pivot is a new search (a new history entry), same time range.
      onPivot: ({ q, kind }) => set({
        q, kind: kind || state.kind, offset: 0, open: null, sort: kind && kind !== state.kind ? '' : state.sort,
        ...(kind && kind !== state.kind ? { cols: DEFAULT_COLUMNS[kind], customCols: false } : {}),
      }),
    });
    drawer.append(rv.el);
    placeDrawer();
    if (focus) rv.el.focus();
  }

  function closeRecord() {
    const i = state.open;
    set({ open: null });
    tableWrap.querySelector(`tr[data-index="${i}"]`)?.focus();
  }

  // The asked range in ms, for the histogram's x axis; for all time the
  // store's span, so a few hits are drawn where they are in it.
  function askedRange() {
    const now = Date.now();
    if (!state.start) {
      if (!storeSpan || !Number.isFinite(storeSpan.oldest)) return null;
      return { from: storeSpan.oldest, to: state.kind === 'logs' ? now : storeSpan.newest };
    }
    return { from: parseTimeParam(state.start, now), to: state.end ? parseTimeParam(state.end, now) : now };
  }

  function histogramInterval(span) {
    const now = Date.now();
    let a = parseTimeParam(state.start, now);
    let b = state.end ? parseTimeParam(state.end, now) : now;
    if (!state.start && Number.isFinite(span.oldest)) {
      a = span.oldest;
      // Logs arrive now; packets (sessions, events) end with the store.
      if (!state.end && state.kind !== 'logs' && Number.isFinite(span.newest)) b = span.newest;
    }
    if (!Number.isFinite(a) || !Number.isFinite(b) || b <= a) return state.start ? '1m' : '30d';
    return chooseInterval(b - a);
  }

  // --- the one request per state change --------------------------------------
  async function load(force = false) {
    const key = searchKey(state);
    if (!force && key === dataKey && data) { renderTable(); renderRecord(false); return; }
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const { signal } = ctrl;
    root.dataset.ready = '0';
    main.classList.add('loading');
    qb.setError(null);
    clear(statusEl);
    const span = state.start ? {} : await loadStoreSpan();
    if (!state.start) storeSpan = span;
    if (signal.aborted) return;
    const s = state;
    // Records and histogram first, facets in a second request: a facet over
    // a field with many distinct values (source.ip) visits every match and
    // can take seconds on a million sessions, while the page of records
    // takes milliseconds (bench/RESULTS.md, "Web console").
    const params = {
      q: s.q, start: s.start, end: s.end, sort: s.sort, offset: s.offset, limit: s.limit,
      histogram: histogramInterval(span),
    };
    let res;
    try {
      try {
        res = await apiGet(`/api/v1/${s.kind}`, params, { signal });
      } catch (e) {
        // Too many buckets for a guessed range: the answer without a histogram beats none.
        if (e.name === 'AbortError' || e.parameter === 'q' || !/histogram/i.test(e.message)) throw e;
        res = await apiGet(`/api/v1/${s.kind}`, { ...params, histogram: '' }, { signal });
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      main.classList.remove('loading');
      // Keep the last results visible but dimmed, so the analyst can fix the query.
      main.classList.add('stale');
      if (e.status === 400 && (e.parameter === 'q' || e.position !== null)) qb.setError(e, s.q);
      else statusEl.append(errorBox(e));
      if (!data) { renderPager(); hist.render(null); }
      root.dataset.ready = '1';
      return;
    }
    data = res;
    dataKey = key;
    main.classList.remove('loading', 'stale');
    hist.render(res.histogram || null, askedRange());
    renderPager();
    renderTable();
    renderRecord(false);
    root.dataset.ready = '1';
    loadFacets(s, signal);
  }

  async function loadFacets(s, signal) {
    facetData = null;
    root.dataset.facetsReady = '0';
    facetsEl.classList.add('loading');
    try {
      facetData = await apiGet(`/api/v1/${s.kind}`, {
        q: s.q, start: s.start, end: s.end, limit: 0, facets: FACETS[s.kind].join(','), facet_size: 8,
      }, { signal });
    } catch (e) {
      if (e.name === 'AbortError') return;
      clear(facetsEl);
      facetsEl.append(errorBox(e));
      facetsEl.classList.remove('loading');
      root.dataset.facetsReady = '1';
      return;
    }
    facetsEl.classList.remove('loading');
    renderFacets();
    root.dataset.facetsReady = '1';
  }

  function update(params) {
    const prev = state;
    state = stateFrom(params);
    kindSelect.value = state.kind;
    qb.setValue(state.q);
    if (prev.start !== state.start || prev.end !== state.end) renderTime();
    if (!limitSelect.querySelector(`option[value="${state.limit}"]`)) limitSelect.append(h('option', { value: String(state.limit) }, `${state.limit} / page`));
    limitSelect.value = String(state.limit);
    if (chooserOpen && prev.kind !== state.kind) toggleChooser();
    const key = searchKey(state);
    if (key === dataKey && data) {
      // Only the columns or the opened record changed (or back to the state
      // the shown answer is for, after a failed search): no request.
      if (ctrl) ctrl.abort();
      main.classList.remove('stale', 'loading');
      qb.setError(null);
      clear(statusEl);
      root.dataset.ready = '1';
      renderTable();
      if (prev.open !== state.open) renderRecord(state.open !== null);
      return;
    }
    load();
  }

  renderTime();
  renderPager();
  hist.render(null);
  load();

  return {
    update,
    unmount() {
      if (ctrl) ctrl.abort();
      if (rv) rv.destroy();
      hist.destroy();
      document.removeEventListener('click', onDocClick);
      document.removeEventListener('keydown', onDocKey);
      window.removeEventListener('scroll', placeDrawer);
      window.removeEventListener('resize', placeDrawer);
    },
  };
}
