// The search-language query bar: the input, field-name completion (from
// GET /api/v1/fields) and the inline error with a caret under the character
// the daemon blamed. Values are never completed: that would need a search
// per keystroke.
import { h, clear } from './dom.js';

// Characters that make up a field name (or a free word) under the caret.
const NAME_CHAR = /[A-Za-z0-9_.@*-]/;
const KEYWORDS = new Set(['and', 'or', 'not', 'to']);
const MAX_ITEMS = 12;

// Quote a value for the query language when it is not a plain token
// (docs/SEARCH.md: "quoted values" are exact; only \" and \\ are escapes).
export function quoteValue(value) {
  const v = String(value);
  if (/^[A-Za-z0-9_.:/@+-]+$/.test(v) && !v.startsWith('-') && !v.includes('..')
      && !KEYWORDS.has(v.toLowerCase())) return v;
  return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// `field:value` → a clause; a field name is never quoted.
export function clause(field, value, negate = false) {
  return `${negate ? 'NOT ' : ''}${field}:${quoteValue(value)}`;
}

// AND a clause onto a query; an OR at the top level is wrapped so the new
// clause applies to the whole of it.
export function andClause(q, c) {
  const t = (q || '').trim();
  if (!t) return c;
  return /\bOR\b|\|\|/i.test(t) ? `(${t}) ${c}` : `${t} ${c}`;
}

// The daemon's position is a byte offset in the UTF-8 query.
function charIndex(text, bytePos) {
  const enc = new TextEncoder();
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    if (bytes >= bytePos) return i;
    bytes += enc.encode(ch).length;
    i += ch.length;
  }
  return text.length;
}

// The word being typed: [start, end) around the caret, or null when the
// caret is in a value (after ':') or inside quotes.
function wordAt(text, caret) {
  let quotes = 0;
  for (let i = 0; i < caret; i += 1) if (text[i] === '"' && text[i - 1] !== '\\') quotes += 1;
  if (quotes % 2) return null;
  let s = caret;
  while (s > 0 && NAME_CHAR.test(text[s - 1])) s -= 1;
  let e = caret;
  while (e < text.length && NAME_CHAR.test(text[e])) e += 1;
  // A leading '-' is negation, not part of the name.
  while (s < caret && text[s] === '-') s += 1;
  if (s > 0 && text[s - 1] === ':') return null;
  if (e < text.length && text[e] === ':' && caret < e) return null;
  const word = text.slice(s, caret);
  if (!word || KEYWORDS.has(word.toLowerCase()) || word.includes('*')) return null;
  return { start: s, end: e, word };
}

// queryBar({value, onSubmit(q), fields: Promise<{names:[{name,type,alias}]}>})
export function queryBar({ value = '', onSubmit, fields }) {
  const input = h('input', {
    type: 'text', class: 'query-input', value, spellcheck: 'false', autocomplete: 'off',
    'data-testid': 'query-input', 'data-query-input': true, 'aria-label': 'Query',
    placeholder: 'e.g. dns.question.name:*.example.com AND NOT source.ip:10.0.0.0/8   ( / to focus )',
    role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'query-completion',
  });
  const list = h('ul', { class: 'completion', id: 'query-completion', role: 'listbox', 'data-testid': 'completion', hidden: true });
  const errorEl = h('div', { class: 'query-error', 'data-testid': 'query-error', role: 'alert', hidden: true });
  const hint = h('div', { class: 'query-hint muted' });
  let names = [];
  let items = [];
  let active = 0;
  let target = null;

  Promise.resolve(fields).then((f) => { names = (f && f.names) || []; }, (e) => {
    hint.textContent = `Field completion unavailable: ${e.message}${e.status ? ` (HTTP ${e.status})` : ''}`;
  });

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    items = [];
  }

  function render() {
    clear(list);
    items.forEach((it, i) => {
      const li = h('li', {
        role: 'option', id: `qc-${i}`, class: i === active ? 'active' : null, 'data-testid': 'completion-item',
        'data-value': it.name, 'aria-selected': i === active ? 'true' : 'false',
        // mousedown, not click: a click would blur the input first.
        onmousedown: (e) => { e.preventDefault(); accept(i); },
      }, h('span', { class: 'name' }, it.name), h('span', { class: 'type muted' }, it.alias ? `alias: ${it.fields.join(', ')}` : it.type));
      list.append(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    if (items.length) {
      input.setAttribute('aria-activedescendant', `qc-${active}`);
      list.children[active]?.scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function suggest() {
    target = wordAt(input.value, input.selectionStart ?? input.value.length);
    if (!target || !names.length) { close(); return; }
    const w = target.word.toLowerCase();
    const starts = [];
    const contains = [];
    for (const n of names) {
      const l = n.name.toLowerCase();
      if (l === w) continue;
      if (l.startsWith(w)) starts.push(n);
      else if (w.length >= 2 && l.includes(w)) contains.push(n);
    }
    items = starts.concat(contains).slice(0, MAX_ITEMS);
    active = 0;
    render();
  }

  function accept(i) {
    const it = items[i];
    if (!it || !target) return;
    const v = input.value;
    const after = v.slice(target.end);
    const colon = after.startsWith(':') ? '' : ':';
    input.value = v.slice(0, target.start) + it.name + colon + after;
    const caret = target.start + it.name.length + 1;
    input.setSelectionRange(caret, caret);
    close();
    input.focus();
  }

  input.addEventListener('input', suggest);
  input.addEventListener('click', () => { if (!list.hidden) suggest(); });
  // Close on a real loss of focus only: a re-render elsewhere can take focus
  // for a moment and give it back, and the list must survive that.
  input.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== input) close(); }, 100));
  input.addEventListener('keydown', (e) => {
    const open = !list.hidden && items.length > 0;
    if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      render();
    } else if (open && (e.key === 'Enter' || e.key === 'Tab')) {
      e.preventDefault();
      accept(active);
    } else if (e.key === 'Escape') {
      if (open) { e.preventDefault(); e.stopPropagation(); close(); }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      close();
      onSubmit(input.value.trim());
    } else if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      suggest();
    }
  });

  function setError(err, q) {
    clear(errorEl);
    input.classList.toggle('invalid', Boolean(err));
    if (!err) { errorEl.hidden = true; errorEl.removeAttribute('data-position'); return; }
    const text = q ?? input.value;
    const pos = Number.isInteger(err.position) ? err.position : null;
    errorEl.hidden = false;
    if (pos === null) {
      errorEl.append(h('div', { class: 'msg' }, err.message));
      return;
    }
    errorEl.dataset.position = String(pos);
    // A window of the query around the blamed character, caret under it.
    const idx = charIndex(text, pos);
    const from = Math.max(0, idx - 60);
    const shown = (from ? '…' : '') + text.slice(from, idx + 60);
    const col = idx - from + (from ? 1 : 0);
    errorEl.append(
      h('pre', { class: 'snippet' }, shown || ' ', '\n', ' '.repeat(col), h('span', { class: 'caret' }, '^')),
      h('div', { class: 'msg' }, `${err.message} (at character ${idx + 1})`));
  }

  const el = h('div', { class: 'query-bar' },
    h('div', { class: 'query-wrap' }, input, list), errorEl, hint);
  return {
    el,
    input,
    get value() { return input.value.trim(); },
    setValue(v) { if (input.value !== v) input.value = v; },
    setError,
    focus() { input.focus(); },
  };
}
