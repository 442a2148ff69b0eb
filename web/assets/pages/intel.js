// Intel and rules: what detection has loaded (GET /api/v1/intel: indicators
// per source and type; GET /api/v1/rules: loaded and rejected rules with the
// reason each was rejected), adding indicators from a file (POST
// /api/v1/intel) and re-reading config, rules and intel (POST /api/v1/reload).
// Both actions are admin-only on the daemon; other roles see them disabled.
// Every answer of the daemon, good or bad, is shown as it came.
import { apiGet, apiSend } from '../lib/api.js';
import { h, clear, append, panel, errorBox } from '../lib/dom.js';
import { fmtCount, fmtBytes } from '../lib/format.js';

// The CSV columns the daemon's own loader reads (demo/intel.csv).
const CSV_COLUMNS = ['type', 'value', 'confidence', 'severity', 'description', 'source'];
const MAX_UPLOAD = 1000000;   // http.max_body_bytes of the default config (1 MiB)

// One CSV line into fields: commas, "quoted, fields" and "" escapes.
function csvFields(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

// The endpoint takes JSON only; a CSV file (as in intel.files) is turned into
// {"indicators":[…]} here, and the daemon still judges every indicator.
export function csvToIndicators(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  let cols = CSV_COLUMNS;
  if (lines.length && /^\s*"?type"?\s*,/i.test(lines[0])) cols = csvFields(lines.shift()).map((c) => c.toLowerCase());
  const indicators = lines.map((l) => {
    const f = csvFields(l);
    const o = {};
    cols.forEach((c, i) => {
      if (f[i] === undefined || f[i] === '' || !CSV_COLUMNS.concat(['expires', 'id']).includes(c)) return;
      o[c] = (c === 'confidence' || c === 'severity') && /^\d+$/.test(f[i]) ? Number(f[i]) : f[i];
    });
    return o;
  });
  return { indicators };
}

function table(headers, rows, attrs = {}) {
  return h('table', { class: 'data', ...attrs },
    h('thead', {}, h('tr', {}, headers.map(([label, cls]) => h('th', { class: cls || null }, label)))),
    h('tbody', {}, rows));
}

export async function mount(root, ctx) {
  const isAdmin = ctx.user && ctx.user.role === 'admin';
  const ctl = new AbortController();
  const sourcesBody = h('div', { class: 'intel-body', 'data-testid': 'intel-sources' }, h('span', { class: 'loading' }, 'Loading…'));
  const rulesBody = h('div', { class: 'intel-body', 'data-testid': 'rules-loaded' }, h('span', { class: 'loading' }, 'Loading…'));
  const rejectedBody = h('div', { class: 'intel-body', 'data-testid': 'rules-rejected' }, h('span', { class: 'loading' }, 'Loading…'));
  const result = h('div', { class: 'intel-result', 'data-testid': 'intel-result', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'The daemon\'s answer to an upload or a reload appears here.'));

  const file = h('input', { type: 'file', accept: '.json,.csv,.stix,application/json,text/csv', 'data-testid': 'intel-upload',
    disabled: !isAdmin, 'aria-label': 'Indicator file' });
  const uploadBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'intel-upload-submit', disabled: true },
    'Upload indicators');
  const reloadBtn = h('button', { type: 'button', 'data-testid': 'reload-button', disabled: !isAdmin, onclick: reload },
    'Reload config, rules and intel');
  file.addEventListener('change', () => { uploadBtn.disabled = !isAdmin || !file.files.length; });
  const adminNote = isAdmin ? null : h('p', { class: 'muted intel-admin-note', 'data-testid': 'needs-admin' },
    `Uploading indicators and reloading need the admin role (you are ${ctx.user?.role || 'not signed in'}).`);

  const actions = h('div', { class: 'intel-actions' },
    h('form', { class: 'intel-upload', onsubmit: upload },
      h('label', {}, 'Indicator file: JSON ({"indicators":[…]} or a STIX 2.1 bundle) or CSV (type,value,confidence,severity,description,source)',
        file),
      h('div', { class: 'toolbar' }, uploadBtn)),
    h('div', { class: 'intel-reload' },
      h('p', { class: 'muted' }, 'Re-reads the configuration, rule files, intel files, assets and GeoIP databases, as SIGHUP does. '
        + 'On failure the previous tables stay in use.'),
      reloadBtn),
    adminNote);

  root.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Intel and rules')),
    h('div', { class: 'grid intel-grid' },
      panel('Threat intel', sourcesBody, { id: 'intel-sources' }),
      panel('Rules', rulesBody, { id: 'rules' })),
    panel('Rejected rules', rejectedBody, { id: 'rules-rejected' }),
    h('div', { class: 'grid intel-grid' },
      panel('Add indicators and reload', actions, { id: 'intel-actions' }),
      panel('Daemon\'s answer', result, { id: 'intel-answer' })),
  );

  function renderIntel(d) {
    const types = Object.entries(d.by_type || {});
    const sources = (d.sources || []).map((s) => h('tr', {},
      h('td', { class: 'mono' }, s.source), h('td', { class: 'num' }, fmtCount(s.loaded)),
      h('td', { class: `num${s.rejected > 0 ? ' bad' : ''}` }, fmtCount(s.rejected)), h('td', { class: 'num' }, fmtCount(s.expired)),
      h('td', { class: 'wrap' }, (s.errors || []).length ? h('ul', { class: 'errs' }, s.errors.map((e) => h('li', {}, String(e)))) : '–')));
    const en = d.enrichment || {};
    append(clear(sourcesBody), [
      h('p', { class: 'intel-total' }, h('strong', {}, fmtCount(d.indicators)), ' indicators loaded',
        d.api_indicators ? ` (${fmtCount(d.api_indicators)} added through the API)` : ''),
      h('h3', {}, 'Per source'),
      sources.length ? table([['Source'], ['Loaded', 'num'], ['Rejected', 'num'], ['Expired', 'num'], ['Errors']], sources,
        { 'data-testid': 'intel-sources-table' }) : h('p', { class: 'muted' }, 'No sources loaded.'),
      h('h3', {}, 'Per type'),
      h('div', { class: 'type-chips' }, types.map(([t, n]) => h('span', { class: `badge${n ? '' : ' zero'}`, 'data-type': t },
        `${t} `, h('strong', {}, fmtCount(n))))),
      h('h3', {}, 'Files'),
      (d.files || []).length ? h('ul', { class: 'files mono' }, d.files.map((f) => h('li', {}, f))) : h('p', { class: 'muted' }, 'None configured.'),
      h('h3', {}, 'Enrichment'),
      h('dl', { class: 'kv' },
        h('dt', {}, 'GeoIP'), h('dd', {}, (en.geoip || []).length ? en.geoip.map((g) => h('div', {}, g)) : 'none'),
        h('dt', {}, 'Assets'), h('dd', {}, fmtCount(en.assets ?? 0)),
        h('dt', {}, 'Internal networks'), h('dd', {}, fmtCount(en.internal_networks ?? 0))),
    ]);
  }

  function renderRules(d) {
    const errs = d.rule_errors || [];
    append(clear(rulesBody), [
      h('div', { class: 'rule-stats' },
        [['loaded', d.loaded], ['rejected', d.rejected], ['packet rules', d.packet_rules], ['event rules', d.event_rules],
          ['prefilter patterns', d.prefilter_patterns]].map(([label, v]) => h('div', {
          class: `stat${label === 'rejected' && v > 0 ? ' bad' : ''}`, 'data-testid': `rule-count-${label.replace(/ /g, '-')}`,
        }, h('span', { class: 'value' }, fmtCount(v ?? 0)), h('span', { class: 'label' }, label)))),
      h('p', { class: 'muted' }, `Compiled in ${Number(d.compile_ms || 0).toFixed(1)} ms.`),
      h('h3', {}, 'Files'),
      (d.files || []).length ? h('ul', { class: 'files mono' }, d.files.map((f) => h('li', {}, f))) : h('p', { class: 'muted' }, 'None configured.'),
    ]);
    clear(rejectedBody).append(errs.length
      ? table([['File:line'], ['sid', 'num'], ['Keyword'], ['Why'], ['Rule']], errs.map((e) => h('tr', { 'data-testid': 'rule-error' },
        h('td', { class: 'mono' }, `${e.file || '?'}:${e.line ?? '?'}`), h('td', { class: 'num' }, e.sid ?? '–'),
        h('td', { class: 'mono' }, e.keyword || '–'), h('td', { class: 'bad wrap' }, e.message || ''),
        h('td', { class: 'mono wrap rule-text' }, e.rule || ''))), { class: 'data rules-table' })
      : h('p', { class: 'ok' }, 'No rejected rules.'));
  }

  async function load() {
    const [intel, rules] = await Promise.allSettled([
      apiGet('/api/v1/intel', {}, { signal: ctl.signal }),
      apiGet('/api/v1/rules', {}, { signal: ctl.signal }),
    ]);
    if (ctl.signal.aborted) return;
    if (intel.status === 'fulfilled') renderIntel(intel.value); else clear(sourcesBody).append(errorBox(intel.reason));
    if (rules.status === 'fulfilled') renderRules(rules.value);
    else { clear(rulesBody).append(errorBox(rules.reason)); clear(rejectedBody).append(errorBox(rules.reason)); }
  }

  // The answer as the daemon sent it: a short summary line, then the JSON.
  function showAnswer(title, ok, body, summary) {
    append(clear(result), [
      h('p', { class: ok ? 'ok' : 'bad', 'data-ok': ok ? '1' : '0' }, h('strong', {}, title), summary ? ` — ${summary}` : ''),
      body !== undefined && body !== null ? h('pre', { class: 'answer-json' }, typeof body === 'string' ? body : JSON.stringify(body, null, 2)) : null]);
  }

  async function upload(e) {
    e.preventDefault();
    if (!isAdmin || !file.files.length) return;
    const f = file.files[0];
    if (f.size > MAX_UPLOAD) {
      showAnswer(`Not sent: ${f.name}`, false, null, `${fmtBytes(f.size)} is more than the daemon takes in one request (about ${fmtBytes(MAX_UPLOAD)}); split the file.`);
      return;
    }
    uploadBtn.disabled = true;
    root.dataset.ready = '0';
    try {
      const text = await f.text();
      const isCsv = /\.csv$/i.test(f.name) || (!/^\s*[[{]/.test(text) && /,/.test(text));
      // Anything but CSV goes as it is: the daemon is the judge of JSON and STIX.
      const res = await apiSend('POST', '/api/v1/intel', isCsv ? csvToIndicators(text) : text);
      const rejected = Number(res.rejected || 0);
      showAnswer(`Uploaded ${f.name}${isCsv ? ' (CSV, sent as JSON)' : ''}`, rejected === 0 && Number(res.accepted || 0) > 0, res,
        `accepted ${fmtCount(res.accepted ?? 0)}, rejected ${fmtCount(rejected)}; ${fmtCount(res.indicators ?? 0)} indicators loaded now`);
      await load();
    } catch (err) {
      showAnswer(`Upload of ${f.name} failed${err.status ? ` (HTTP ${err.status})` : ''}`, false, err.body || null, err.message);
    } finally {
      uploadBtn.disabled = !file.files.length;
      root.dataset.ready = '1';
    }
  }

  async function reload() {
    if (!isAdmin) return;
    reloadBtn.disabled = true;
    root.dataset.ready = '0';
    showAnswer('Reloading…', true, null, '');
    try {
      const res = await apiSend('POST', '/api/v1/reload', {});
      const warnings = (res.warnings || []).length;
      showAnswer('Reloaded', true, res, `${fmtCount(res.rules?.loaded ?? 0)} rules (${fmtCount(res.rules?.rejected ?? 0)} rejected), `
        + `${fmtCount(res.intel?.indicators ?? 0)} indicators, ${fmtCount(res.enrichment?.assets ?? 0)} assets`
        + `${warnings ? `, ${warnings} warnings` : ''} in ${Number(res.took_ms || 0).toFixed(0)} ms`);
    } catch (err) {
      // 422: the daemon kept the previous tables; its body is the load report with the errors.
      const errors = err.body && Array.isArray(err.body.errors) ? err.body.errors.join('; ') : '';
      showAnswer(`Reload failed${err.status ? ` (HTTP ${err.status})` : ''}; the previous tables stay in use`, false, err.body || null,
        errors || err.message);
    } finally {
      reloadBtn.disabled = false;
      await load();
      root.dataset.ready = '1';
    }
  }

  root.dataset.ready = '0';
  await load();
  root.dataset.ready = '1';
  return { unmount() { ctl.abort(); } };
}
